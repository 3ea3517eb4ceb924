"""`manage.py runsandbox` as a real subprocess, configured as a deployment runs it (DEBUG off)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import requests
from cryptography.fernet import Fernet
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]
# Settings of the caller's environment that would change what a test of the server observes.
_INHERITED_OUT = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SANDBOX_STANDALONE",
    "DJANGO_SETTINGS_MODULE",
)


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like sandbox: DEBUG off, real secrets, no TLS settings."""
    env = {key: value for key, value in os.environ.items() if key not in _INHERITED_OUT}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="127.0.0.1",
        EMAIL_URL="consolemail://",
        DATABASE_URL=database_url,
        CONN_MAX_AGE="0",
        SANDBOX_DELIVERY_SECONDS="0",
    )
    env.update(extra)
    return env


def shared_database_url() -> str:
    """The URL of the database the test process uses (its committed rows are the server's)."""
    config = connection.settings_dict
    if not config["ENGINE"].endswith("postgresql"):
        raise RuntimeError("runsandbox tests share the test database, which must be PostgreSQL")
    user = quote(config["USER"] or "", safe="")
    password = f":{quote(config['PASSWORD'], safe='')}" if config["PASSWORD"] else ""
    host = config["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{config['PORT'] or 5432}/{config['NAME']}"


def manage(*args: str, env: dict[str, str]) -> str:
    """Run a management command; its stdout."""
    done = subprocess.run(
        [*MANAGE, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def runsandbox(env: dict[str, str], timeout: float = 60.0) -> Iterator[str]:
    """Serve `runsandbox --noreload` on a free port; yield its base URL (`http://127.0.0.1:N`)."""
    port = free_port()
    with tempfile.TemporaryFile() as errors:
        server = subprocess.Popen(
            [*MANAGE, "runsandbox", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, server, errors, timeout)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(base: str, server: subprocess.Popen, errors, timeout: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            errors.seek(0)
            raise RuntimeError(f"runsandbox exited: {errors.read().decode()[-2000:]}")
        try:
            requests.get(f"{base}/api", timeout=1, allow_redirects=False)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"runsandbox did not answer within {timeout} s")
