"""Setting up in a real browser: the time zone the browser reports, and its country."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from accounts.models import Membership

from ..factories import UserFactory
from .conftest import log_in, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paris_page(browser: Browser) -> Iterator[Page]:
    """A browser whose clock says Paris."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, timezone_id="Europe/Paris"
    )
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_first_workspace_starts_in_the_browsers_time_zone_and_country(
    live_server, paris_page, tmp_path
):
    UserFactory(email="ann@example.com")
    log_in(paris_page, live_server.url, "ann@example.com")
    paris_page.goto(f"{live_server.url}/accounts/workspaces/new/")
    assert paris_page.input_value("#id_time_zone") == "Europe/Paris"
    assert paris_page.input_value("#id_default_country") == "FR"
    paris_page.select_option("#id_time_zone", "America/Chicago")
    assert paris_page.input_value("#id_default_country") == "US"
    paris_page.screenshot(path=tmp_path / "new-workspace.png", full_page=True)
    assert paris_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert paris_page.console_errors == []  # no CSP violation


def test_a_country_picked_by_hand_stays(live_server, paris_page):
    UserFactory(email="ann@example.com")
    log_in(paris_page, live_server.url, "ann@example.com")
    paris_page.goto(f"{live_server.url}/accounts/workspaces/new/")
    paris_page.select_option("#id_default_country", "GB")
    paris_page.select_option("#id_time_zone", "Asia/Tokyo")
    assert paris_page.input_value("#id_default_country") == "GB"


def test_signing_up_in_paris_makes_a_paris_workspace(live_server, paris_page):
    sign_up(paris_page, live_server.url)
    paris_page.wait_for_url("**/w/acme-ltd/")
    workspace = Membership.objects.get(user__email="ann@example.com").workspace
    assert (workspace.time_zone, workspace.default_country) == ("Europe/Paris", "FR")
