"""Playwright for Python driving Debian's Chromium against the live test server."""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
# it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from ..conftest import signup_link
from ..factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            page.console_errors.append(message.text)  # type: ignore[attr-defined]

    page.on("console", on_console)
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page: Page, base: str, email: str) -> None:
    """Log in through the login form as a member made by the factories."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")


def sign_up(page: Page, base: str, submit: str = "click") -> None:
    """Sign up as Ann Lee (Acme Ltd) through both steps: the form, then the mailed link."""
    page.goto(f"{base}/accounts/signup/")
    page.fill("#id_name", "Ann Lee")
    page.fill("#id_email", "ann@example.com")
    page.fill("#id_workspace_name", "Acme Ltd")
    page.click("button[type=submit]")
    page.get_by_role("heading", name="Check your email").wait_for()
    page.goto(signup_link("ann@example.com"))
    page.fill("#id_password", "correct horse battery")
    if submit == "enter":
        page.keyboard.press("Enter")
    else:
        page.click("button[type=submit]")
