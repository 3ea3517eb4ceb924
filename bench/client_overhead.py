"""What the textconnect client adds over the wire: CheckMessageStatus through the client and
through a bare `requests.Session`, against `runsandbox`, in the same run.

The two paths run in alternating blocks of 100 calls, each over its own keep-alive session, so drift
in the server's speed falls on both. Last line: one JSON object with the figures.

    uv run python bench/client_overhead.py [--quick] [--calls N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from _common import running_sandbox  # noqa: E402

from textconnect import Client  # noqa: E402

BLOCK = 100


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

    with (
        running_sandbox(delivery_seconds=0) as (url, token),
        Client(token, url, timeout=10) as client,
    ):
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
