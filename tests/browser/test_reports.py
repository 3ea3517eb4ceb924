"""A viewer requests a Messages report in the browser, waits for it, sees the chart and downloads
the CSV."""

import pytest

from accounts.gateway import client_for as gateway_client
from accounts.models import GatewayConnection

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_a_report_see_the_chart_and_download_the_csv(
    live_server,
    page,
    workspace,
    viewer,
    sandbox_account,
    sandbox_api_url,
    eager_tasks,
    settings,
    tmp_path,
):
    settings.SANDBOX_DELIVERY_SECONDS = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    account = sandbox_account(credits=100)
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    gateway_client(workspace).send(["+447700900123", "+447700900002"], "Acme", "Hello, world")
    log_in(page, live_server.url, viewer.email)
    page.get_by_role("link", name="Reports", exact=True).click()
    page.select_option("#id_report_type", "Messages")
    page.select_option("#id_preset", "last_7_days")
    page.get_by_role("button", name="Get report").click()
    page.locator("[data-report-state=ready]").wait_for()
    page.locator("#chart-status[data-drawn='1']").wait_for()
    assert page.locator("#chart-delivery[data-drawn='1']").count() == 1
    assert "447700900123" in page.locator(".report-table").inner_text()
    assert page.locator(".state[data-report-state]").count() == 1  # one status indicator
    page.get_by_role("button", name="Download").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Whole report (CSV)").click()
    text = download.value.path().read_text()
    assert text.splitlines()[0].startswith("MessageID,Username,Destination")
    assert "447700900002" in text
    page.screenshot(path=tmp_path / "report.png", full_page=True)
    assert page.console_errors == []
