"""A tracked send in the browser: the counter counts the short link, the review shows it, the
recipient's click lands on the page of the broadcast; at 1280 and 390 px."""

import pytest

from accounts.models import GatewayConnection
from messaging.models import Message, TrackedLink
from messaging.services import links

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "https://acme.example.com/menu/winter-specials-2026?utm_source=sms&utm_campaign=winter"


def test_a_tracked_send_and_its_click(
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
    settings.SITE_URL = live_server.url
    account = sandbox_account(credits=100)
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    log_in(page, live_server.url, sender.email)
    page.goto(f"{live_server.url}/w/{workspace.slug}/send/")
    page.fill("#id_numbers", "07700 900123\n07700 900124")
    page.fill("#id_source", "Acme")
    page.fill("#id_body", f"Winter menu is out: {URL}")
    page.get_by_text("Links tracked").wait_for()
    page.screenshot(path=tmp_path / "compose-1280.png", full_page=True)
    page.get_by_role("button", name="Review and send").click()
    page.get_by_role("heading", name="Check and send").wait_for()
    assert f"{links.base_url()}" in page.locator("main").inner_text()
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("is on its way").wait_for()
    message = Message.objects.filter(destination="+447700900123").get()
    code = TrackedLink.objects.get(message=message).code
    # The recipient's phone follows the link (its own user agent: headless browsers count as bots).
    phone = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)"}
    answer = page.request.get(f"{live_server.url}/l/{code}", max_redirects=0, headers=phone)
    assert answer.status == 302 and answer.headers["location"] == URL
    links.clicks_drain()
    page.reload()
    page.get_by_text("People who clicked").wait_for()
    assert "(50 %)" in page.locator("#link-clicks").inner_text()
    page.screenshot(path=tmp_path / "broadcast-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "broadcast-390.png", full_page=True)
    assert page.console_errors == []
