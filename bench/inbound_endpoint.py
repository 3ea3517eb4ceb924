"""The forwarding endpoint under gunicorn (2 sync workers, PostgreSQL, Redis) against a bare
Django view that answers 200 without touching the database, in the same run.

A second process drives the server on loopback with a few threads, one new connection per request
(gunicorn's sync workers close each connection), for `--seconds` per path after a second's warm-up
on each. The paths take turns in `--rounds` rounds, so that all of them see the same drift in the
machine's speed: the bare view; the endpoint, every request a new text with its own id; and the
bare view plus the endpoint's one insert and nothing else (no parameters, no auth, no counting),
which is the ceiling for any endpoint that stores the text before it answers. Afterwards every
text answered 200 must be in the database exactly once. Last line: one JSON object with the
figures.

    uv run python bench/inbound_endpoint.py [--quick] [--seconds N] [--database-url URL]

The database is `<DATABASE_URL's name>_inbound_bench` on the same server (created and migrated);
the cache and broker are Redis databases 12 and 13 of `--redis` (emptied before and after).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from _common import free_port, manage  # noqa: E402
from _portal import bench_database, percentile  # noqa: E402

BARE_PATH = "/_bare/"
INSERT_ONLY_PATH = "/_insert_only/"
INSERT_ONLY_PREFIX = "insert-only-"
THREADS = 4


# -- the server side: gunicorn imports this module as bench.inbound_endpoint:application ------


def _application():  # noqa: ANN202
    """The portal's WSGI app with one more route, the bare view."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    import config.urls

    @csrf_exempt
    def bare(request):  # noqa: ANN001, ANN202
        return HttpResponse("OK\n", content_type="text/plain; charset=utf-8")

    from django.db import connection
    from django.utils import timezone

    from inbound.services.insert import insert_once

    sequence = iter(range(1, 10**9))

    @csrf_exempt
    def insert_only(request):  # noqa: ANN001, ANN202
        """The endpoint's insert of a fixed text, and nothing else."""
        fields = {
            "workspace_id": int(request.GET["workspace"]),
            "vmn_id": int(request.GET["vmn"]),
            "gateway_id": f"{INSERT_ONLY_PREFIX}{os.getpid()}-{next(sequence)}",
            "source": "+447700900123",
            "dest": "+447700900500",
            "body": "Bench text: is the shop open on Sunday?",
            "received_at": timezone.now(),
            "raw": {"msg": "Bench text: is the shop open on Sunday?"},
        }
        insert_once(fields, connection)
        return HttpResponse("OK\n", content_type="text/plain; charset=utf-8")

    globals()["urlpatterns"] = [
        path(BARE_PATH.strip("/") + "/", bare),
        path(INSERT_ONLY_PATH.strip("/") + "/", insert_only),
        *config.urls.urlpatterns,
    ]
    settings.ROOT_URLCONF = __name__
    return app


if __name__ == "bench.inbound_endpoint":  # imported by gunicorn (not run, not the driver)
    application = _application()


# -- the driver: a second process ----------------------------------------------------------


def _request(port: int, method: str, target: str, body: bytes) -> bytes:
    head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if body:
        head += (
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        )
    return (head + "\r\n").encode() + body


def _one(port: int, payload: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(payload)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    status_line = b"".join(chunks).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


def _drive(  # noqa: PLR0913
    port: int,
    target: str,
    form: dict[str, str] | None,
    seconds: float,
    threads: int,
    queue,  # noqa: ANN001
) -> None:
    """Run `threads` client threads for `seconds`; put (latencies, statuses) on the queue."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(number: int) -> None:
        mine: list[float] = []
        codes: dict[int, int] = {}
        sequence = 0
        while time.perf_counter() < deadline:
            sequence += 1
            if form is None:
                payload = _request(port, "GET", target, b"")
            else:
                body = urlencode({**form, "id": f"{os.getpid()}-{number}-{sequence}"}).encode()
                payload = _request(port, "POST", target, body)
            started = time.perf_counter()
            status = _one(port, payload)
            mine.append(time.perf_counter() - started)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put((latencies, statuses))


def drive(
    port: int, target: str, form: dict[str, str] | None, seconds: float, threads: int = THREADS
) -> tuple[list[float], dict[int, int]]:
    """Latencies and answers of one stretch of `seconds` on one path, from a second process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_drive, args=(port, target, form, seconds, threads, queue))
    process.start()
    latencies, statuses = queue.get(timeout=seconds + 120)
    process.join()
    return latencies, statuses


