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


def test_a_weekly_series_shows_its_next_five_dates_before_and_after_saving(
    live_server, page, workspace, sender, sandbox_account, sandbox_api_url, tmp_path
):
    account = sandbox_account(credits=100)
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    log_in(page, live_server.url, sender.email)
    page.get_by_role("link", name="Send", exact=True).click()
    page.fill("#id_numbers", "07700 900124")
    page.fill("#id_source", "Acme")
    page.fill("#id_body", "Gym class tonight at 7")
    page.fill("#id_schedule_at", "2027-03-16T09:00")  # a Tuesday, before the clocks change
    page.get_by_text("Repeat", exact=True).click()
    page.select_option("#id_repeat", "weekly")
    page.get_by_role("checkbox", name="Tuesday").check()
    preview = page.locator("#repeat-preview ol li")
    preview.nth(4).wait_for()  # the composer shows the next five as the choice changes
    assert preview.first.inner_text() == "Tue 16 Mar 2027, 09:00"
    assert preview.nth(3).inner_text() == "Tue 6 Apr 2027, 09:00"  # 09:00 after 28 March too
    page.screenshot(path=tmp_path / "repeat-preview.png", full_page=True)
    page.get_by_role("button", name="Review and send").click()
    page.locator(".upcoming li").nth(4).wait_for()
    page.get_by_role("button", name="Set up the repeating message").click()
    page.get_by_text("Every week on Tuesday at 09:00").wait_for()
    assert page.locator(".upcoming li").count() == 5
    page.screenshot(path=tmp_path / "series.png", full_page=True)
    assert page.console_errors == []
