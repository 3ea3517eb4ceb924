"""10,000 webhook events delivered by a real Celery worker (and beat, for the retries) to a local
receiver that fails 10% of first attempts (answers 503), on PostgreSQL and Redis.

The receiver counts the 2xx answers it gave per `webhook-id`. Afterwards: every event answered 2xx
once (lost = events never answered 2xx, delivered_twice = events answered 2xx more than once).
The first retry comes 5 s after a failure, so a run takes at least that long. Last line:
{"bench": "webhooks", "events": ..., "per_s": ..., "delivered_twice": ..., "lost": ...}

    uv run python bench/webhooks.py [--events N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _portal import Beat, Worker, fresh_database, setup_django

EVENT = "contact.opted_out"


class Receiver:
    def __init__(self, fail_rate: float) -> None:
        self.fail_rate = fail_rate
        self.seen: Counter[str] = Counter()  # attempts per webhook-id
        self.ok: Counter[str] = Counter()  # 2xx answers per webhook-id
        self.lock = threading.Lock()
        self.random = random.Random(7)
        box = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ident = self.headers["webhook-id"]
                with box.lock:
                    first = box.seen[ident] == 0
                    box.seen[ident] += 1
                    fail = first and box.random.random() < box.fail_rate
                    if not fail:
                        box.ok[ident] += 1
                status = 503 if fail else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2,000 events")
    parser.add_argument("--fail-rate", type=float, default=0.1)
    args = parser.parse_args()
    events = 2_000 if args.quick else args.events
    database_url = fresh_database("bench_webhooks")
    setup_django(database_url)

    from django.db import transaction

    from accounts.models import WebhookDelivery, WebhookEndpoint, Workspace
    from accounts.webhooks import webhooks_emit

    receiver = Receiver(args.fail_rate)
    workspace = Workspace.objects.create(slug="bench", name="Bench")
    endpoint = WebhookEndpoint.objects.create(workspace=workspace, url=receiver.url, events=[EVENT])
    env = {"WEBHOOKS_ALLOW_HTTP": "true", "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "true"}
    with Worker(database_url, concurrency=2, **env), Beat(database_url, **env):
        started = time.monotonic()
        for start in range(0, events, 500):  # the way a large send's status changes arrive
            with transaction.atomic():
                webhooks_emit(
                    workspace.pk,
                    EVENT,
                    [
                        ({"n": n}, f"contact-{n % 1000}")
                        for n in range(start, min(events, start + 500))
                    ],
                )
        deadline = started + 600
        pending = WebhookDelivery.objects.filter(endpoint=endpoint, state="pending")
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    ids = {d.webhook_id for d in WebhookDelivery.objects.filter(endpoint=endpoint)}
    lost = sum(1 for i in ids if receiver.ok[i] == 0)
    twice = sum(1 for i in ids if receiver.ok[i] > 1)
    retried = sum(1 for i in ids if receiver.seen[i] > 1)
    print(
        f"{events:,} events in {elapsed:.1f} s ({events / elapsed:,.0f}/s); "
        f"{retried:,} retried after a 503; lost {lost}; answered 2xx twice {twice}"
    )
    print(
        json.dumps(
            {
                "bench": "webhooks",
                "events": events,
                "per_s": round(events / elapsed, 1),
                "delivered_twice": twice,
                "lost": lost,
            }
        )
    )
    if lost or twice:
        raise SystemExit("webhook deliveries lost or repeated")


if __name__ == "__main__":
    main()
