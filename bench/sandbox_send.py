"""How fast the sandbox takes Send calls, against a bare Django view on the same server.

Runs `manage.py runsandbox` (see `_common.py`), then measures one POST of 1,000 destinations and
1,000 single sends over a kept-alive session; the same requests go to `/_bare`, a view that
returns a constant, as the baseline. Last line: one JSON object.

    uv run python bench/sandbox_send.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import running_sandbox  # noqa: E402


def numbers(count: int, start: int) -> list[str]:
    """Distinct UK numbers that are all delivered (none ends 000-003, 008 or 009)."""
    return [f"4477{start + i:06d}5" for i in range(count)]


def timed_batch(session: requests.Session, url: str, data: dict[str, str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        response = session.post(url, data=data, timeout=120)
        best = min(best, time.perf_counter() - started)
        response.raise_for_status()
    return best


def timed_singles(session: requests.Session, url: str, payloads: list[dict[str, str]]) -> float:
    started = time.perf_counter()
    for data in payloads:
        session.post(url, data=data, timeout=30).raise_for_status()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer single sends and rounds")
    parser.add_argument(
        "--database-url", help="an existing database to migrate and use instead of a temp SQLite"
    )
    args = parser.parse_args()
    batch_size, singles, rounds = (1000, 300, 1) if args.quick else (1000, 1000, 3)

    with (
        running_sandbox(database_url=args.database_url) as (api_url, token),
        requests.Session() as session,
    ):
        bare_url = api_url.removesuffix("/api") + "/_bare"
        base = {"Token": token, "Action": "Send", "SourceAddress": "Bench", "Body": "Hello"}
        session.post(
            api_url, data={**base, "DestinationAddress": "447700100005"}
        ).raise_for_status()

        batches = [numbers(batch_size, 100_000 * (r + 1)) for r in range(rounds)]
        best_batch = float("inf")
        for destinations in batches:
            data = {**base, "DestinationAddress": ",".join(destinations)}
            started = time.perf_counter()
            answer = session.post(api_url, data=data, timeout=120)
            best_batch = min(best_batch, time.perf_counter() - started)
            ids = answer.text.split(",")
            assert len(ids) == batch_size and all(i.isdigit() for i in ids), answer.text[:200]
        bare_batch = timed_batch(
            session, bare_url, {**base, "DestinationAddress": ",".join(batches[0])}, rounds
        )

        payloads = [{**base, "DestinationAddress": n} for n in numbers(singles, 900_000)]
        single_seconds = timed_singles(session, api_url, payloads)
        bare_single_seconds = timed_singles(session, bare_url, payloads)

    result = {
        "bench": "sandbox_send",
        "quick": args.quick,
        "batch_destinations": batch_size,
        "single_sends": singles,
        "msgs_per_s_batch": round(batch_size / best_batch, 1),
        "msgs_per_s_single": round(singles / single_seconds, 1),
        "bare_calls_per_s": round(singles / bare_single_seconds, 1),
        "ratio_vs_bare": round(bare_single_seconds / single_seconds, 3),
        "ratio_vs_bare_batch": round(bare_batch / best_batch, 3),
    }
    print(
        f"batch: {batch_size} destinations in {best_batch:.3f} s "
        f"(bare view {bare_batch:.3f} s); singles: {singles} in {single_seconds:.2f} s "
        f"(bare view {bare_single_seconds:.2f} s)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
