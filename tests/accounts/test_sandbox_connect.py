"""'Use the sandbox': in development, a sandbox account with credits and a VMN, in one click."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AuditEvent, GatewayConnection
from inbound.models import InboundMessage, VirtualNumber
from sandbox import inbound as sandbox_inbound
from sandbox import workers
from sandbox.models import SandboxAccount

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mounted(settings, live_server):
    """The portal's own address is the live server's, so the mounted sandbox is reachable."""
    settings.SITE_URL = live_server.url
    yield f"{live_server.url}/sandbox/api"
    workers.wait_idle(30)


def gateway_page(ws, name="accounts_ws:gateway"):
    return reverse(name, kwargs={"slug": ws.slug})


def use_sandbox(client, ws):  # noqa: ANN001
    return client.post(gateway_page(ws, "accounts_ws:gateway_sandbox"))


def test_the_owner_is_offered_the_sandbox_on_the_gateway_page(client_for, workspace, owner):
    page = client_for(owner).get(gateway_page(workspace)).content.decode()
    assert "Use the sandbox" in page
    assert gateway_page(workspace, "accounts_ws:gateway_sandbox") in page


def test_one_click_makes_and_connects_a_sandbox_account_with_credits_and_a_vmn(
    client_for, workspace, owner, mounted
):
    response = use_sandbox(client_for(owner), workspace)
    connection = GatewayConnection.objects.get(workspace=workspace)
    account = SandboxAccount.objects.get(token=connection.token)
    assert (connection.check_state, connection.balance) == ("ok", Decimal(1000))
    assert connection.effective_api_url == mounted
    assert connection.is_admin_account and account.is_admin
    remote_vmn = account.vmns.get()
    inbox_vmn = VirtualNumber.objects.get(workspace=workspace)
    assert inbox_vmn.number == "+" + remote_vmn.number
    assert remote_vmn.forward_url == f"{mounted[: -len('/sandbox/api')]}/inbound/{inbox_vmn.key}/"
    assert (remote_vmn.forward_method, remote_vmn.forward_auth) == (
        inbox_vmn.method,
        inbox_vmn.auth,
    )
    assert any("1000 credits" in str(m) for m in get_messages(response.wsgi_request))
    actions = set(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {"sandbox_connected", "token_changed", "vmn_added"} <= actions


def test_a_text_to_the_sandbox_vmn_arrives_in_the_inbox(
    client_for, workspace, owner, mounted, eager_tasks
):
    use_sandbox(client_for(owner), workspace)
    vmn = SandboxAccount.objects.get().vmns.get()
    sandbox_inbound.receive(to=vmn.number, sender="447700900123", text="Is Saturday free?")
    workers.wait_idle(15)
    assert InboundMessage.objects.get(workspace=workspace).body == "Is Saturday free?"


def test_two_workspaces_get_two_accounts_and_two_numbers(
    client_for, workspace, owner, other_workspace, outsider, mounted
):
    use_sandbox(client_for(owner), workspace)
    use_sandbox(client_for(outsider), other_workspace)
    accounts = SandboxAccount.objects.order_by("pk")
    assert accounts.count() == 2
    assert len({a.vmns.get().number for a in accounts}) == 2


def test_a_failed_connection_leaves_no_account_or_vmn_behind(
    settings, client_for, workspace, owner
):
    settings.SITE_URL = "http://127.0.0.1:9"  # nothing answers there: the check fails
    response = use_sandbox(client_for(owner), workspace)
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert errors and "could not be reached" in errors[0]
    assert not GatewayConnection.objects.exists()
    assert not SandboxAccount.objects.exists()
    assert not VirtualNumber.objects.exists()


@pytest.mark.parametrize("persona", ["admin", "sender"])
def test_only_the_owner_uses_the_sandbox(request, client_for, workspace, owner, persona):
    client = client_for(request.getfixturevalue(persona))
    assert use_sandbox(client, workspace).status_code == 403
    assert not SandboxAccount.objects.exists()


def test_an_admin_is_not_offered_the_sandbox(client_for, workspace, owner, admin, connect,
                                              sandbox_account):  # fmt: skip
    connect(workspace, sandbox_account())
    assert "Use the sandbox" not in client_for(admin).get(gateway_page(workspace)).content.decode()


def test_without_the_sandbox_nothing_is_offered(settings, client_for, workspace, owner):
    settings.SANDBOX_ENABLED = False
    page = client_for(owner).get(gateway_page(workspace)).content.decode()
    assert "Use the sandbox" not in page
    assert "Sandbox (development)" not in page
    assert use_sandbox(client_for(owner), workspace).status_code == 404
    assert not SandboxAccount.objects.exists()


def test_the_portal_links_to_the_sandbox_and_to_the_connected_account(
    client_for, workspace, owner, mounted
):
    use_sandbox(client_for(owner), workspace)
    account = SandboxAccount.objects.get()
    page = client_for(owner).get(gateway_page(workspace)).content.decode()
    assert f'href="{reverse("sandbox:accounts")}">Sandbox (development)' in page
    assert f'href="{reverse("sandbox:messages", args=[account.pk])}"' in page


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_only_one_small_module_of_the_portal_imports_the_sandbox():
    portal = ["accounts", "messaging", "contacts", "inbound", "reporting"]
    importers = {
        str(path.relative_to(ROOT))
        for app in portal
        for path in (ROOT / app).rglob("*.py")
        if "sandbox" in _imports(path)
    }
    assert importers == {"accounts/sandbox_gateway.py"}


def test_the_sandbox_imports_no_portal_app():
    portal = {"accounts", "messaging", "contacts", "inbound", "reporting"}
    for path in (ROOT / "sandbox").rglob("*.py"):
        assert not _imports(path) & portal, path
