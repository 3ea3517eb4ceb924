"""The send flow by keyboard alone: Tab to each control, type, Enter; focus is always visible."""

import pytest
from playwright.sync_api import Page

from accounts.models import GatewayConnection

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80


def tab_to(page: Page, selector: str, text: str = "") -> None:
    """Press Tab until the control matching `selector` (and reading `text`) has the focus, and
    check that the focus shows."""
    focused = "([s, t]) => { const e = document.activeElement;"
    focused += " return e.matches(s) && (!t || e.textContent.trim() === t); }"
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(focused, [selector, text]):
            outline = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.boxShadow]; }"
            )
            assert outline != ["none", "none"], f"{selector} has the focus but does not show it"
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {selector}")


def test_compose_review_and_send_with_the_keyboard_only(
    live_server, page, workspace, sender, sandbox_account, sandbox_api_url, eager_tasks, settings
):
    settings.SANDBOX_DELIVERY_SECONDS = 0
    account = sandbox_account(credits=100)
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    log_in(page, live_server.url, sender.email)
    tab_to(page, ".sidebar a[href$='/send/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/send/")
    tab_to(page, "#id_numbers")
    page.keyboard.type("07700 900123")
    tab_to(page, "#id_source")
    page.keyboard.type("Acme")
    tab_to(page, "#id_body")
    page.keyboard.type("Your table is ready")
    tab_to(page, "button[type=submit]", "Review and send")
    page.keyboard.press("Enter")
    page.get_by_text("Check and send").wait_for()
    tab_to(page, "button[type=submit]", "Send now")
    page.keyboard.press("Enter")
    page.get_by_text("is on its way").wait_for()
    assert page.console_errors == []