def figures(stretches: list[tuple[list[float], dict[int, int]]], seconds: float) -> dict:
    """One path's figures over all its stretches (`seconds` in all)."""
    latencies = [t for stretch, _ in stretches for t in stretch]
    statuses: dict[int, int] = {}
    for _, answers in stretches:
        for code, count in answers.items():
            statuses[code] = statuses.get(code, 0) + count
    return {
        "requests": len(latencies),
        "req_per_s": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "statuses": statuses,
    }


def measure(
    port: int,
    paths: dict[str, tuple[str, dict[str, str] | None]],
    seconds: float,
    rounds: int,
    threads: int = THREADS,
) -> tuple[dict[str, dict], dict[str, list[float]]]:
    """Each path for `seconds` in all, in `rounds` rounds that take the paths in turn.

    The machine's speed drifts (other work on its two cores); taking the paths in turn, a few
    seconds each, lets every path see the same drift, so their ratio holds still from run to run.
    Returns the figures per path and the ratio of each round's rates to the first path's.
    """
    stretches: dict[str, list] = {name: [] for name in paths}
    rounds_ratios: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        rates = {}
        for name, (target, form) in paths.items():
            stretch = drive(port, target, form, seconds / rounds, threads)
            stretches[name].append(stretch)
            rates[name] = len(stretch[0])
        first = rates[next(iter(paths))]
        for name, rate in rates.items():
            rounds_ratios[name].append(rate / first)
    return {name: figures(found, seconds) for name, found in stretches.items()}, rounds_ratios


# -- set-up ---------------------------------------------------------------------------------


# Fixed, so that the VMN written by an earlier run still decrypts; the database is the bench's own.
BENCH_FERNET_KEY = "YmVuY2gtaW5ib3VuZC1lbmRwb2ludC1rZXktMzItYnk="


def environment(database_url: str, redis: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-inbound-endpoint-not-a-production-secret",
        "FIELD_ENCRYPTION_KEYS": BENCH_FERNET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": "consolemail://",
        "SANDBOX_ENABLED": "false",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "600",
        "REDIS_URL": f"{redis}/12",
        "CELERY_BROKER_URL": f"{redis}/13",
        "INBOUND_RATE_PER_MINUTE": str(10**9),
        "LOG_LEVEL": "WARNING",
    }


def flush_redis(redis: str) -> None:
    import redis as redis_lib

    for db in (12, 13):
        redis_lib.Redis.from_url(f"{redis}/{db}").flushdb()


def create_vmn(env: dict[str, str]) -> tuple[str, str, int, int]:
    """A workspace and its VMN in the bench database: (key, auth, workspace id, VMN id)."""
    script = (
        "from accounts.models import Workspace;"
        "from inbound.models import InboundMessage, VirtualNumber;"
        "ws, _ = Workspace.objects.get_or_create(slug='bench', defaults={'name': 'Bench'});"
        "InboundMessage.objects.filter(workspace=ws).delete();"
        "v, _ = VirtualNumber.objects.get_or_create(workspace=ws, number='+447700900500');"
        "print(v.key, v.auth, ws.pk, v.pk)"
    )
    key, auth, workspace_id, vmn_id = manage("shell", "-c", script, env=env).split()[-4:]
    return key, auth, int(workspace_id), int(vmn_id)


