"""The reseller console against a real admin account on the sandbox."""

import uuid
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, ChildAccount, GatewayConnection, Invitation, LedgerEntry
from accounts.services import reseller as services
from sandbox.faults import set_faults
from sandbox.models import SandboxAccount

from ..factories import WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHILD = {
    "username": "shop-one",
    "password": "Kq7-long-enough-pw",
    "access_level": "Normal",
    "first_name": "Sam",
    "last_name": "Shop",
    "email": "sam@shop.test",
    "telephone": "",
    "starting_credits": "100",
}


@pytest.fixture
def parent(sandbox_account):
    return sandbox_account(username="reseller", credits=1000, admin=True)


@pytest.fixture
def reseller(workspace, connect, parent):
    connect(workspace, parent, admin=True)
    return workspace


def url(ws, name, **kwargs):
    return reverse(f"accounts_reseller:{name}", kwargs={"slug": ws.slug, **kwargs})


def create_child(client, ws, **overrides):
    data = {**CHILD, "idempotency_key": str(uuid.uuid4()), **overrides}
    return client.post(url(ws, "child_new"), data)


def transfer(client, child, quantity, direction="to", key=None, reason="Top-up"):
    data = {"direction": direction, "quantity": quantity, "reason": reason,
            "idempotency_key": key or str(uuid.uuid4())}  # fmt: skip
    return client.post(url(child.workspace, "child_transfer", child_id=child.public_id), data)


@pytest.fixture
def child(client_for, reseller, owner, eager_tasks):
    create_child(client_for(owner), reseller)
    return ChildAccount.objects.get(username="shop-one")


def test_the_console_is_hidden_when_the_account_is_not_an_admin(
    client_for, workspace, owner, connect, sandbox_account
):
    connect(workspace, sandbox_account(), admin=False)
    assert client_for(owner).get(url(workspace, "console")).status_code == 404


def test_a_sender_cannot_see_the_console(client_for, reseller, sender):
    assert client_for(sender).get(url(reseller, "console")).status_code == 403


def test_creating_a_child_moves_its_starting_credits(child, parent):
    assert child.state == "active"
    remote = SandboxAccount.objects.get(username="shop-one")
    assert remote.parent == parent and remote.credits == Decimal(100)
    parent.refresh_from_db()
    assert parent.credits == Decimal(900)
    entry = child.ledger.get()
    assert (entry.kind, entry.quantity, entry.state) == ("starting", 100, "completed")
    assert (entry.balance_before, entry.balance_after) == (Decimal(1000), Decimal(900))
    assert child.pending_password == ""


def test_a_taken_username_shows_the_gateways_lines(
    client_for, reseller, owner, parent, sandbox_account, eager_tasks
):
    sandbox_account(username="shop-one")
    create_child(client_for(owner), reseller)
    child = ChildAccount.objects.get(username="shop-one")
    assert child.state == "failed" and child.error_code == -508
    assert "Username shop-one is already taken" in child.error_text
    page = client_for(owner).get(url(reseller, "child", child_id=child.public_id))
    assert b"Username shop-one is already taken" in page.content
    assert child.ledger.get().state == "failed"
    parent.refresh_from_db()
    assert parent.credits == Decimal(1000)


def test_a_failed_username_can_be_tried_again(
    client_for, reseller, owner, sandbox_account, eager_tasks
):
    taken = sandbox_account(username="shop-one")
    create_child(client_for(owner), reseller)
    taken.delete()
    create_child(client_for(owner), reseller)
    assert list(ChildAccount.objects.values_list("state", flat=True).order_by("created_at")) == [
        "failed",
        "active",
    ]


def test_a_weak_child_password_is_refused_at_the_form(client_for, reseller, owner):
    response = create_child(client_for(owner), reseller, password="password")
    assert "password" in response.context["form"].errors
    assert not ChildAccount.objects.exists()


