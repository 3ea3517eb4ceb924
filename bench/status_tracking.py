"""Status tracking for many messages, brought to a final state against `runsandbox`.

    python bench/status_tracking.py [--messages N] [--quick]

Sends N messages (not timed), then runs the tracking sweep as beat would until every message is
final, counting gateway calls. The baseline is asking CheckMessageStatus once per message, the
least a per-message tracker can spend (1.0 call per message). Last line: {"bench":
"status_tracking", "messages": ..., "calls_per_final": ..., "ratio_vs_per_message": ...}
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

from _common import running_sandbox
from _portal import allow_gateway, bench_database, numbers, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 messages")
    args = parser.parse_args()
    count = 10_000 if args.quick else args.messages
    setup_django(bench_database("bench_status_tracking"))

    from django.utils import timezone

    from accounts.models import GatewayConnection, User
    from accounts.services import workspace_create
    from messaging.models import Broadcast, GatewayCallCount, Message
    from messaging.services import dispatch, tracking
    from messaging.services.compose import Draft, broadcast_create

    with running_sandbox(delivery_seconds=5) as (api_url, token):
        user = User.objects.create_user("bench@example.com", "x")
        workspace = workspace_create(name="Bench", owner=user)
        allow_gateway(api_url)
        GatewayConnection.objects.create(workspace=workspace, token=token, api_url=api_url)
        broadcast = broadcast_create(
            workspace=workspace,
            user=user,
            idempotency_key=uuid.uuid4(),
            draft=Draft(body="Hello", source="Bench", numbers=numbers(count)),
        )
        Broadcast.objects.filter(pk=broadcast.pk).update(status="queued")
        dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
        started = time.perf_counter()
        sweeps = 0
        while Message.objects.filter(broadcast=broadcast, state="submitted").exists():
            tracking.track_all(now=timezone.now())
            sweeps += 1
            time.sleep(1)
            if time.perf_counter() - started > 600:
                raise RuntimeError("messages did not reach a final state in 10 minutes")
    stats = GatewayCallCount.objects.get(workspace=workspace)
    calls = stats.report_calls + stats.status_calls
    print(
        f"{stats.finals:,} final after {sweeps} sweeps in {time.perf_counter() - started:.0f} s: "
        f"{stats.report_calls} report calls, {stats.status_calls} status calls"
    )
    per_final = calls / stats.finals
    print(
        json.dumps(
            {
                "bench": "status_tracking",
                "messages": count,
                "finals": stats.finals,
                "gateway_calls": calls,
                "calls_per_final": round(per_final, 5),
                "ratio_vs_per_message": round(per_final / 1.0, 5),
            }
        )
    )


if __name__ == "__main__":
    main()
