"""The gateway connection: token handling, connection checks, the balance and its alerts."""

import logging
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, GatewayConnection
from accounts.services.gateway import balance_record, gateway_check
from accounts.tasks import balances_refresh

pytestmark = pytest.mark.django_db(transaction=True)


def gateway_url(ws, name="accounts_ws:gateway"):
    return reverse(name, kwargs={"slug": ws.slug})


def test_a_pasted_token_loses_its_spaces_and_line_breaks(
    client_for, workspace, owner, sandbox_account, sandbox_api_url
):
    account = sandbox_account(credits=250)
    pasted = f"  {account.token[:10]} \n{account.token[10:]}\n"
    client_for(owner).post(gateway_url(workspace), {"token": pasted, "api_url": sandbox_api_url})
    connection = GatewayConnection.objects.get(workspace=workspace)
    assert connection.token == account.token
    assert AuditEvent.objects.filter(action="token_changed", workspace=workspace).count() == 1


def test_saving_tests_the_connection_and_records_the_balance(
    client_for, workspace, owner, sandbox_account, sandbox_api_url, eager_tasks
):
    account = sandbox_account(credits=250)
    client_for(owner).post(
        gateway_url(workspace), {"token": account.token, "api_url": sandbox_api_url}
    )
    connection = GatewayConnection.objects.get(workspace=workspace)
    assert connection.balance == Decimal("250.00")
    assert connection.check_state == "ok"
    page = client_for(owner).get(reverse("reporting:dashboard", kwargs={"slug": workspace.slug}))
    assert b"250 credits" in page.content


def test_a_wrong_token_shows_the_gateway_code_and_text(workspace, connect, sandbox_account):
    connection = connect(workspace, sandbox_account())
    connection.token = "not-a-real-token"
    connection.save()
    assert gateway_check(workspace=workspace) is None
    connection.refresh_from_db()
    assert connection.check_state == "failed"
    assert connection.check_error == "-501: Unknown Username/Password"


def test_the_status_panel_shows_the_gateway_error(
    client_for, workspace, owner, connect, sandbox_account
):
    connection = connect(workspace, sandbox_account())
    connection.token = "wrong-token-1234"
    connection.save()
    gateway_check(workspace=workspace)
    response = client_for(owner).get(gateway_url(workspace, "accounts_ws:gateway_status"))
    page = response.content.decode()
    assert "The gateway does not accept the account&#x27;s token: paste a current token" in page
    assert '<small class="gateway-code" title="The gateway&#x27;s code">-501</small>' in page


def test_the_token_never_reaches_the_logs(caplog, workspace, connect, sandbox_account):
    account = sandbox_account()
    connection = connect(workspace, account)
    caplog.set_level(logging.DEBUG)
    gateway_check(workspace=workspace)
    connection.token = account.token + "x"
    connection.save()
    gateway_check(workspace=workspace)
    assert caplog.records, "the calls should have logged something"
    assert account.token not in caplog.text


