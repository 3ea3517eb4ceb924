"""Attacks that read secrets from the logs: the gateway's GET forwarding carries the inbound `auth`
value and the text itself in the query string, which web servers log with each request."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from inbound.models import VirtualNumber
from tests.fixtures.worker import BASE_DIR, database_url

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "my bank code is 4321"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(command: list[str], port: int, log_path: Path) -> Iterator[str]:
    """Run a web server command on the test database, all its output (at DEBUG) into one file."""
    env = {**os.environ, "DATABASE_URL": database_url(), "LOG_LEVEL": "DEBUG"}
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, log_path.read_text()
                try:
                    requests.get(f"{base}/healthz", timeout=5)
                    break
                except (requests.ConnectionError, requests.Timeout):
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(20)


def forward_by_get(base: str, vmn: VirtualNumber) -> requests.Response:
    now = datetime.now(ZoneInfo("Europe/London")).strftime("%Y-%m-%d %H:%M:%S")
    query = {"source": "447700900123", "dest": vmn.number.lstrip("+"), "msg": TEXT,
             "id": "5001", "receivedts": now, "auth": vmn.auth}  # fmt: skip
    return requests.get(f"{base}/inbound/{vmn.key}/", params=query, timeout=10)


def assert_logged_without_secrets(log: str, vmn: VirtualNumber) -> None:
    assert f"/inbound/{vmn.key}/" in log, log  # the request was logged…
    assert vmn.auth not in log  # …without its auth value
    assert "4321" not in log and "bank" not in log  # …or its text


def dockerfile_command(port: int) -> list[str]:
    """The Dockerfile's CMD, on a local port with one worker."""
    line = next(
        line for line in (BASE_DIR / "Dockerfile").read_text().splitlines()
        if line.startswith("CMD ")
    )  # fmt: skip
    command = json.loads(line.removeprefix("CMD "))
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    return [sys.executable, "-m", *command]


@pytest.fixture
def vmn(workspace) -> VirtualNumber:
    return VirtualNumber.objects.create(workspace=workspace, number="+447700900500", label="Main")


def test_gunicorn_access_log_does_not_leak_the_inbound_auth_or_text(vmn, tmp_path):
    port = free_port()
    with serving(dockerfile_command(port), port, tmp_path / "gunicorn.log") as base:
        assert forward_by_get(base, vmn).status_code == 200
    assert_logged_without_secrets((tmp_path / "gunicorn.log").read_text(), vmn)


def test_dev_server_log_does_not_leak_the_inbound_auth_or_text(vmn, tmp_path):
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    log = tmp_path / "runserver.log"
    with serving(command, port, log) as base:
        assert forward_by_get(base, vmn).status_code == 200
        # The development server logs a request after it has answered: wait for the line.
        deadline = time.monotonic() + 20
        while f"/inbound/{vmn.key}/" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert_logged_without_secrets(log.read_text(), vmn)
