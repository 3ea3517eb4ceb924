"""Management commands and the standalone server."""

import os
import socket
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
import requests
from django.core.management import CommandError, call_command

from sandbox.models import SandboxAccount

ROOT = Path(__file__).resolve().parents[2]


def test_sandbox_account_create_prints_only_the_token(transactional_db):
    out = StringIO()
    call_command("sandbox_account", "create", "demo", "--credits", "50", stdout=out)
    account = SandboxAccount.objects.get(username="demo")
    assert out.getvalue().strip() == account.token
    assert account.credits == 50


def test_sandbox_account_create_with_admin_and_vmn(transactional_db):
    call_command(
        "sandbox_account",
        "create",
        "boss",
        "--credits",
        "5",
        "--admin",
        "--vmn",
        "447700900555",
        "--forward-url",
        "http://127.0.0.1:8000/hook",
        stdout=StringIO(),
    )
    account = SandboxAccount.objects.get(username="boss")
    assert account.is_admin
    assert account.vmns.get().forward_url == "http://127.0.0.1:8000/hook"


def test_sandbox_account_create_refuses_a_taken_name(transactional_db):
    call_command("sandbox_account", "create", "demo", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("sandbox_account", "create", "demo", stdout=StringIO())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_runsandbox_serves_the_api_at_slash_api(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    token = subprocess.run(
        [*manage, "sandbox_account", "create", "solo", "--credits", "7"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runsandbox", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answer = None
        for _ in range(600):  # up to a minute: the server starts slowly on a loaded machine
            try:
                answer = requests.get(
                    f"http://127.0.0.1:{port}/api",
                    params={"Token": token, "Action": "CheckCredits"},
                    timeout=1,
                ).text
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert answer == "7"
    finally:
        server.terminate()
        server.wait(10)
