"""Short-link redirects under gunicorn (2 sync workers, PostgreSQL, Redis) against a bare view that
answers a fixed 302, in the same run, taking turns in `--rounds` rounds. Then the recording side:
`--clicks` visits (1,000,000; 100,000 with --quick) pushed onto the Redis queue as the redirect
pushes them, drained into the database by `clicks_drain`, and counted: none may be lost.

Last line: {"bench": "short_links", "req_per_s": ..., "ratio_vs_bare": ..., "p99_ms": ...,
"clicks": ..., "clicks_lost": ..., "drain_per_s": ...}

    uv run python bench/short_links.py [--quick] [--seconds N] [--database-url URL]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from _common import free_port, manage  # noqa: E402
from _http import one, turns  # noqa: E402
from _portal import percentile  # noqa: E402
from api_send import bench_database  # noqa: E402
from inbound_endpoint import environment, flush_redis  # noqa: E402

BARE_PATH = "/_bare_redirect/"
THREADS = 4


def _application():  # noqa: ANN202
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    from django.conf import settings
    from django.http import HttpResponseRedirect
    from django.urls import path

    import config.urls

    def bare(request):  # noqa: ANN001, ANN202
        return HttpResponseRedirect("https://acme.example.com/offer")

    globals()["urlpatterns"] = [path(BARE_PATH.strip("/") + "/", bare), *config.urls.urlpatterns]
    settings.ROOT_URLCONF = __name__
    return app


if __name__ == "bench.short_links":  # imported by gunicorn
    application = _application()


def get_request(paths: list[str], number: int, sequence: int) -> bytes:
    target = paths[(number * 7919 + sequence) % len(paths)]
    return (
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "User-Agent: Mozilla/5.0 (iPhone; bench)\r\n\r\n"
    ).encode()


def make_links(env: dict[str, str], count: int) -> list[str]:
    """A tracked broadcast of `count` recipients: their short-link paths."""
    script = (
        "import uuid;"
        "from accounts.models import *;"
        "from messaging.models import TrackedLink;"
        "from messaging.services.compose import Draft, broadcast_create;"
        "u = User.objects.create_user('bench@example.com', 'x');"
        "ws = Workspace.objects.create(slug='bench', name='Bench');"
        f"nums = ['+447%06d500' % i for i in range({count})];"
        "b = broadcast_create(workspace=ws, user=u, idempotency_key=uuid.uuid4(),"
        " draft=Draft(body='Sale: https://acme.example.com/offer', source='Acme', numbers=nums,"
        " track_links=True));"
        "print(' '.join(TrackedLink.objects.filter(broadcast=b).values_list('code', flat=True)))"
    )
    return ["/l/" + code for code in manage("shell", "-c", script, env=env).split()[-count:]]


def record_clicks(env: dict[str, str], clicks: int) -> tuple[int, float]:
    """Push `clicks` visits onto the queue as the redirect does, drain them; (stored, seconds)."""
    script = (
        "import json, time;"
        "from messaging.models import LinkClick, TrackedLink;"
        "from messaging.services import links;"
        "LinkClick.objects.all().delete();"
        "ids = list(TrackedLink.objects.values_list('pk', flat=True));"
        "r = links._redis(); r.delete(links.QUEUE); now = time.time();"
        f"n = {clicks};"
        "pipe = r.pipeline();"
        "[pipe.rpush(links.QUEUE, json.dumps({'link': ids[i % len(ids)], 'at': now + i / 1000,"
        " 'visitor': 'v%d' % (i % 50000), 'agent': 'Mozilla/5.0', 'head': False}))"
        " for i in range(n)];"
        "pipe.execute();"
        "started = time.monotonic(); links.clicks_drain();"
        "print(LinkClick.objects.count(), time.monotonic() - started)"
    )
    stored, seconds = manage("shell", "-c", script, env=env).split()[-2:]
    return int(stored), float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 seconds per path, 100,000 clicks")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    seconds = 5.0 if args.quick else args.seconds
    clicks = 100_000 if args.quick else args.clicks

    env = environment(bench_database(args.database_url, "_links_bench"), args.redis)
    flush_redis(args.redis)
    manage("migrate", "--verbosity", "0", env=env)
    paths = make_links(env, 1000)
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
            "bench.short_links:application",
        ],
        cwd=ROOT,
        env=env,
    )
    payloads = {
        "bare 302": partial(get_request, [BARE_PATH]),
        "short link": partial(get_request, paths),
    }
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                one(port, get_request([BARE_PATH], 0, 0))
                break
            except OSError:
                time.sleep(0.1)
        turns(port, payloads, 2.0, rounds=1, threads=args.threads)
        latencies, statuses = turns(port, payloads, seconds, args.rounds, args.threads)
    finally:
        server.terminate()
        server.wait(20)
    stored, drain_seconds = record_clicks(env, clicks)
    flush_redis(args.redis)
    rate = {name: len(found) / seconds for name, found in latencies.items()}
    ratio = rate["short link"] / rate["bare 302"]
    p99 = percentile(latencies["short link"], 99) * 1000
    for name in payloads:
        print(
            f"{name:10} {rate[name]:8,.0f} req/s  p50 {percentile(latencies[name], 50) * 1000:.2f}"
            f" ms  p99 {percentile(latencies[name], 99) * 1000:.2f} ms  answers {statuses[name]}"
        )
    print(f"ratio short link / bare 302: {ratio:.3f} (target >= 0.7); p99 {p99:.1f} ms (< 20)")
    print(f"{clicks:,} clicks queued, {stored:,} stored in {drain_seconds:.1f} s")
    print(
        json.dumps(
            {
                "bench": "short_links",
                "req_per_s": round(rate["short link"], 1),
                "ratio_vs_bare": round(ratio, 3),
                "p99_ms": round(p99, 2),
                "clicks": clicks,
                "clicks_lost": clicks - stored,
                "drain_per_s": round(clicks / drain_seconds, 1),
            }
        )
    )
    if stored != clicks or set(statuses["short link"]) != {302}:
        raise SystemExit("clicks lost, or a redirect did not answer 302")


if __name__ == "__main__":
    main()
