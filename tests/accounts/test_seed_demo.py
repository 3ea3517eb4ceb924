"""`seed_demo` (run by `make run`): a demo workspace that looks used, made through the services."""

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.management.commands.seed_demo import DEMO_EMAIL, DEMO_VMN
from accounts.models import GatewayConnection, User, Workspace
from contacts.models import Contact, ContactImport, Group
from inbound.models import Conversation, InboundMessage
from inbound.models import VirtualNumber as InboxNumber
from messaging.models import Broadcast, Message
from reporting.models import ReportSnapshot
from sandbox import workers
from sandbox.models import Message as SandboxMessage
from sandbox.models import SandboxAccount
from sandbox.models import VirtualNumber as SandboxNumber

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(settings, live_server):
    """The portal's address is the live server's: the command finds it serving and uses it."""
    settings.SITE_URL = live_server.url
    yield live_server.url
    workers.wait_idle(30)


def seed() -> tuple[float, str]:
    out = StringIO()
    started = time.monotonic()
    call_command("seed_demo", stdout=out, stderr=out)
    return time.monotonic() - started, out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "workspaces": Workspace.objects.count(),
        "contacts": Contact.objects.count(),
        "groups": Group.objects.count(),
        "imports": ContactImport.objects.count(),
        "broadcasts": Broadcast.objects.count(),
        "messages": Message.objects.count(),
        "inbound": InboundMessage.objects.count(),
        "conversations": Conversation.objects.count(),
        "snapshots": ReportSnapshot.objects.count(),
        "sandbox_accounts": SandboxAccount.objects.count(),
        "sandbox_messages": SandboxMessage.objects.count(),
    }


def test_the_demo_looks_used_and_is_seeded_quickly(served):
    seconds, output = seed()
    assert seconds < 20, output
    ws = Workspace.objects.get(slug="demo")
    statuses = set(Broadcast.objects.for_workspace(ws).values_list("status", flat=True))
    assert {"sent", "partly_failed", "scheduled", "cancelled"} <= statuses
    delivered = Message.objects.for_workspace(ws).filter(state="delivered")
    assert delivered.count() >= 5
    failed = Message.objects.for_workspace(ws).filter(state="failed")
    assert {m.error_code for m in failed} >= {-412}  # refused at the call
    assert failed.filter(gateway_status="Failed").exists()  # reported later by the gateway
    assert all(g.contacts.exists() for g in Group.objects.for_workspace(ws))
    assert Contact.objects.for_workspace(ws).filter(opted_out_at__isnull=False).count() == 1
    job = ContactImport.objects.for_workspace(ws).get()
    assert (job.state, job.created, job.failed) == ("done", 4, 1)
    question = InboundMessage.objects.for_workspace(ws).exclude(body="STOP").get()
    assert question.conversation is not None
    assert Broadcast.objects.for_workspace(ws).filter(body__startswith="Of course").exists()
    assert ReportSnapshot.objects.for_workspace(ws).get().state == "ready"
    connection = GatewayConnection.objects.get(workspace=ws)
    sandbox_account = SandboxAccount.objects.get(token=connection.token)
    assert connection.balance == sandbox_account.credits < 1000  # the sends were paid for


def test_running_it_twice_makes_nothing_twice(served):
    seed()
    first = _counts()
    seconds, _output = seed()
    assert _counts() == first
    assert seconds < 5


def test_the_first_screen_shows_the_product(served):
    seed()
    client = Client()
    client.force_login(User.objects.get(email=DEMO_EMAIL))
    page = client.get(reverse("reporting:dashboard", kwargs={"slug": "demo"})).content.decode()
    assert "Nothing sent yet" not in page
    assert "newsletter-signups.csv" in page
    assert "From the gateway's Usage report" in page


def test_the_demo_vmn_forwards_to_the_demo_inbox(served):
    seed()
    vmn = InboxNumber.objects.get(workspace__slug="demo")
    on_sandbox = SandboxNumber.objects.get(number=DEMO_VMN)
    assert vmn.number == "+" + DEMO_VMN
    assert on_sandbox.forward_url == f"{served}/inbound/{vmn.key}/"
    assert (on_sandbox.forward_method, on_sandbox.forward_auth) == (vmn.method, vmn.auth)


def test_without_the_sandbox_the_demo_has_only_its_login(settings):
    settings.SANDBOX_ENABLED = False
    _seconds, output = seed()
    assert "Sandbox disabled" in output
    assert Workspace.objects.get(slug="demo").memberships.get().user.email == DEMO_EMAIL
    assert not GatewayConnection.objects.exists()
    assert not Broadcast.objects.exists()
