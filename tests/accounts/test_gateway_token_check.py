"""A new token is checked with CheckCredits before it replaces the one in use."""

import time
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AuditEvent, GatewayConnection
from accounts.services.gateway import gateway_check
from sandbox.faults import set_faults

pytestmark = pytest.mark.django_db(transaction=True)


def gateway_url(ws):
    return reverse("accounts_ws:gateway", kwargs={"slug": ws.slug})


@pytest.fixture
def working(workspace, connect, sandbox_account):
    """A workspace connected to a sandbox account whose check succeeded."""
    account = sandbox_account(credits=300)
    connect(workspace, account)
    gateway_check(workspace=workspace)
    return account


def _post(client, workspace, token, api_url):  # noqa: ANN001
    return client.post(gateway_url(workspace), {"token": token, "api_url": api_url})


def test_a_bad_token_is_refused_and_the_working_one_kept(
    client_for, workspace, owner, working, sandbox_api_url
):
    response = _post(client_for(owner), workspace, "deadbeef", sandbox_api_url)
    assert response.status_code == 200
    error = " ".join(response.context["form"].errors["token"])
    assert "-501: Unknown Username/Password" in error
    assert "the current token is kept" in error
    assert not [m for m in get_messages(response.wsgi_request) if "saved" in str(m)]
    connection = GatewayConnection.objects.get(workspace=workspace)
    assert connection.token == working.token
    assert (connection.check_state, connection.balance) == ("ok", Decimal(300))
    assert not AuditEvent.objects.filter(action="token_changed").exists()


def test_a_refused_token_changes_no_other_setting(
    client_for, workspace, owner, working, sandbox_api_url
):
    client_for(owner).post(
        gateway_url(workspace),
        {"token": "deadbeef", "api_url": sandbox_api_url, "low_balance_threshold": "99"},
    )
    assert GatewayConnection.objects.get(workspace=workspace).low_balance_threshold is None
    assert not AuditEvent.objects.filter(action="gateway_settings_changed").exists()


def test_a_first_token_that_the_gateway_refuses_saves_nothing(
    client_for, workspace, owner, sandbox_api_url
):
    response = _post(client_for(owner), workspace, "deadbeef", sandbox_api_url)
    error = " ".join(response.context["form"].errors["token"])
    assert "-501: Unknown Username/Password" in error
    assert "Nothing was saved." in error
    assert not GatewayConnection.objects.exists()


def test_a_good_new_token_replaces_the_old_one_with_its_balance_known_at_once(
    client_for, workspace, owner, working, sandbox_account, sandbox_api_url
):
    other = sandbox_account(credits=75)
    response = _post(client_for(owner), workspace, other.token, sandbox_api_url)
    assert response.status_code == 302
    connection = GatewayConnection.objects.get(workspace=workspace)
    assert connection.token == other.token
    assert (connection.check_state, connection.balance) == ("ok", Decimal(75))
    assert connection.balance_checked_at is not None
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("75 credits" in text for text in texts)
    assert AuditEvent.objects.filter(action="token_changed").count() == 1


def test_an_unreachable_gateway_keeps_the_current_token_and_says_so(
    settings, client_for, workspace, owner, working, sandbox_api_url
):
    closed = "http://127.0.0.1:9/api"  # the discard port: nothing listens there
    settings.TEXTCONNECT_ALLOWED_API_URLS = [*settings.TEXTCONNECT_ALLOWED_API_URLS, closed]
    response = _post(client_for(owner), workspace, working.token, closed)
    error = " ".join(response.context["form"].errors["token"])
    assert "could not be reached" in error
    connection = GatewayConnection.objects.get(workspace=workspace)
    assert (connection.api_url, connection.token) == (sandbox_api_url, working.token)


def test_the_check_has_the_gateway_calls_total_deadline_and_no_retries(
    settings, client_for, workspace, owner, working, sandbox_account, sandbox_api_url
):
    settings.TEXTCONNECT_TIMEOUT = 1
    slow = sandbox_account(credits=5)
    set_faults(slow, latency_before=4)
    started = time.monotonic()
    response = _post(client_for(owner), workspace, slow.token, sandbox_api_url)
    assert time.monotonic() - started < 3
    assert "token" in response.context["form"].errors
    assert GatewayConnection.objects.get(workspace=workspace).token == working.token


def test_a_save_without_a_new_token_checks_no_token_and_says_so(
    client_for, workspace, owner, working, sandbox_api_url, eager_tasks
):
    response = client_for(owner).post(
        gateway_url(workspace),
        {"token": "", "api_url": sandbox_api_url, "low_balance_threshold": "50"},
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == ["Gateway settings saved. Checking the balance…"]
    connection = GatewayConnection.objects.get(workspace=workspace)
    assert (connection.low_balance_threshold, connection.token) == (50, working.token)
    assert not AuditEvent.objects.filter(action="token_changed").exists()
