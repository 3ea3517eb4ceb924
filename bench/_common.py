"""Shared bench helpers: a `manage.py runsandbox` server on its own throw-away database.

The server runs on a free loopback port with a temporary SQLite file, migrated first, so a bench
needs no PostgreSQL and never touches the development database. The file is thrown away, so it runs
in WAL mode with `synchronous=NORMAL`: the bench measures the server, not the disk's fsync. Pass
`database_url` to measure on PostgreSQL instead (the database must exist; it is migrated).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
SQLITE_OPTIONS = "init_command=PRAGMA%20journal_mode%3DWAL%3BPRAGMA%20synchronous%3DNORMAL"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict[str, str]) -> str:
    """Run a management command and return its stdout."""
    done = subprocess.run(
        [*MANAGE, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def running_sandbox(
    *,
    credits: int = 10_000_000,
    database_url: str | None = None,
    delivery_seconds: float = 3.0,
    username: str = "bench",
    faults: dict[str, float] | None = None,
) -> Iterator[tuple[str, str]]:
    """Start `runsandbox`, create an account (with `faults`, as `sandbox.faults.set_faults` takes
    them), yield (api_url, token), then stop the server."""
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": database_url or f"sqlite:///{tmp}/bench.sqlite3?{SQLITE_OPTIONS}",
            "SANDBOX_DELIVERY_SECONDS": str(delivery_seconds),
            # One database connection per server thread, as a production deployment keeps.
            "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "600"),
        }
        manage("migrate", "--verbosity", "0", env=env)
        token = manage(
            "sandbox_account",
            "create",
            f"{username}-{os.getpid()}",
            "--credits",
            str(credits),
            env=env,
        ).strip()
        if faults:
            name = f"{username}-{os.getpid()}"
            code = (
                "from sandbox.faults import set_faults; from sandbox.models import SandboxAccount; "
                f"set_faults(SandboxAccount.objects.get(username={name!r}), **{faults!r})"
            )
            manage("shell", "-c", code, env=env)
        port = free_port()
        server = subprocess.Popen(
            [*MANAGE, "runsandbox", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        api_url = f"http://127.0.0.1:{port}/api"
        try:
            wait_until_up(api_url)
            yield api_url, token
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
