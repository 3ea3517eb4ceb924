"""Single-recipient sends through the portal API, each with its own Idempotency-Key, under gunicorn
(2 sync workers, PostgreSQL, Redis), against a bare API view that does one INSERT and answers 201:
the ceiling for any request that stores something before answering. Both in the same run, taking
turns in `--rounds` rounds so that both see the same drift in the machine's speed.

Afterwards every send answered 201 must be exactly one broadcast with one message. Last line:
{"bench": "api_send", "requests": ..., "req_per_s": ..., "insert_only_req_per_s": ...,
 "ratio_vs_insert_only": ..., "p99_ms": ...}

    uv run python bench/api_send.py [--quick] [--seconds N] [--database-url URL]

The database is `<DATABASE_URL's name>_api_bench` on the same server (created and migrated); the
cache and broker are Redis databases 12 and 13 of `--redis` (emptied before and after; no worker
runs, so the dispatch tasks the sends queue stay in the broker and are thrown away).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from _common import free_port, manage  # noqa: E402
from _http import one, turns  # noqa: E402
from _portal import percentile  # noqa: E402
from inbound_endpoint import environment, flush_redis  # noqa: E402

SEND_PATH = "/api/v1/send/"
INSERT_ONLY_PATH = "/_insert_only/"
THREADS = 4


# -- the server side: gunicorn imports this module as bench.api_send:application -------------


def _application():  # noqa: ANN202
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    from django.conf import settings
    from django.http import JsonResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    import config.urls
    from accounts.models import AuditEvent

    @csrf_exempt
    def insert_only(request):  # noqa: ANN001, ANN202
        """One INSERT of a small row, then a JSON answer: nothing else."""
        event = AuditEvent.objects.create(action="bench", detail={"n": 1})
        return JsonResponse({"id": event.pk}, status=201)

    globals()["urlpatterns"] = [
        path(INSERT_ONLY_PATH.strip("/") + "/", insert_only),
        *config.urls.urlpatterns,
    ]
    settings.ROOT_URLCONF = __name__
    return app


if __name__ == "bench.api_send":  # imported by gunicorn
    application = _application()


# -- the driver --------------------------------------------------------------------------------


def send_request(target: str, key: str, number: int, sequence: int) -> bytes:
    """One single-recipient send (or the same bytes to the insert-only view), its own key."""
    ident = f"{os.getpid()}-{number}-{sequence}"
    to = f"+4477{(hash(ident) % 10**8):08d}"
    body = json.dumps({"to": [to], "text": "Your table is booked for 7pm."}).encode()
    head = (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Authorization: Bearer {key}\r\nIdempotency-Key: {ident}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def bench_database(url: str, suffix: str = "_api_bench") -> str:
    """`<name><suffix>` on the same server, made afresh."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def create_key(env: dict[str, str]) -> str:
    """A connected workspace with high limits, and an API key of its owner."""
    script = (
        "from accounts.models import *;"
        "u = User.objects.create_user('bench@example.com', 'x');"
        "ws = Workspace.objects.create(slug='bench', name='Bench');"
        "Membership.objects.create(workspace=ws, user=u, role='owner');"
        "GatewayConnection.objects.create(workspace=ws, token='t' * 20, balance=10**9);"
        "ApiLimits.objects.create(workspace=ws, requests_per_second=10**6,"
        " recipients_per_day=10**9);"
        "k, raw = ApiKey.issue(workspace=ws, name='bench', scopes=['send'], created_by=u);"
        "print(raw)"
    )
    return manage("shell", "-c", script, env=env).split()[-1]


def stored(env: dict[str, str]) -> tuple[int, int]:
    script = (
        "from django.db.models import Count;"
        "from messaging.models import Broadcast, Message;"
        "b = Broadcast.objects.annotate(n=Count('messages'));"
        "print(b.count(), b.exclude(n=1).count())"
    )
    total, odd = manage("shell", "-c", script, env=env).split()[-2:]
    return int(total), int(odd)


def wait_up(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            one(port, send_request(INSERT_ONLY_PATH, "x", 0, 0))
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 seconds per path")
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds per path")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    seconds = 5.0 if args.quick else args.seconds

    env = environment(bench_database(args.database_url), args.redis)
    flush_redis(args.redis)
    manage("migrate", "--verbosity", "0", env=env)
    key = create_key(env)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench.api_send:application",
        ],
        cwd=ROOT,
        env=env,
    )
    payloads = {
        "insert only": partial(send_request, INSERT_ONLY_PATH, key),
        "api send": partial(send_request, SEND_PATH, key),
    }
    try:
        wait_up(port)
        turns(port, payloads, 2.0, rounds=1, threads=args.threads)  # warm both workers on each
        warm_sent = stored(env)[0]
        latencies, statuses = turns(port, payloads, seconds, args.rounds, args.threads)
    finally:
        server.terminate()
        server.wait(20)
    total, odd = stored(env)
    flush_redis(args.redis)

    rate = {name: len(found) / seconds for name, found in latencies.items()}
    accepted = statuses["api send"].get(201, 0)
    ratio = rate["api send"] / rate["insert only"]
    p99 = percentile(latencies["api send"], 99) * 1000
    for name in payloads:
        print(
            f"{name:11} {rate[name]:8,.0f} req/s  p50 {percentile(latencies[name], 50) * 1000:.2f}"
            f" ms  p99 {percentile(latencies[name], 99) * 1000:.2f} ms  answers {statuses[name]}"
        )
    print(
        f"sends answered 201: {accepted}; broadcasts: {total - warm_sent}; not one message: {odd}"
    )
    print(f"ratio api send / insert only: {ratio:.3f} (target >= 0.5); p99 {p99:.1f} ms (< 100)")
    if total - warm_sent != accepted or odd:
        raise SystemExit("broadcasts do not match the 201 answers")
    print(
        json.dumps(
            {
                "bench": "api_send",
                "requests": len(latencies["api send"]),
                "req_per_s": round(rate["api send"], 1),
                "insert_only_req_per_s": round(rate["insert only"], 1),
                "ratio_vs_insert_only": round(ratio, 3),
                "p99_ms": round(p99, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
