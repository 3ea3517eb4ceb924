"""Settings: production values pass Django's deploy checks; missing secrets stop start-up."""

import os
import re
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent.parent


# Variables the test run sets for itself, which a production start-up would not have.
NOT_PRODUCTION = {
    "DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "EMAIL_URL", "SANDBOX_ENABLED",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}  # fmt: skip


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in NOT_PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "a-very-long-and-random-production-secret-0987654321",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "portal.example.com",
    "EMAIL_URL": "smtp+tls://portal:mail-password@smtp.example.com:587",
}


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_stops_with_a_clear_message():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_encryption_keys_stops_with_a_clear_message():
    env = {k: v for k, v in PRODUCTION.items() if k != "FIELD_ENCRYPTION_KEYS"}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


def test_the_sandbox_is_off_in_production_unless_asked_for():
    code = "from django.conf import settings; print(settings.SANDBOX_ENABLED)"
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.strip() == "False", result.stderr


def test_development_defaults_need_no_server():
    code = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, "
        "settings.SANDBOX_ENABLED)"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SANDBOX_ENABLED"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://", "True"], (
        result.stderr
    )


def test_the_dockerfiles_collectstatic_step_has_every_required_setting():
    dockerfile = (BASE_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    step = next(
        line for line in dockerfile.splitlines() if "collectstatic" in line and "RUN" in line
    )
    env = dict(re.findall(r"\b([A-Z_]+)=(\S+)", step.split("python manage.py")[0]))
    assert env["DEBUG"] == "false"
    env["STATIC_ROOT"] = "/tmp/unused-static-root"  # noqa: S108  (only read: `check` collects nothing)
    result = run_manage("check", **env)
    assert result.returncode == 0, result.stderr


def test_sqlite_is_set_up_for_a_web_server_and_workers_at_once():
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = run_manage("shell", "--no-imports", "-c", code, DATABASE_URL="sqlite:///x.sqlite3")
    options = result.stdout.strip()
    assert "'init_command': 'PRAGMA journal_mode=WAL;'" in options, result.stderr
    assert "'timeout': 30" in options and "'transaction_mode': 'IMMEDIATE'" in options
