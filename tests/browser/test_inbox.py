"""A handset texts the workspace's VMN and the text appears in the open inbox, in a real browser."""

import pytest
from django.urls import reverse

from accounts.models import GatewayConnection
from inbound.models import VirtualNumber
from sandbox import inbound as handset

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VMN = "447700900777"


def test_a_handset_reply_appears_in_the_open_inbox(
    live_server, page, workspace, owner, sandbox_account, sandbox_api_url, eager_tasks, settings,
    tmp_path,
):  # fmt: skip
    settings.SANDBOX_DELIVERY_SECONDS = 0
    vmn = VirtualNumber.objects.create(workspace=workspace, number="+" + VMN, label="Main")
    endpoint = reverse("inbound_endpoint:receive", kwargs={"key": vmn.key})
    account = sandbox_account(
        username="acme", vmn=VMN, forward_url=live_server.url + endpoint, forward_auth=vmn.auth
    )
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    log_in(page, live_server.url, owner.email)
    page.get_by_role("link", name="Inbox").click()
    page.get_by_text("No texts yet.").wait_for()

    handset.receive(to=VMN, sender="07700 900123", text="Is the shop open on Sunday?")
    page.get_by_text("Is the shop open on Sunday?").wait_for(timeout=15_000)
    assert page.locator(".nav-badge").inner_text().startswith("1")
    page.screenshot(path=tmp_path / "inbox.png", full_page=True)

    page.get_by_text("Is the shop open on Sunday?").click()
    page.fill("#id_body", "Yes, from 10 to 4.")
    page.get_by_role("button", name="Send reply").click()
    page.locator(".bubble-out").get_by_text("Yes, from 10 to 4.").wait_for()
    status = page.locator(".bubble-out .state")
    status.wait_for()
    assert status.inner_text() in {"Submitted", "Pending", "Sent", "Delivered"}  # on the gateway
    page.screenshot(path=tmp_path / "conversation.png", full_page=True)
    assert page.console_errors == []
