"""The embedded default (`make run`) on SQLite: an import and a send at the same moment, with a real
Celery worker (two processes, as `make run` starts it), the sandbox answering in the web server and
the web server taking writes. Before SQLite was set up for this (WAL, a busy timeout, IMMEDIATE
transactions), pages answered 500 "database is locked" and dispatch tasks failed.

Everything runs in subprocesses on a throw-away SQLite file; the test reads the file directly.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from config.celery import app as celery_app

pytestmark = pytest.mark.worker

BASE_DIR = Path(__file__).resolve().parents[2]
CONTACTS = 20_000
RECIPIENTS = 300

SETUP = """
import uuid
from django.core.files.uploadedfile import SimpleUploadedFile
from accounts.models import GatewayConnection, User
from accounts.services import workspace_create
from contacts.services import importing
from messaging.services.compose import Draft, broadcast_confirm, broadcast_create

user = User.objects.create_user("ann@example.com", "a-long-test-password-42")
workspace = workspace_create(name="Acme", owner=user)
GatewayConnection.objects.create(workspace=workspace, token="{token}")
rows = "".join(f"Person {{n}},+4477009{{n:05d}}\\n" for n in range({contacts}))
upload = SimpleUploadedFile("people.csv", rows.encode(), content_type="text/csv")
job = importing.import_upload(workspace=workspace, user=user, uploaded=upload)
numbers = [f"+4477008{{n:05d}}" for n in range(100, 100 + {recipients})]  # no 008/009 endings
broadcast = broadcast_create(
    workspace=workspace, user=user, idempotency_key=uuid.uuid4(),
    draft=Draft(body="Hello", source="Acme", numbers=numbers),
)
# Both queued at once: the import and the send start together in the worker.
importing.import_start(
    contact_import=job, mapping=["name", "number"], policy="refuse", has_header=False, header=[]
)
broadcast_confirm(broadcast=broadcast, user=user)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded(tmp_path):  # noqa: ANN001, ANN201
    """The environment of `make run`, on a fresh SQLite file (and the test's Redis as broker)."""
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SANDBOX_ENABLED": "true",
        "SANDBOX_DELIVERY_SECONDS": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "MESSAGING_BATCH_SIZE": "10",  # many short dispatch transactions beside the import's
        "LOGIN_IP_FAILURE_LIMIT": "0",
        "AXES_FAILURE_LIMIT": "100000",
    }
    env.pop("TEXTCONNECT_API_URL", None)
    env.pop("TEXTCONNECT_ALLOWED_API_URLS", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR, env=env, check=True, timeout=300,
    )  # fmt: skip
    return port, env, tmp_path


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603  (our own fixed commands)
        command, cwd=BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            requests.get(url, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def read(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql).fetchall()


def test_an_import_and_a_send_at_once_on_sqlite_with_a_real_worker(embedded):
    port, env, tmp = embedded
    db, base = tmp / "db.sqlite3", f"http://127.0.0.1:{port}"
    token = subprocess.run(
        [sys.executable, "manage.py", "sandbox_account", "create", "acme", "--credits", "100000"],
        cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True, timeout=120,
    ).stdout.strip()  # fmt: skip
    celery_app.control.purge()
    web = start([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                env, tmp / "web.log")  # fmt: skip
    worker = start([sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info",
                    "--concurrency", "2", "-n", f"sqlite-{os.getpid()}@%h", "--without-gossip",
                    "--without-mingle"], env, tmp / "worker.log")  # fmt: skip
    try:
        wait_until_up(f"{base}/healthz", web)
        script = SETUP.format(token=token, contacts=CONTACTS, recipients=RECIPIENTS)
        subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
                       cwd=BASE_DIR, env=env, check=True, timeout=300)  # fmt: skip
        browser = requests.Session()
        browser.get(f"{base}/accounts/login/", timeout=60)
        answers = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            # The web server writes too, meanwhile (each failed login is recorded).
            login = {"username": f"probe{len(answers)}@example.com", "password": "wrong guess",
                     "csrfmiddlewaretoken": browser.cookies["csrftoken"]}  # fmt: skip
            answers.append(browser.post(f"{base}/accounts/login/", data=login, timeout=60))
            (state,) = read(db, "SELECT state FROM contacts_contactimport")[0]
            pending = read(db, "SELECT COUNT(*) FROM messaging_message "
                               "WHERE state IN ('queued', 'submitting')")[0][0]  # fmt: skip
            if state in ("done", "failed") and pending == 0:
                break
            time.sleep(0.2)
    finally:
        stop(worker)
        stop(web)
    logs = (tmp / "worker.log").read_text() + (tmp / "web.log").read_text()
    assert "database is locked" not in logs
    assert read(db, "SELECT state, created FROM contacts_contactimport") == [("done", CONTACTS)]
    states = dict(read(db, "SELECT state, COUNT(*) FROM messaging_message GROUP BY state"))
    assert set(states) <= {"submitted", "delivered"} and sum(states.values()) == RECIPIENTS, states
    assert answers and {a.status_code for a in answers} == {200}  # refused logins, no 500
