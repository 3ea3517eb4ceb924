"""An opt-out holds from the moment the STOP is stored, before the worker has processed it: a send
to the number right after is skipped, with the reason, on PostgreSQL and on SQLite (the embedded
default, where processing had once waited minutes behind "database is locked")."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from inbound.models import InboundMessage
from messaging.services import dispatch
from messaging.services.compose import Draft, broadcast_confirm, broadcast_create
from sandbox.models import Message as SandboxMessage

from .conftest import SENDER

pytestmark = pytest.mark.django_db(transaction=True)
BASE_DIR = Path(__file__).resolve().parents[2]

SCENARIO = """
import json, uuid
from datetime import datetime
from zoneinfo import ZoneInfo
from django.test import Client
from django.urls import reverse
from accounts.models import GatewayConnection, User
from accounts.services import workspace_create
from inbound.models import InboundMessage, VirtualNumber
from messaging.services import dispatch
from messaging.services.compose import Draft, broadcast_confirm, broadcast_create

user = User.objects.create_user("ann@example.com", "a-long-test-password-42")
workspace = workspace_create(name="Acme", owner=user)
GatewayConnection.objects.create(workspace=workspace, token="t0ken")
vmn = VirtualNumber.objects.create(workspace=workspace, number="+447700900500")
url = reverse("inbound_endpoint:receive", kwargs={"key": vmn.key})
when = datetime.now(ZoneInfo("Europe/London")).strftime("%Y-%m-%d %H:%M:%S")
answer = Client().post(url, {"source": "447700900123", "dest": "447700900500", "msg": " stop ",
                             "id": "9001", "auth": vmn.auth, "receivedts": when})
assert answer.status_code == 200, answer.content
draft = Draft(body="Our sale starts today", source="Acme", numbers=["+447700900123"])
broadcast = broadcast_create(workspace=workspace, user=user, draft=draft,
                             idempotency_key=uuid.uuid4())
broadcast_confirm(broadcast=broadcast, user=user)
dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
message = broadcast.messages.get()
print(json.dumps({"state": message.state, "reason": message.error_text,
                  "processed": InboundMessage.objects.get().processed_at is not None}))
"""


def test_a_stop_from_a_number_never_seen_holds_before_it_is_processed_on_postgresql(
    gateway, forward, workspace, owner
):
    assert forward(msg="STOP", id="9001").status_code == 200  # stored; no worker processes it
    assert InboundMessage.objects.get().processed_at is None
    draft = Draft(body="Our sale starts today", source="Acme", numbers=[SENDER])
    broadcast = broadcast_create(
        workspace=workspace, user=owner, draft=draft, idempotency_key=uuid.uuid4()
    )
    broadcast_confirm(broadcast=broadcast, user=owner)
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    message = broadcast.messages.get()
    assert (message.state, message.error_text) == ("skipped", "The recipient opted out.")
    assert not SandboxMessage.objects.filter(destination=SENDER.lstrip("+")).exists()


def test_a_stop_from_a_number_never_seen_holds_before_it_is_processed_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,  # the queued tasks stay there: no worker
        "SANDBOX_ENABLED": "false",
        "TEXTCONNECT_API_URL": "http://gateway.invalid/api",
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, cwd=BASE_DIR, check=True)
    done = subprocess.run(
        [*manage, "shell", "-c", SCENARIO], env=env, cwd=BASE_DIR, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"state": "skipped", "reason": "The recipient opted out.", "processed": False}


@pytest.mark.django_db
def test_the_contacts_and_the_inbox_are_asked_in_one_query(forward, workspace):
    """A contact's opt-out, a STOP not processed yet and one processed but not yet written to the
    contact: one query for all; the inbox's words are read only when a text waits to be judged."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from contacts.models import Contact
    from contacts.optouts import opted_out_numbers

    Contact.objects.create(workspace=workspace, number="+447700900601", opted_out_at=timezone.now())
    for number, text, ident in [("447700900602", "stop", "1"), ("447700900603", "STOP", "2"),
                                ("447700900604", "Thanks!", "3")]:  # fmt: skip
        assert forward(source=number, msg=text, id=ident).status_code == 200
    InboundMessage.objects.filter(gateway_id="2").update(
        processed_at=timezone.now(), opt_action="opt_out", opt_applied=False
    )
    wanted = {f"+44770090060{n}" for n in range(1, 6)}
    with CaptureQueriesContext(connection) as queries:
        out = opted_out_numbers(workspace, wanted)
    assert out == {"+447700900601", "+447700900602", "+447700900603"}
    assert len(queries) == 2 and "inbound_inboxsettings" in queries[1]["sql"]
    with CaptureQueriesContext(connection) as queries:
        assert opted_out_numbers(workspace, {"+447700900601", "+447700900603"}) == {
            "+447700900601",
            "+447700900603",
        }
    assert len(queries) == 1  # nothing waits to be judged: the inbox's words are not read
