"""The dashboard with a million messages in the workspace.

    python bench/dashboard.py [--messages N] [--quick]

Fills the workspace with broadcasts over the last 60 days, their messages (some needing a
decision), unread replies and imports, then renders the dashboard through Django's test client.
The baseline is the same page for a new, empty workspace in the same run. Last line:
{"bench": "dashboard", "messages": ..., "p50_ms": ..., "p95_ms": ..., "queries": ...,
"empty_p95_ms": ...}
"""

from __future__ import annotations

import argparse
import json
import time

from _portal import bench_database, page_timings, percentile, setup_django

ROUNDS = 100
BROADCASTS = 2_000


def fill(workspace_id: int, count: int) -> None:
    """Broadcasts spread over 60 days and `count` messages shared among them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO messaging_broadcast (public_id, workspace_id, kind, body, source,
                recipients_spec, gateway_target, personalised, validity_seconds, status,
                status_reason, encoding, parts, recipient_count, estimated_credits,
                sent_count, delivered_count, failed_count, skipped_count, cancelled_count,
                undeliverable_count, expired_count, pending_count, unknown_count, idempotency_key,
                bg_send_id, attempts, opt_out_exempt, is_reply, is_test, quiet_override_reason,
                rejection_reason, created_at, queued_at, schedule_at)
            SELECT gen_random_uuid(), %s, 'direct', 'Offer ' || b, 'Bench', '{}', '', false, 86400,
                (ARRAY['sent','sent','sent','partly_failed','scheduled'])[1 + b %% 5], '', 'GSM-7',
                1, %s, %s, %s, %s * 9 / 10, %s / 10, 0, 0, 0, 0, 0, 0, gen_random_uuid(), '', 0,
                false, false, false, '', '',
                now() - make_interval(hours => b * 60 * 24 / %s),
                now() - make_interval(hours => b * 60 * 24 / %s),
                CASE WHEN b %% 5 = 4 THEN now() + make_interval(hours => b) END
            FROM generate_series(1, %s) AS b
            """,
            [workspace_id] + [count // BROADCASTS] * 5 + [BROADCASTS, BROADCASTS, BROADCASTS],
        )
        cursor.execute(
            """
            INSERT INTO messaging_message (public_id, workspace_id, broadcast_id, destination, body,
                state, gateway_status, gateway_id, gateway_ids, error_text, queued_at, check_count)
            SELECT gen_random_uuid(), %s, b.id,
                '+447' || lpad((i %% 1000000)::text, 6, '0') || '500', '',
                (ARRAY['delivered','delivered','delivered','failed','unknown'])[1 + i %% 5],
                '', i::text, i::text, '', b.queued_at, 0
            FROM generate_series(1, %s) AS i
            JOIN messaging_broadcast b ON b.workspace_id = %s AND b.body = 'Offer ' || (1 + i %% %s)
            """,
            [workspace_id, count, workspace_id, BROADCASTS],
        )
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 messages")
    args = parser.parse_args()
    count = 100_000 if args.quick else args.messages
    setup_django(bench_database("bench_dashboard"))

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import workspace_create
    from contacts.models import ContactImport
    from inbound.models import InboundMessage
    from messaging.models import Message

    setup_test_environment()
    user = User.objects.create_user("bench@example.com", "x")
    workspace = workspace_create(name="Bench", owner=user)
    empty = workspace_create(name="Empty", owner=user)
    started = time.perf_counter()
    fill(workspace.pk, count)
    InboundMessage.objects.bulk_create(
        InboundMessage(
            workspace=workspace, dest="+447700900999", gateway_id=str(i),
            source="+447700900111", body="Yes", received_at=timezone.now(), is_read=i % 3 == 0,
        )
        for i in range(5_000)
    )  # fmt: skip
    ContactImport.objects.bulk_create(
        ContactImport(workspace=workspace, original_name=f"list-{i}.csv", state="done")
        for i in range(20)
    )
    stored = Message.objects.filter(workspace=workspace).count()
    print(f"{stored:,} messages inserted in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)
    timings = page_timings(client, [f"/w/{workspace.slug}/"], ROUNDS)
    baseline = page_timings(client, [f"/w/{empty.slug}/"], ROUNDS)
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/w/{workspace.slug}/")
    print(
        json.dumps(
            {
                "bench": "dashboard",
                "messages": stored,
                "p50_ms": round(percentile(timings, 50), 1),
                "p95_ms": round(percentile(timings, 95), 1),
                "queries": len(queries),
                "empty_p95_ms": round(percentile(baseline, 95), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
