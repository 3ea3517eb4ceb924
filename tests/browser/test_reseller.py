"""A reseller creates a child account and moves credits to it, in a real browser."""

from decimal import Decimal

import pytest

from accounts.models import GatewayConnection
from sandbox.models import SandboxAccount

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_child_and_move_credits(
    live_server, page, workspace, owner, sandbox_account, sandbox_api_url, eager_tasks, tmp_path
):
    parent = sandbox_account(username="reseller", credits=500, admin=True)
    GatewayConnection.objects.create(
        workspace=workspace, token=parent.token, api_url=sandbox_api_url, is_admin_account=True
    )
    log_in(page, live_server.url, owner.email)
    page.get_by_role("link", name="Reseller").click()
    page.get_by_role("button", name="New child account").click()
    page.fill("#id_username", "corner-shop")
    page.get_by_role("button", name="Generate").click()
    assert len(page.input_value("#id_password")) == 16
    page.fill("#id_first_name", "Cory")
    page.fill("#id_last_name", "Shop")
    page.fill("#id_email", "cory@shop.test")
    page.fill("#id_starting_credits", "50")
    page.get_by_role("button", name="Create child account").click()
    page.get_by_text("Active", exact=True).wait_for()
    page.on("dialog", lambda dialog: dialog.accept())
    page.fill("#id_quantity", "20")
    page.fill("#id_reason", "Monthly top-up")
    page.get_by_role("button", name="Transfer").click()
    page.get_by_text("Monthly top-up").wait_for()
    page.screenshot(path=tmp_path / "child.png", full_page=True)
    assert SandboxAccount.objects.get(username="corner-shop").credits == Decimal(70)
    assert page.locator(".balance-pill").inner_text() == "430 credits"
    assert page.console_errors == []
