"""A large send through the real worker to `runsandbox`, against bare `requests` posting the same
batches straight to the sandbox, in the same run.

    python bench/bulk_send.py [--recipients N] [--quick] [--faults 500:0.2]

Measures recipients per second from the confirmation (the "Send now" click) until every recipient
is submitted. Last line: {"bench": "bulk_send", "recipients": ..., "recipients_per_s": ...,
"ratio_vs_raw": ...}

With `--faults 500:RATE`, also sends 2,000 recipients in batches of 50 twice, with a worker and
beat: once to a fault-free sandbox and once to one that answers RATE of its calls with HTTP 500. It
reports how long every recipient whose call was answered took against the fault-free run
(`faulty_ratio_vs_fault_free`: the batches in doubt must not hold the others up), and how long the
rows in doubt took to settle (the reconciler's horizon is set to 20 s for the bench).
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

import requests
from _common import running_sandbox
from _portal import Beat, Worker, allow_gateway, bench_database, numbers, setup_django

BATCH = 500
FAULT_RECIPIENTS, FAULT_BATCH, FAULT_HORIZON = 2_000, 50, 20


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


def timed_send(workspace, user, destinations: list[str]) -> dict[str, float]:  # noqa: ANN001
    """Confirm a send; seconds until every row not in doubt is submitted, and until all are."""
    from messaging.models import Message
    from messaging.services.compose import Draft, broadcast_confirm, broadcast_create

    draft = Draft(body="Hello", source="Bench", numbers=destinations)
    broadcast = broadcast_create(
        workspace=workspace, user=user, draft=draft, idempotency_key=uuid.uuid4()
    )
    started = time.perf_counter()
    broadcast_confirm(broadcast=broadcast, user=user)
    rows = Message.objects.filter(broadcast=broadcast)
    while (
        rows.filter(state="queued").exists()
        or rows.filter(state="submitting", doubt_at__isnull=True).exists()
    ):
        time.sleep(0.1)
    others = time.perf_counter() - started
    in_doubt = rows.filter(state="submitting").count()
    deadline = time.monotonic() + 600
    while rows.filter(state__in=["queued", "submitting"]).exists():
        if time.monotonic() > deadline:
            raise RuntimeError("rows in doubt were not settled within 10 minutes")
        time.sleep(0.2)
    return {"others_s": others, "all_s": time.perf_counter() - started, "in_doubt": in_doubt}


def fault_comparison(database_url: str, rate: float) -> dict[str, float]:
    """The same send to a fault-free and to a faulty sandbox, with a worker and beat."""
    from accounts.models import GatewayConnection, User
    from accounts.services import workspace_create

    timing = {"MESSAGING_BATCH_SIZE": str(FAULT_BATCH),
              "MESSAGING_RECONCILE_HORIZON_SECONDS": str(FAULT_HORIZON)}  # fmt: skip
    results = {}
    for label, faults in (("fault_free", None), ("faulty", {"http_500_rate": rate})):
        with running_sandbox(delivery_seconds=60, faults=faults, username=label) as (url, token):
            allow_gateway(url)  # before the worker and beat start, so that they allow it too
            beat = Beat(database_url, MESSAGING_RECONCILE_SECONDS="2", **timing)
            with Worker(database_url, **timing), beat:
                user = User.objects.create_user(f"{label}@example.com", "x")
                workspace = workspace_create(name=label, owner=user)
                GatewayConnection.objects.create(workspace=workspace, token=token, api_url=url)
                recipients = numbers(FAULT_RECIPIENTS, start=900_000)
                results[label] = timed_send(workspace, user, recipients)
    free, faulty = results["fault_free"], results["faulty"]
    print(
        f"{FAULT_RECIPIENTS} recipients in batches of {FAULT_BATCH}: "
        f"fault-free {free['all_s']:.1f} s; with {rate:.0%} HTTP 500s every answered recipient "
        f"in {faulty['others_s']:.1f} s, "
        f"{faulty['in_doubt']:.0f} in doubt settled after {faulty['all_s']:.1f} s "
        f"(horizon {FAULT_HORIZON} s)"
    )
    return {
        "fault_free_s": round(free["all_s"], 1),
        "faulty_answered_s": round(faulty["others_s"], 1),
        "faulty_ratio_vs_fault_free": round(faulty["others_s"] / free["all_s"], 2),
        "faulty_in_doubt": int(faulty["in_doubt"]),
        "faulty_all_settled_s": round(faulty["all_s"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="5,000 recipients")
    parser.add_argument("--faults", help="also measure against a faulty gateway, e.g. 500:0.2")
    args = parser.parse_args()
    count = 5_000 if args.quick else args.recipients
    database_url = bench_database("bench_bulk_send")
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
    figures = {
        "bench": "bulk_send",
        "recipients": count,
        "seconds": round(seconds, 1),
        "recipients_per_s": round(rate),
        "raw_per_s": round(baseline),
        "ratio_vs_raw": round(rate / baseline, 2),
        "write_rows_s": round(write_seconds, 1),
    }
    if args.faults:
        kind, _, fault_rate = args.faults.partition(":")
        if kind != "500":
            parser.error("--faults takes 500:RATE, e.g. 500:0.2")
        figures.update(fault_comparison(database_url, float(fault_rate)))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
