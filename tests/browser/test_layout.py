"""The frame around every page: the phone menu, and the remembered light or dark appearance."""

import pytest

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_on_a_phone_the_menu_button_opens_and_closes_the_sidebar(
    live_server, page, workspace, viewer
):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, viewer.email)
    contacts = page.locator(".sidebar").get_by_role("link", name="Contacts")
    assert not contacts.is_visible()
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    contacts.wait_for(state="visible")
    assert menu.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    contacts.wait_for(state="hidden")
    assert page.console_errors == []


def test_the_dark_appearance_is_chosen_in_the_account_menu_and_remembered(
    live_server, page, workspace, viewer
):
    log_in(page, live_server.url, viewer.email)
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_label("Account menu").click()
    page.get_by_label("Dark").check()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    page.reload()
    assert page.locator("html").get_attribute("data-theme") == "dark"  # rendered by the server
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light
    page.get_by_label("Account menu").click()
    page.get_by_label("Automatic").check()
    page.reload()
    assert page.locator("html").get_attribute("data-theme") is None
