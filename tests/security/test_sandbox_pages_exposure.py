"""Attack class: reading gateway tokens and inbound auth values off the sandbox's pages.

The development sandbox's pages list accounts with their tokens and their VMNs' forwarding auth
values. An anonymous visitor or a member of another workspace must get none of them, on the
sandbox mounted in the portal (`/sandbox/`) and on the sandbox served alone (`runsandbox`). Its API
stays token-based.
"""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client
from django.urls import reverse

from accounts.models import GatewayConnection
from sandbox.models import Faults, InboundMessage, SandboxAccount
from tests.sandbox.standalone import production_env, runsandbox, shared_database_url

pytestmark = pytest.mark.django_db

ACME_AUTH = "acme-forwarding-secret"
RIVAL_AUTH = "rival-forwarding-secret"
ACCOUNT_PAGES = ["sandbox:messages", "sandbox:book", "sandbox:inbound", "sandbox:faults"]


@pytest.fixture
def acme_sandbox(sandbox_account, workspace) -> SandboxAccount:
    """The sandbox account `workspace` (Acme) is connected to, with a VMN and its auth value."""
    account = sandbox_account(vmn="447700900555", forward_auth=ACME_AUTH)
    GatewayConnection.objects.create(workspace=workspace, token=account.token)
    return account


@pytest.fixture
def rival_sandbox(sandbox_account, other_workspace) -> SandboxAccount:
    account = sandbox_account(vmn="447700900666", forward_auth=RIVAL_AUTH)
    GatewayConnection.objects.create(workspace=other_workspace, token=account.token)
    return account


def _secrets_in(page: str, account: SandboxAccount, auth: str) -> list[str]:
    return [secret for secret in (account.token, auth) if secret in page]


# --- Anonymous visitors --------------------------------------------------------------------