def test_credits_move_both_ways(client_for, owner, child, parent):
    transfer(client_for(owner), child, 50, "to")
    transfer(client_for(owner), child, 20, "from")
    assert SandboxAccount.objects.get(username="shop-one").credits == Decimal(130)
    parent.refresh_from_db()
    assert parent.credits == Decimal(870)
    assert list(child.ledger.order_by("id").values_list("quantity", "state")) == [
        (100, "completed"), (50, "completed"), (-20, "completed")
    ]  # fmt: skip
    totals = services.children_with_totals(child.workspace).get(pk=child.pk)
    assert (totals.credits_in, totals.credits_out, totals.ledger_total) == (150, -20, 130)


def test_taking_back_more_than_the_child_holds_is_refused_at_the_form(
    client_for, owner, child, parent
):
    response = transfer(client_for(owner), child, 500, "from")
    assert response.status_code == 200
    error = " ".join(response.context["transfer_form"].errors["quantity"])
    assert "holds 100 credits" in error
    assert child.ledger.count() == 1  # only the starting credits: no entry, no call
    assert list(get_messages(response.wsgi_request)) == []
    assert SandboxAccount.objects.get(username="shop-one").credits == Decimal(100)


def test_take_backs_in_flight_count_against_what_the_child_holds(client_for, owner, child):
    LedgerEntry.objects.create(
        workspace=child.workspace, child=child, quantity=-70, state="pending",
        idempotency_key=uuid.uuid4(),
    )  # fmt: skip
    response = transfer(client_for(owner), child, 40, "from")
    assert "take back at most 30" in " ".join(response.context["transfer_form"].errors["quantity"])


def test_the_childs_own_workspace_balance_is_what_it_holds(client_for, owner, child):
    linked = WorkspaceFactory()
    GatewayConnection.objects.create(
        workspace=linked, token="c" * 32, balance=Decimal(12), balance_checked_at=timezone.now()
    )
    ChildAccount.objects.filter(pk=child.pk).update(linked_workspace=linked)
    response = transfer(client_for(owner), child, 13, "from")
    assert "holds 12 credits" in " ".join(response.context["transfer_form"].errors["quantity"])
    transfer(client_for(owner), child, 5, "to")  # moved after the balance was read: counts
    transfer(client_for(owner), child, 17, "from")
    assert SandboxAccount.objects.get(username="shop-one").credits == Decimal(88)


def test_a_transfer_the_gateway_refuses_is_shown_as_a_failure_in_words(client_for, owner, child):
    SandboxAccount.objects.filter(username="shop-one").update(credits=10)  # spent on the gateway
    response = transfer(client_for(owner), child, 50, "from")
    entry = child.ledger.latest("id")
    assert (entry.state, entry.error_code) == ("failed", -510)
    flashed = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert not [text for level, text in flashed if level == "success"]
    page = client_for(owner).get(response.url).content.decode()
    assert "The transfer of 50 credits back from shop-one failed" in page
    refusal = (
        "the gateway refused it: Not enough credits to move: the child holds fewer credits than "
        "that, or your account does; move fewer (gateway code -510)"
    )
    assert refusal in page
    assert "No credits moved." in page
    assert 'class="flash-error" role="alert"' in page
    assert SandboxAccount.objects.get(username="shop-one").credits == Decimal(10)


def test_a_completed_transfer_says_so(client_for, owner, child):
    response = transfer(client_for(owner), child, 30, "to")
    page = client_for(owner).get(response.url).content.decode()
    assert "30 credits moved to shop-one." in page


@pytest.mark.parametrize("quantity", ["0", "1000000000", "-5", "abc"])
def test_a_bad_quantity_is_refused_before_any_call(client_for, owner, child, quantity):
    transfer(client_for(owner), child, quantity)
    assert child.ledger.count() == 1  # only the starting credits


def test_a_double_submitted_transfer_makes_one_call(client_for, owner, child):
    key = str(uuid.uuid4())
    transfer(client_for(owner), child, 30, key=key)
    transfer(client_for(owner), child, 30, key=key)
    assert child.ledger.filter(kind="transfer").count() == 1
    assert SandboxAccount.objects.get(username="shop-one").credits == Decimal(130)


