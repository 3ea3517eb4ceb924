"""Attacks on the gateway token: sending the stored token to a server the attacker controls."""

import pytest
from django.urls import reverse

from accounts.models import GatewayConnection
from accounts.services.gateway import gateway_check
from tests.textconnect.scripted_server import running

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def attacker_server():
    """A server of the attacker's that records every request it gets."""
    with running() as server:
        yield server


@pytest.fixture
def connected(workspace, sandbox_account, sandbox_api_url):
    account = sandbox_account(credits=100)
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    return account


def post_gateway(client, workspace, **data):
    url = reverse("accounts_ws:gateway", kwargs={"slug": workspace.slug})
    return client.post(url, {"token": "", "low_balance_threshold": "", **data})


def tokens_received(server) -> list[str]:
    return [request.params.get("Token", "") for request in server.received]


def test_admin_cannot_redirect_the_token_to_their_own_server(
    client_for, workspace, owner, admin, connected, attacker_server, sandbox_api_url, eager_tasks
):
    post_gateway(client_for(admin), workspace, api_url=attacker_server.url)
    assert attacker_server.received == []
    assert GatewayConnection.objects.get(workspace=workspace).effective_api_url == sandbox_api_url


def test_admin_cannot_replace_the_token(
    client_for, workspace, owner, admin, connected, sandbox_account, sandbox_api_url, eager_tasks
):
    theirs = sandbox_account(credits=5)
    post_gateway(client_for(admin), workspace, token=theirs.token, api_url=sandbox_api_url)
    assert GatewayConnection.objects.get(workspace=workspace).token == connected.token


def test_owner_cannot_point_the_gateway_at_an_unlisted_server(
    client_for, workspace, owner, connected, attacker_server, eager_tasks
):
    response = post_gateway(
        client_for(owner), workspace, token=connected.token, api_url=attacker_server.url
    )
    assert "api_url" in response.context["form"].errors
    assert attacker_server.received == []


def test_a_url_change_without_the_token_typed_again_is_refused(
    settings, client_for, workspace, owner, connected, attacker_server, eager_tasks
):
    # Even a URL the operator lists does not get the stored token without the owner retyping it.
    settings.TEXTCONNECT_ALLOWED_API_URLS = [
        *settings.TEXTCONNECT_ALLOWED_API_URLS,
        attacker_server.url,
    ]
    response = post_gateway(client_for(owner), workspace, api_url=attacker_server.url)
    assert "token" in response.context["form"].errors
    assert connected.token not in tokens_received(attacker_server)


def test_a_stored_url_the_operator_no_longer_lists_gets_no_token(
    workspace, connected, attacker_server
):
    GatewayConnection.objects.filter(workspace=workspace).update(api_url=attacker_server.url)
    assert gateway_check(workspace=workspace) is None
    assert attacker_server.received == []
    assert GatewayConnection.objects.get(workspace=workspace).check_state == "failed"