def test_anonymous_visitor_reads_no_token_or_vmn_auth_from_the_accounts_page(acme_sandbox):
    response = Client().get(reverse("sandbox:accounts"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert _secrets_in(response.content.decode(), acme_sandbox, ACME_AUTH) == []


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_anonymous_visitor_reads_no_token_from_an_account_page(acme_sandbox, name):
    response = Client().get(reverse(name, args=[acme_sandbox.pk]))
    assert response.status_code == 302
    assert _secrets_in(response.content.decode(), acme_sandbox, ACME_AUTH) == []


def test_anonymous_visitor_cannot_create_a_sandbox_account(transactional_db):
    form = {"username": "intruder", "credits": "1000000", "forward_method": "POST"}
    assert Client().post(reverse("sandbox:accounts"), form).status_code == 302
    assert not SandboxAccount.objects.filter(username="intruder").exists()


def test_anonymous_visitor_cannot_set_faults_or_fake_an_inbound_text(acme_sandbox):
    client = Client()
    client.post(reverse("sandbox:faults", args=[acme_sandbox.pk]), {"maintenance": "on"})
    client.post(
        reverse("sandbox:inbound", args=[acme_sandbox.pk]),
        {"vmn": "447700900555", "sender": "447700900100", "text": "fake"},
    )
    assert not Faults.objects.get(account=acme_sandbox).maintenance
    assert not InboundMessage.objects.exists()


def test_the_api_stays_token_based_for_anonymous_callers(acme_sandbox):
    answer = Client().post(
        reverse("sandbox:api"), {"Token": acme_sandbox.token, "Action": "CheckCredits"}
    )
    assert answer.content == b"1000"


# --- A member of another workspace ---------------------------------------------------------


def test_member_of_another_workspace_reads_only_their_own_token(
    client_for, outsider, acme_sandbox, rival_sandbox
):
    page = client_for(outsider).get(reverse("sandbox:accounts")).content.decode()
    assert _secrets_in(page, acme_sandbox, ACME_AUTH) == []
    assert _secrets_in(page, rival_sandbox, RIVAL_AUTH) == [rival_sandbox.token]


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_member_of_another_workspace_gets_404_on_each_page_of_the_account(
    client_for, outsider, acme_sandbox, rival_sandbox, name
):
    response = client_for(outsider).get(reverse(name, args=[acme_sandbox.pk]))
    assert response.status_code == 404
    assert _secrets_in(response.content.decode(), acme_sandbox, ACME_AUTH) == []


def test_member_of_another_workspace_cannot_set_faults_on_the_account(
    client_for, outsider, acme_sandbox
):
    url = reverse("sandbox:faults", args=[acme_sandbox.pk])
    assert client_for(outsider).post(url, {"maintenance": "on"}).status_code == 404
    assert not Faults.objects.get(account=acme_sandbox).maintenance


def test_member_of_another_workspace_cannot_create_sandbox_accounts(client_for, outsider):
    form = {"username": "intruder", "credits": "1000000", "forward_method": "POST"}
    assert client_for(outsider).post(reverse("sandbox:accounts"), form).status_code == 403
    assert not SandboxAccount.objects.filter(username="intruder").exists()


def test_a_user_of_no_workspace_reads_no_token(client_for, django_user_model, acme_sandbox):
    loner = django_user_model.objects.create_user("loner@example.com", password="pw")
    page = client_for(loner).get(reverse("sandbox:accounts")).content.decode()
    assert _secrets_in(page, acme_sandbox, ACME_AUTH) == []


# --- The controls: members see their own account, staff see every one ---------------------


def test_a_viewer_of_the_workspace_reads_no_token_of_its_account(client_for, viewer, acme_sandbox):
    """A viewer (or a sender) could send through the API with the token: only the owner sees it."""
    page = client_for(viewer).get(reverse("sandbox:accounts")).content.decode()
    assert _secrets_in(page, acme_sandbox, ACME_AUTH) == []


def test_the_owner_of_the_workspace_sees_its_account(client_for, owner, acme_sandbox):
    client = client_for(owner)
    assert acme_sandbox.token in client.get(reverse("sandbox:accounts")).content.decode()
    page = client.get(reverse("sandbox:inbound", args=[acme_sandbox.pk])).content.decode()
    assert ACME_AUTH in page


def test_staff_see_every_account(client_for, django_user_model, acme_sandbox, rival_sandbox):
    staff = django_user_model.objects.create_user("ops@example.com", is_staff=True)
    page = client_for(staff).get(reverse("sandbox:accounts")).content.decode()
    assert acme_sandbox.token in page and rival_sandbox.token in page


# --- The sandbox served alone (runsandbox, DEBUG off) ---------------------------------------


@pytest.fixture
def standalone_base(transactional_db, settings):
    # The same secret key as the portal under test, as a development machine has for both.
    env = production_env(shared_database_url(), SECRET_KEY=settings.SECRET_KEY)
    with runsandbox(env) as base:
        yield base


def test_anonymous_visitor_of_the_sandbox_served_alone_gets_the_login_page(
    standalone_base, acme_sandbox
):
    response = requests.get(f"{standalone_base}/", timeout=10)
    assert response.url == f"{standalone_base}/login/?next=/"
    assert _secrets_in(response.text, acme_sandbox, ACME_AUTH) == []
    page = requests.get(f"{standalone_base}/accounts/{acme_sandbox.pk}/inbound/", timeout=10)
    assert _secrets_in(page.text, acme_sandbox, ACME_AUTH) == []


def test_login_on_the_sandbox_served_alone_is_no_session_for_the_portal(
    standalone_base, live_server, django_user_model, acme_sandbox
):
    """Same host, same database: the sandbox's password-only login must not open the portal,
    whose login may ask for a second factor."""
    staff = django_user_model.objects.create_user("ops@example.com", is_staff=True)
    staff.password = PBKDF2PasswordHasher().encode("sandbox-pass-123", "saltsalt", iterations=1000)
    staff.save()
    with requests.Session() as browser:
        login_page = browser.get(f"{standalone_base}/login/", timeout=10)
        assert login_page.status_code == 200
        page = browser.post(
            f"{standalone_base}/login/",
            data={
                "username": "ops@example.com",
                "password": "sandbox-pass-123",
                "csrfmiddlewaretoken": browser.cookies["sandbox_csrftoken"],
            },
            headers={"Referer": f"{standalone_base}/login/"},
            timeout=10,
        )
        assert acme_sandbox.token in page.text  # staff, logged in on the sandbox
        stolen = browser.cookies["sandbox_sessionid"]
    portal = requests.get(
        f"{live_server.url}/", cookies={"sessionid": stolen}, allow_redirects=False, timeout=10
    )
    assert portal.status_code == 302
    assert portal.headers["Location"].startswith(reverse("accounts:login"))


def test_member_of_another_workspace_cannot_add_a_vmn_to_the_account(
    client_for, outsider, acme_sandbox
):
    url = reverse("sandbox:inbound", args=[acme_sandbox.pk])
    data = {"add_vmn": "1", "number": "447700900999", "forward_url": "http://evil.example/"}
    assert client_for(outsider).post(url, data).status_code == 404
    assert list(acme_sandbox.vmns.values_list("number", flat=True)) == ["447700900555"]


def test_the_owner_adds_a_vmn_to_their_workspaces_account(client_for, owner, acme_sandbox):
    url = reverse("sandbox:inbound", args=[acme_sandbox.pk])
    client_for(owner).post(url, {"add_vmn": "1", "number": "447700900999", "forward_method": "GET"})
    assert acme_sandbox.vmns.filter(number="447700900999", forward_method="GET").exists()
