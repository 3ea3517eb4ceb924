"""Bench helpers for the portal: a bench's own PostgreSQL database, Django set up on it, a Celery
worker and beat.

Every bench's database is `<DATABASE_URL's database>_<name>` on DATABASE_URL's server (default
`postgres://postgres@127.0.0.1:5432/test`, as `make bench` sets it), created anew for each run
(`DROP DATABASE IF EXISTS` first), so a bench never touches the development or test databases and
two people pointing DATABASE_URL at their own databases never share one. The broker is
BENCH_REDIS_URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from config.queues import ALL_QUEUES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


def bench_database(name: str, *, base_url: str | None = None, fresh: bool = True) -> str:
    """The URL of `<base database>_<name>` beside `base_url` (DATABASE_URL): dropped and created
    anew when `fresh`, else created when missing."""
    base = urlsplit(base_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    if not base.scheme.startswith("postgres"):
        sys.exit("the benches need PostgreSQL: set DATABASE_URL")
    database = f"{base.path.lstrip('/')}_{name}"
    with psycopg.connect(urlunsplit(base._replace(path="/postgres")), autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{database}"')
    return urlunsplit(base._replace(path=f"/{database}"))


def drop_database(url: str) -> None:
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def setup_django(database_url: str) -> None:
    """Point this process's Django at the database, migrate it, and set up."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["CELERY_BROKER_URL"] = REDIS
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SANDBOX_ENABLED", "false")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def allow_gateway(api_url: str) -> None:
    """Put the bench's sandbox on the operator's list of gateway URLs, for this process and the
    workers it starts afterwards (the portal sends tokens only to listed URLs)."""
    from django.conf import settings

    os.environ["TEXTCONNECT_ALLOWED_API_URLS"] = api_url
    settings.TEXTCONNECT_ALLOWED_API_URLS = [api_url]


class Worker:
    """A Celery worker subprocess on the bench database and broker."""

    def __init__(self, database_url: str, concurrency: int = 2, **env: str) -> None:
        self.env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": REDIS, **env}
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Worker:
        from config.celery import app

        app.control.purge()
        node = f"bench-{os.getpid()}@localhost"
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-n", node,
             "-Q", ",".join(ALL_QUEUES),
             "--concurrency", str(self.concurrency), "-l", "warning",
             "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(destination=[node], timeout=0.5):
                return self
        raise RuntimeError("the bench worker did not start")

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:  # a task still calling a gateway that has gone
            self.process.kill()
            self.process.wait()


class Beat:
    """`celery beat` as a subprocess on the bench database and broker (schedule file in a temporary
    folder)."""

    def __init__(self, database_url: str, **env: str) -> None:
        self.env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": REDIS, **env}
        self.process: subprocess.Popen | None = None
        self.folder = tempfile.TemporaryDirectory(prefix="bench-beat-")

    def __enter__(self) -> Beat:
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "warning",
             "-s", f"{self.folder.name}/schedule", "--pidfile", ""],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(30)
        self.folder.cleanup()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def page_timings(client, urls: list[str], rounds: int) -> list[float]:  # noqa: ANN001
    """Milliseconds per GET of each URL, `rounds` times over, after one checked warm-up each."""
    for url in urls:
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def numbers(count: int, start: int = 0) -> list[str]:
    """Distinct UK mobiles that the sandbox delivers (they end in 500)."""
    return [f"+447{i:06d}500" for i in range(start, start + count)]