def test_a_dropped_connection_is_marked_for_review_and_never_repeated(
    client_for, owner, child, parent
):
    set_faults(parent, drop_after_rate=1.0, calls=1)  # UpdateCredits runs, its answer is lost
    transfer(client_for(owner), child, 25)
    entry = child.ledger.latest("id")
    assert entry.state == "unknown"
    services.credits_transfer_run(entry_id=entry.pk)  # a second delivery of the task
    services.reseller_sweep()
    assert SandboxAccount.objects.get(username="shop-one").credits == Decimal(125)  # moved once
    assert LedgerEntry.objects.get(pk=entry.pk).state == "unknown"
    assert AuditEvent.objects.filter(action="credits_move_unknown").count() == 1


def test_a_person_records_the_outcome_of_an_unknown_transfer(client_for, owner, child, parent):
    set_faults(parent, drop_after_rate=1.0, calls=1)
    transfer(client_for(owner), child, 25)
    entry = child.ledger.latest("id")
    client_for(owner).post(
        url(child.workspace, "entry", entry_id=entry.public_id),
        {"outcome": "applied", "note": "Seen on the gateway"},
    )
    entry.refresh_from_db()
    assert entry.review_outcome == "applied" and entry.counts
    assert services.children_with_totals(child.workspace).get(pk=child.pk).ledger_total == 125


def test_the_sweep_marks_calls_cut_off_mid_way_as_unknown(child):
    entry = LedgerEntry.objects.create(
        workspace=child.workspace, child=child, quantity=5, state="submitting",
        idempotency_key=uuid.uuid4(), submitted_at="2020-01-01T00:00:00Z",
    )  # fmt: skip
    services.reseller_sweep()
    entry.refresh_from_db()
    assert entry.state == "unknown" and "cut off" in entry.error_text


def test_the_childs_workspace_is_created_with_the_child_invited_as_owner(client_for, owner, child):
    client_for(owner).post(url(child.workspace, "child_workspace", child_id=child.public_id))
    child.refresh_from_db()
    invitation = Invitation.objects.get(workspace=child.linked_workspace)
    assert (invitation.email, invitation.role) == ("sam@shop.test", "owner")
    assert mail.outbox[-1].to == ["sam@shop.test"]
    assert not child.linked_workspace.memberships.exists()
    logged = AuditEvent.objects.filter(workspace=child.linked_workspace)
    assert sorted(logged.values_list("action", flat=True)) == [
        "member_invited",
        "workspace_created",
    ]
    assert {e.actor for e in logged} == {owner}


def test_the_ledger_exports_csv_that_spreadsheets_cannot_run(client_for, owner, child):
    transfer(client_for(owner), child, 5, reason='=HYPERLINK("http://evil")')
    response = client_for(owner).get(url(child.workspace, "ledger_csv"))
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in body
    assert body.splitlines()[0].startswith("time,child,kind,quantity")


def test_the_ledger_filters_by_state(client_for, owner, child):
    SandboxAccount.objects.filter(username="shop-one").update(credits=0)  # spent on the gateway
    transfer(client_for(owner), child, 60, "from")
    page = client_for(owner).get(url(child.workspace, "ledger") + "?state=failed")
    assert [e.quantity for e in page.context["page"]] == [-60]


@pytest.mark.worker
def test_a_transfer_runs_in_the_worker(client_for, reseller, owner, celery_worker, wait_for):
    create_child(client_for(owner), reseller, starting_credits="0")
    child = wait_for(
        lambda: ChildAccount.objects.filter(username="shop-one", state="active").first()
    )
    transfer(client_for(owner), child, 40)
    wait_for(lambda: child.ledger.filter(state="completed").exists())
    assert SandboxAccount.objects.get(username="shop-one").credits == Decimal(40)


def test_a_transfer_to_a_url_no_longer_allowed_fails_without_a_call(
    settings, client_for, child, owner, parent
):
    settings.TEXTCONNECT_ALLOWED_API_URLS = []  # the operator took the gateway off the list
    transfer(client_for(owner), child, 50)
    entry = child.ledger.get(kind="transfer")
    assert entry.state == "failed"
    assert "no longer allowed" in entry.error_text
    parent.refresh_from_db()
    assert parent.credits == Decimal(900)
