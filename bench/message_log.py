"""The message log page with a million messages in the workspace.

    python bench/message_log.py [--messages N] [--quick]

Renders the log (first page, a later page, filtered by status, by number) through Django's test
client and reports the median and p95 render time and the SQL queries per page; the baseline is
the page's own SELECT run bare in the same run. Last line: {"bench": "message_log", "messages": ...,
"p50_ms": ..., "p95_ms": ..., "queries": ..., "ratio_vs_query": ...}
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

from _portal import bench_database, page_timings, percentile, setup_django

ROUNDS = 50


def fill(workspace_id: int, broadcast_id: int, count: int) -> None:
    """Insert `count` messages with generate_series (states spread as in real life)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO messaging_message (public_id, workspace_id, broadcast_id, destination, body,
                state, gateway_status, gateway_id, gateway_ids, error_text, queued_at, check_count)
            SELECT gen_random_uuid(), %s, %s, '+447' || lpad((i %% 1000000)::text, 6, '0') || '500',
                '', (ARRAY['delivered','delivered','delivered','failed','submitted'])[1 + i %% 5],
                (ARRAY['Delivered','Delivered','Delivered','Undeliverable','Sent'])[1 + i %% 5],
                i::text, i::text, '', now() - make_interval(secs => %s - i), 0
            FROM generate_series(1, %s) AS i
            """,
            [workspace_id, broadcast_id, count, count],
        )
        cursor.execute("ANALYZE messaging_message")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 messages")
    args = parser.parse_args()
    count = 100_000 if args.quick else args.messages
    setup_django(bench_database("bench_message_log"))

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from accounts.models import User
    from accounts.services import workspace_create
    from messaging.models import Broadcast, Message

    setup_test_environment()
    user = User.objects.create_user("bench@example.com", "x")
    workspace = workspace_create(name="Bench", owner=user)
    broadcast = Broadcast.objects.create(
        workspace=workspace,
        body="Your order has shipped.",
        source="Bench",
        status="sent",
        idempotency_key=uuid.uuid4(),
    )
    started = time.perf_counter()
    fill(workspace.pk, broadcast.pk, count)
    print(f"{count:,} messages inserted in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)
    base = f"/w/{workspace.slug}/messages/"
    first = client.get(base)
    cursor = first.context["page"].next_cursor
    urls = [
        base,
        f"{base}?cursor={cursor}",
        f"{base}?state=failed",
        f"{base}?destination=07000123500",
    ]
    timings = page_timings(client, urls, ROUNDS)
    with CaptureQueriesContext(connection) as queries:
        client.get(base)
    page_sql = (
        Message.objects.filter(workspace=workspace).select_related("broadcast").order_by("-id")[:51]
    )
    bare = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        list(page_sql.all())
        bare.append((time.perf_counter() - t) * 1000)
    p50, p95 = percentile(timings, 50), percentile(timings, 95)
    print(
        json.dumps(
            {
                "bench": "message_log",
                "messages": count,
                "p50_ms": round(p50, 1),
                "p95_ms": round(p95, 1),
                "queries": len(queries),
                "query_p50_ms": round(percentile(bare, 50), 2),
                "ratio_vs_query": round(percentile(bare, 50) / p50, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