def stored_count(env: dict[str, str], workspace_id: int) -> tuple[int, int]:
    script = (
        "from django.db.models import Count;"
        "from inbound.models import InboundMessage as M;"
        f"q = M.objects.filter(workspace_id={workspace_id})"
        f".exclude(gateway_id__startswith='{INSERT_ONLY_PREFIX}');"
        "print(q.count(), q.values('gateway_id').annotate(n=Count('id')).filter(n__gt=1).count())"
    )
    total, doubled = manage("shell", "-c", script, env=env).split()[-2:]
    return int(total), int(doubled)


def wait_up(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if _one(port, _request(port, "GET", BARE_PATH, b"")) == 200:
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
    parser.add_argument("--threads", type=int, default=THREADS, help="client threads")
    parser.add_argument("--rounds", type=int, default=6, help="rounds taking the paths in turn")
    args = parser.parse_args()
    seconds = 5.0 if args.quick else args.seconds

    env = environment(
        bench_database("inbound_bench", base_url=args.database_url, fresh=False), args.redis
    )
    flush_redis(args.redis)
    manage("migrate", "--verbosity", "0", env=env)
    key, auth, workspace_id, vmn_id = create_vmn(env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "bench.inbound_endpoint:application"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    form = {
        "source": "447700900123",
        "dest": "447700900500",
        "msg": "Bench text: is the shop open on Sunday?",
        "receivedts": "2026-11-24 10:15:00",
        "auth": auth,
    }
    endpoint_path = f"/inbound/{key}/"
    insert_only_path = f"{INSERT_ONLY_PATH}?workspace={workspace_id}&vmn={vmn_id}"
    paths = {
        "bare view": (BARE_PATH, None),
        "endpoint": (endpoint_path, form),
        "insert only": (insert_only_path, None),
    }
    try:
        wait_up(port)
        # Warm both workers on each path: the first requests import and connect.
        warm, _ = measure(port, paths, 1.0, rounds=1)
        found, round_ratios = measure(port, paths, seconds, args.rounds, args.threads)
    finally:
        server.terminate()
        server.wait(20)
    total, doubled = stored_count(env, workspace_id)
    flush_redis(args.redis)

    bare, endpoint, insert_only = found["bare view"], found["endpoint"], found["insert only"]
    ok = endpoint["statuses"].get(200, 0) + warm["endpoint"]["statuses"].get(200, 0)
    ratio = endpoint["req_per_s"] / bare["req_per_s"]
    ceiling = insert_only["req_per_s"] / bare["req_per_s"]
    for name, path in found.items():
        spread = ", ".join(f"{r:.2f}" for r in round_ratios[name])
        print(
            f"{name:11} {path['req_per_s']:8,.0f} req/s  p50 {path['p50_ms']:.2f} ms  "
            f"p99 {path['p99_ms']:.2f} ms  answers {path['statuses']}  per round vs bare: {spread}"
        )
    print(f"texts answered 200: {ok}; stored: {total}; stored twice: {doubled}")
    print(f"ratio endpoint/bare: {ratio:.3f} (target >= 0.60); p99 target < 50 ms")
    print(f"ratio insert only/bare: {ceiling:.3f} (the ceiling for storing before answering)")
    if total != ok or doubled:
        raise SystemExit("stored texts do not match the 200 answers")
    print(
        json.dumps(
            {
                "bench": "inbound_endpoint",
                "seconds": seconds,
                "rounds": args.rounds,
                "requests": endpoint["requests"],
                "req_per_s": round(endpoint["req_per_s"], 1),
                "p50_ms": round(endpoint["p50_ms"], 2),
                "p99_ms": round(endpoint["p99_ms"], 2),
                "bare_req_per_s": round(bare["req_per_s"], 1),
                "bare_p50_ms": round(bare["p50_ms"], 2),
                "bare_p99_ms": round(bare["p99_ms"], 2),
                "ratio_vs_bare": round(ratio, 3),
                "insert_only_req_per_s": round(insert_only["req_per_s"], 1),
                "insert_only_ratio_vs_bare": round(ceiling, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
