"""Settings → API in a real browser: make a key (shown once) and use it; add a webhook endpoint,
send a test event and see it delivered in the log; at 1280 and 390 px."""

import pytest
import requests

from accounts.models import WebhookEndpoint

from ..webhooks.conftest import receiver  # noqa: F401 - the local receiver fixture
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_keys_and_webhooks_end_to_end(live_server, page, workspace, owner, receiver, settings,  # noqa: F811
                                      eager_tasks, tmp_path):  # fmt: skip
    settings.WEBHOOKS_ALLOW_HTTP = settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    base = f"{live_server.url}/w/{workspace.slug}/settings/api/"
    log_in(page, live_server.url, owner.email)
    page.goto(base)
    assert page.title().startswith("API")  # the title is the page's name alone
    page.fill("#id_name", "Booking system")
    page.get_by_label("Send messages").check()
    page.get_by_role("button", name="Make the key").click()
    raw = page.locator("#new-key").inner_text()
    page.screenshot(path=tmp_path / "key-1280.png", full_page=True)
    answer = requests.get(f"{live_server.url}/api/v1/balance/",
                          headers={"Authorization": f"Bearer {raw}"}, timeout=10)  # fmt: skip
    assert answer.status_code == 200
    page.reload()
    assert raw not in page.content()
    assert page.get_by_role("cell", name="Booking system").count() == 1

    page.get_by_role("button", name="Add an endpoint").click()
    page.fill("#id_url", receiver.url)
    page.get_by_role("button", name="Add the endpoint").click()
    secret = page.locator("#signing-secret").inner_text()
    assert secret == WebhookEndpoint.objects.get().secret
    page.get_by_role("button", name="Send a test event").click()
    page.get_by_text("A test event is on its way").wait_for()
    page.reload()
    page.get_by_role("cell", name="Delivered").wait_for()
    assert [r.payload["type"] for r in receiver.received] == ["endpoint.test"]
    page.screenshot(path=tmp_path / "webhook-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (base, page.url):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.screenshot(path=tmp_path / "webhook-390.png", full_page=True)
    page.goto(base)
    page.screenshot(path=tmp_path / "api-390.png", full_page=True)
    assert page.console_errors == []