def test_the_token_is_shown_on_no_page(
    client_for, workspace, owner, connect, sandbox_account, admin_client
):
    account = sandbox_account()
    connection = connect(workspace, account)
    gateway_check(workspace=workspace)
    pages = [
        client_for(owner).get(gateway_url(workspace)),
        client_for(owner).get(reverse("reporting:dashboard", kwargs={"slug": workspace.slug})),
        client_for(owner).get(gateway_url(workspace, "accounts_ws:audit")),
        admin_client.get(reverse("admin:accounts_gatewayconnection_changelist")),
        admin_client.get(reverse("admin:accounts_gatewayconnection_change", args=[connection.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert account.token.encode() not in page.content
    export = client_for(owner).get(gateway_url(workspace, "accounts_ws:audit_csv"))
    assert account.token.encode() not in b"".join(export.streaming_content)


@pytest.mark.parametrize("persona", ["sender", "viewer"])
def test_senders_and_viewers_cannot_see_the_gateway_settings(
    request, client_for, workspace, persona
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(gateway_url(workspace)).status_code == 403
    assert client.post(gateway_url(workspace), {"token": "x"}).status_code == 403


def test_the_first_save_needs_a_token(client_for, workspace, owner):
    response = client_for(owner).post(gateway_url(workspace), {"token": "  \n ", "api_url": ""})
    assert "Paste the token" in response.context["form"].errors["token"][0]
    assert not GatewayConnection.objects.exists()


def test_low_balance_alerts_once_per_crossing(workspace, owner, admin, sender):
    connection = GatewayConnection.objects.create(
        workspace=workspace, token="t" * 20, low_balance_threshold=Decimal(50)
    )
    for balance in [100, 40, 30, 60, 45]:
        balance_record(connection=connection, balance=Decimal(balance))
    assert len(mail.outbox) == 2
    assert sorted(mail.outbox[0].to) == sorted([owner.email, admin.email])
    assert "45" in mail.outbox[1].body


def test_the_low_balance_banner_shows_below_the_threshold(client_for, workspace, viewer):
    connection = GatewayConnection.objects.create(
        workspace=workspace, token="t" * 20, low_balance_threshold=Decimal(50)
    )
    balance_record(connection=connection, balance=Decimal(12))
    page = client_for(viewer).get(reverse("reporting:dashboard", kwargs={"slug": workspace.slug}))
    assert b"Low balance: 12 credits left" in page.content


@pytest.mark.worker
def test_test_connection_runs_in_the_worker(
    client_for, workspace, owner, connect, sandbox_account, celery_worker, wait_for
):
    connect(workspace, sandbox_account(credits=321))
    client_for(owner).post(gateway_url(workspace, "accounts_ws:gateway_test"))
    wait_for(lambda: GatewayConnection.objects.get(workspace=workspace).check_state == "ok")
    assert GatewayConnection.objects.get(workspace=workspace).balance == Decimal(321)


def test_the_beat_refresh_checks_each_active_workspace_in_its_own_task(
    workspace, other_workspace, connect, sandbox_account, eager_tasks
):
    connect(workspace, sandbox_account(username="acme", credits=70))
    connect(other_workspace, sandbox_account(username="rival", credits=80))
    other_workspace.suspended_at = timezone.now()
    other_workspace.save(update_fields=["suspended_at"])
    balances_refresh()
    assert GatewayConnection.objects.get(workspace=workspace).balance == Decimal(70)
    assert GatewayConnection.objects.get(workspace=other_workspace).balance is None


def test_an_admin_changes_the_threshold_but_sees_no_token_or_url_field(
    client_for, workspace, admin, connect, sandbox_account, eager_tasks
):
    connect(workspace, sandbox_account())
    client = client_for(admin)
    form = client.get(gateway_url(workspace)).context["form"]
    assert set(form.fields) == {"is_admin_account", "low_balance_threshold"}
    client.post(gateway_url(workspace), {"low_balance_threshold": "25"})
    assert GatewayConnection.objects.get(workspace=workspace).low_balance_threshold == 25


def test_an_admin_cannot_make_the_first_connection(client_for, workspace, admin):
    response = client_for(admin).post(gateway_url(workspace), {"token": "a" * 32})
    assert response.context["form"] is None
    assert b"Only the workspace owner" in response.content
    assert not GatewayConnection.objects.exists()


def test_the_gateway_is_picked_from_the_operators_list(settings, client_for, workspace, owner):
    settings.TEXTCONNECT_API_URL = "https://goto.text-connect.co.uk/api"
    settings.TEXTCONNECT_ALLOWED_API_URLS = ["https://gw2.example.com/api"]
    form = client_for(owner).get(gateway_url(workspace)).context["form"]
    urls = [value for value, _label in form.fields["api_url"].choices]
    assert urls == ["", "https://gw2.example.com/api", f"{settings.SITE_URL}/sandbox/api"]


def test_the_owner_moves_to_a_listed_url_with_the_token_typed_again(
    client_for, workspace, owner, sandbox_account, sandbox_api_url, eager_tasks
):
    account = sandbox_account(credits=42)
    GatewayConnection.objects.create(workspace=workspace, token=account.token)
    client_for(owner).post(
        gateway_url(workspace), {"token": account.token, "api_url": sandbox_api_url}
    )
    connection = GatewayConnection.objects.get(workspace=workspace)
    assert connection.api_url == sandbox_api_url
    assert connection.balance == Decimal(42)


def test_the_operator_admin_refuses_an_unlisted_url(workspace, admin_client):
    connection = GatewayConnection.objects.create(workspace=workspace, token="t" * 20)
    url = reverse("admin:accounts_gatewayconnection_change", args=[connection.pk])
    response = admin_client.post(url, {"api_url": "https://evil.example.com/api"})
    assert "api_url" in response.context["adminform"].form.errors
    connection.refresh_from_db()
    assert connection.api_url == ""
