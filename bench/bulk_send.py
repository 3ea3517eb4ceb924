"""A large send through the real worker to `runsandbox`, against bare `requests` posting the same
batches straight to the sandbox, in the same run.

    python bench/bulk_send.py [--recipients N] [--quick]

Measures recipients per second from the confirmation (the "Send now" click) until every recipient
is submitted. Last line: {"bench": "bulk_send", "recipients": ..., "recipients_per_s": ...,
"ratio_vs_raw": ...}
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

import requests
from _common import running_sandbox
from _portal import Worker, allow_gateway, fresh_database, numbers, setup_django

BATCH = 500


def raw_rate(api_url: str, token: str, destinations: list[str]) -> float:
    """The physical limit here: the same batches POSTed by a bare requests loop."""
    session = requests.Session()
    started = time.perf_counter()
    for start in range(0, len(destinations), BATCH):
        batch = ",".join(d.lstrip("+") for d in destinations[start : start + BATCH])
        answer = session.post(
            api_url,
            data={
                "Token": token,
                "Action": "Send",
                "SourceAddress": "Bench",
                "Body": "Hello",
                "DestinationAddress": batch,
            },
            timeout=120,
        )
        answer.raise_for_status()
    return len(destinations) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="5,000 recipients")
    args = parser.parse_args()
    count = 5_000 if args.quick else args.recipients
    database_url = fresh_database("bench_bulk_send")
    setup_django(database_url)

    from accounts.models import GatewayConnection, User
    from accounts.services import workspace_create
    from messaging.models import Message
    from messaging.services.compose import Draft, broadcast_confirm, broadcast_create

    with running_sandbox(delivery_seconds=60) as (api_url, token):
        baseline = raw_rate(api_url, token, numbers(count, start=500_000))
        user = User.objects.create_user("bench@example.com", "x")
        workspace = workspace_create(name="Bench", owner=user)
        allow_gateway(api_url)
        GatewayConnection.objects.create(workspace=workspace, token=token, api_url=api_url)
        with Worker(database_url, MESSAGING_BATCH_SIZE=str(BATCH)):
            draft = Draft(body="Hello", source="Bench", numbers=numbers(count))
            written = time.perf_counter()
            broadcast = broadcast_create(
                workspace=workspace, user=user, draft=draft, idempotency_key=uuid.uuid4()
            )
            write_seconds = time.perf_counter() - written
            started = time.perf_counter()
            broadcast_confirm(broadcast=broadcast, user=user)
            pending = Message.objects.filter(
                broadcast=broadcast, state__in=["queued", "submitting"]
            )
            while pending.exists():
                time.sleep(0.1)
            seconds = time.perf_counter() - started
    rate = count / seconds
    print(f"rows written in {write_seconds:.1f} s; sent in {seconds:.1f} s; raw {baseline:.0f}/s")
    print(
        json.dumps(
            {
                "bench": "bulk_send",
                "recipients": count,
                "seconds": round(seconds, 1),
                "recipients_per_s": round(rate),
                "raw_per_s": round(baseline),
                "ratio_vs_raw": round(rate / baseline, 2),
                "write_rows_s": round(write_seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
