"""What the textconnect client adds over the wire: CheckMessageStatus through the client and
through a bare `requests.Session`, against `runsandbox`, in the same run.

The two paths run in alternating blocks over the same keep-alive connection pool size, so drift
in the server's speed falls on both. Last line: one JSON object with the figures.

    uv run python bench/client_overhead.py [--quick] [--calls N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textconnect import Client  # noqa: E402

BLOCK = 100


@contextlib.contextmanager
def _own_sandbox() -> Iterator[tuple[str, str]]:
    """Start `runsandbox` on a free port over a throw-away SQLite file; yield (api_url, token)."""
    workdir = tempfile.TemporaryDirectory(prefix="bench-client-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir.name}/sandbox.sqlite3",
        "SANDBOX_ENABLED": "true",
        "SANDBOX_DELIVERY_SECONDS": "0",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "sandbox", "-v", "0"], env=env, check=True, cwd=ROOT)
    token = subprocess.run(
        [*manage, "sandbox_account", "create", f"bench-{uuid.uuid4().hex[:8]}", "--credits", "100"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [*manage, "runsandbox", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.ConnectionError):
                requests.post(url, data={"Token": token, "Action": "CheckCredits"}, timeout=2)
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("runsandbox did not start")
            time.sleep(0.1)
        yield url, token
    finally:
        server.terminate()
        server.wait(10)
        workdir.cleanup()


def sandbox() -> contextlib.AbstractContextManager[tuple[str, str]]:
    """The shared bench helper when it exists, else this script's own runsandbox."""
    try:
        from bench import _common  # type: ignore[attr-defined]
    except ImportError:
        return _own_sandbox()
    for name in ("sandbox", "running_sandbox", "runsandbox", "sandbox_server"):
        helper = getattr(_common, name, None)
        if callable(helper):
            return helper()
    return _own_sandbox()


def timed(call: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 calls per path")
    parser.add_argument("--calls", type=int, default=2000, help="calls per path")
    args = parser.parse_args()
    calls = 300 if args.quick else args.calls

    with sandbox() as (url, token), Client(token, url, timeout=10) as client:
        [sent] = client.send(["447700900100"], "Bench", "Hello")
        message_id = sent.message_id
        session = requests.Session()
        data = {
            "Token": token,
            "Action": "CheckMessageStatus",
            "MessageID": message_id,
            "ShowErrorMessage": "1",
        }

        def bare() -> str:
            response = session.post(url, data=data, timeout=10)
            response.raise_for_status()
            return response.text

        def through_client() -> object:
            return client.check_message_status(message_id)

        assert bare() == str(through_client())
        timed(bare, 50), timed(through_client, 50)  # warm both connection pools
        bare_seconds = client_seconds = 0.0
        done = 0
        while done < calls:
            block = min(BLOCK, calls - done)
            bare_seconds += timed(bare, block)
            client_seconds += timed(through_client, block)
            done += block
        session.close()

    client_rate = calls / client_seconds
    bare_rate = calls / bare_seconds
    ratio = client_rate / bare_rate
    overhead_us = (client_seconds - bare_seconds) / calls * 1e6
    print(f"client:        {calls} calls, {client_rate:,.0f} calls/s")
    print(f"bare requests: {calls} calls, {bare_rate:,.0f} calls/s")
    print(f"ratio client/requests: {ratio:.3f} (target >= 0.90)")
    print(f"client overhead: {overhead_us:+.0f} microseconds per call")
    print(
        json.dumps(
            {
                "bench": "client_overhead",
                "calls": calls,
                "calls_per_s": round(client_rate, 1),
                "requests_calls_per_s": round(bare_rate, 1),
                "ratio_vs_requests": round(ratio, 3),
                "overhead_us_per_call": round(overhead_us),
            }
        )
    )


if __name__ == "__main__":
    main()
