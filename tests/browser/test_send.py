"""A sender composes and sends in the browser and watches the status turn Delivered."""

import pytest
from django.utils import timezone

from accounts.models import GatewayConnection
from messaging.services import tracking

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compose_send_and_see_delivered(
    live_server,
    page,
    workspace,
    sender,
    sandbox_account,
    sandbox_api_url,
    eager_tasks,
    settings,
    tmp_path,
):
    settings.SANDBOX_DELIVERY_SECONDS = 0
    account = sandbox_account(credits=100)
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    log_in(page, live_server.url, sender.email)
    page.get_by_role("link", name="Send", exact=True).click()
    page.fill("#id_numbers", "07700 900123")
    page.fill("#id_source", "Acme")
    page.fill("#id_body", "Your table is ready — see you soon ✓")
    page.locator("#counter mark", has_text="✓").wait_for()  # the live counter noticed ✓
    page.get_by_role("button", name="Review and send").click()
    page.get_by_text("Check and send").wait_for()
    assert "1" in page.locator(".facts dd").first.inner_text()
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("is on its way").wait_for()
    page.locator(".state", has_text="Pending").first.wait_for()
    tracking.track_all(now=timezone.now() + tracking.BACKOFF[0])  # beat's sweep, once due
    page.locator("td .state", has_text="Delivered").wait_for(timeout=10_000)  # the page polls
    page.screenshot(path=tmp_path / "delivered.png", full_page=True)
    assert page.console_errors == []
