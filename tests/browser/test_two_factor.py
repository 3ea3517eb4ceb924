"""Two-factor in a phone-sized browser: turn it on, keep the recovery codes, log in with one."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..accounts.test_two_factor import code_for, wrong_code_for
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_turn_on_keep_the_codes_and_log_in_with_one(live_server, browser, owner, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/accounts/two-factor/enrol/")
    page.fill("#id_code", code_for(TOTPDevice.objects.get(user=owner)))
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=tmp_path / "codes.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="I have kept them").click()
    page.get_by_text("10 recovery codes left").wait_for()

    context.clear_cookies()
    log_in(page, live_server.url, owner.email)
    page.get_by_role("heading", name="Enter your code").wait_for()
    page.fill("#id_code", wrong_code_for(TOTPDevice.objects.get(user=owner)))
    page.get_by_role("button", name="Verify and log in").click()
    page.get_by_text("That code is not right").wait_for()
    page.fill("#id_code", codes[3].upper())
    page.get_by_role("button", name="Verify and log in").click()
    page.get_by_text("You logged in with a recovery code: 9 are left.").wait_for()
    page.screenshot(path=tmp_path / "logged-in.png", full_page=True)
    assert errors == []
    context.close()
