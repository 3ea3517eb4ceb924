"""The operator admin and the workspace audit log."""

import uuid

import pytest
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import (
    AuditEvent,
    ChildAccount,
    GatewayConnection,
    Invitation,
    LedgerEntry,
    Membership,
    User,
    Workspace,
)
from messaging.models import Broadcast, Message, MessageTemplate, SenderID

from ..factories import InvitationFactory

pytestmark = pytest.mark.django_db

TOKEN = "secret-token-0123456789-WXYZ"
MODELS = [
    User,
    Workspace,
    Membership,
    Invitation,
    GatewayConnection,
    ChildAccount,
    LedgerEntry,
    AuditEvent,
]


@pytest.fixture
def data(workspace, owner):
    GatewayConnection.objects.create(workspace=workspace, token=TOKEN, is_admin_account=True)
    InvitationFactory(workspace=workspace)
    child = ChildAccount.objects.create(
        workspace=workspace, username="kid", first_name="K", last_name="D", email="k@d.test",
        idempotency_key=uuid.uuid4(), pending_password="child-secret-pw", state="active",
    )  # fmt: skip
    LedgerEntry.objects.create(
        workspace=workspace, child=child, quantity=5, idempotency_key=uuid.uuid4()
    )
    audit_record("login", workspace=workspace, actor=owner)
    broadcast = Broadcast.objects.create(
        workspace=workspace, body="Hi", source="Acme", idempotency_key=uuid.uuid4()
    )
    Message.objects.create(workspace=workspace, broadcast=broadcast, destination="+447700900123")
    MessageTemplate.objects.create(workspace=workspace, name="T", body="Hi")
    SenderID.objects.create(workspace=workspace, value="Acme")
    return workspace


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_admin_page_loads_with_data_and_shows_no_secret(admin_client, data, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model.objects.first()
    change = admin_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )
    assert change.status_code == 200
    for page in (changelist, change):
        assert TOKEN.encode() not in page.content
        assert b"child-secret-pw" not in page.content


def test_the_admin_search_finds_workspaces_and_ledger_rows(admin_client, data):
    assert (
        admin_client.get(reverse("admin:accounts_workspace_changelist") + "?q=acme")
        .context["cl"]
        .result_count
        == 1
    )
    assert (
        admin_client.get(reverse("admin:accounts_ledgerentry_changelist") + "?q=kid")
        .context["cl"]
        .result_count
        == 1
    )


def test_ledger_and_audit_are_read_only_in_the_admin(admin_client, data):
    entry = LedgerEntry.objects.get()
    response = admin_client.post(
        reverse("admin:accounts_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_suspending_a_workspace_says_so_on_its_pages(admin_client, client_for, data, owner):
    admin_client.post(
        reverse("admin:accounts_workspace_changelist"),
        {"action": "suspend", "_selected_action": [data.pk]},
    )
    data.refresh_from_db()
    assert data.is_suspended
    assert AuditEvent.objects.filter(action="workspace_suspended", workspace=data).exists()
    page = client_for(owner).get(reverse("reporting:dashboard", kwargs={"slug": data.slug}))
    assert b"This workspace is suspended" in page.content


def test_the_operator_admin_is_for_staff_only(client_for, owner):
    response = client_for(owner).get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def audit_url(ws, name="accounts_ws:audit"):
    return reverse(name, kwargs={"slug": ws.slug})


def test_owners_read_the_audit_log_filtered_by_action(client_for, workspace, owner):
    audit_record("role_changed", workspace=workspace, actor=owner)
    audit_record("member_removed", workspace=workspace, actor=owner)
    page = client_for(owner).get(audit_url(workspace) + "?action=role_changed")
    assert [e.action for e in page.context["page"]] == ["role_changed"]


def test_the_audit_log_shows_only_this_workspaces_events(
    client_for, workspace, other_workspace, owner
):
    audit_record("role_changed", workspace=other_workspace)
    audit_record("member_removed", workspace=workspace, actor=owner)
    page = client_for(owner).get(audit_url(workspace))
    actions = [e.action for e in page.context["page"]]
    assert "member_removed" in actions and "role_changed" not in actions


def test_the_audit_log_exports_csv(client_for, workspace, owner):
    audit_record("member_removed", workspace=workspace, actor=owner, email="@evil")
    response = client_for(owner).get(audit_url(workspace, "accounts_ws:audit_csv"))
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("time,action,actor")
    assert "member_removed" in body


@pytest.mark.parametrize("persona", ["sender", "viewer"])
def test_senders_and_viewers_cannot_read_the_audit_log(request, client_for, workspace, persona):
    assert client_for(request.getfixturevalue(persona)).get(audit_url(workspace)).status_code == 403


def test_a_bad_date_filter_is_ignored_not_an_error(client_for, workspace, owner):
    assert (
        client_for(owner).get(audit_url(workspace) + "?from=yesterday&to=2026-13-45").status_code
        == 200
    )
