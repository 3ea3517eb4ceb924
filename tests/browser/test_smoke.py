"""A new user signs up in a real browser and lands on the dashboard."""

import pytest

from .conftest import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_lands_on_the_dashboard(live_server, page, tmp_path):
    sign_up(page, live_server.url)
    page.wait_for_url(f"{live_server.url}/w/acme-ltd/")
    assert page.locator("h1").inner_text() == "Acme Ltd"
    assert page.get_by_role("navigation", name="Workspace").get_by_text("Dashboard").is_visible()
    assert page.get_by_text("Welcome! Your workspace is ready.").is_visible()
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 10_000
    # A Content-Security-Policy violation or a missing asset shows as a console error.
    assert page.console_errors == []


def test_the_dashboard_reads_on_a_phone_without_sideways_scrolling(live_server, page, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_up(page, live_server.url)
    page.wait_for_url("**/w/acme-ltd/")
    page.goto(f"{live_server.url}/w/acme-ltd/settings/members/")
    page.screenshot(path=tmp_path / "members-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_keyboard_user_can_skip_to_content_and_reach_the_nav(live_server, page):
    sign_up(page, live_server.url, submit="enter")
    page.wait_for_url("**/w/acme-ltd/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
