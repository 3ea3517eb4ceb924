"""Every page fits a phone and passes axe-core: a walk through all the portal's pages.

The pages come from the URL patterns (as in tests/test_cross_tenant.py), so a new page is walked
as soon as it exists. The demo workspace (`seed_demo`) gives every list data; routes with an object
in their URL get one from the cross-tenant test's makers. Each page is opened at 390x844 (dark) and
1280x800 (light); neither may scroll sideways, and axe-core may find nothing serious or critical.
"""

import io
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver, reverse
from playwright.sync_api import Browser, Page

from accounts.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG
from accounts.models import User, Workspace
from contacts.models import Contact, ContactImport, Group
from inbound.models import Conversation, VirtualNumber
from messaging.models import Broadcast, Message
from reporting.models import ReportSnapshot
from sandbox.models import SandboxAccount

from ..test_cross_tenant import OBJECT_MAKERS, _walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The phone in dark mode and the laptop in light, so axe checks the contrast of both schemes.
VIEWPORTS = [(390, 844, "dark"), (1280, 800, "light")]
SKIPPED_NAMESPACES = ("admin:", "devmail:")  # Django's admin is the operator's; the dev mailbox
SERIOUS = {"serious", "critical"}
_axe = Axe()
# The demo's own objects where it has them (pages full of data); the cross-tenant makers otherwise.
DEMO_OBJECTS = {
    "broadcast_id": Broadcast, "message_id": Message, "contact_id": Contact, "group_id": Group,
    "import_id": ContactImport, "conversation_id": Conversation, "vmn_id": VirtualNumber,
    "snapshot_id": ReportSnapshot,
}  # fmt: skip


@dataclass(frozen=True)
class Visit:
    url: str
    signed_in: bool


def _arguments(route_arguments: tuple[str, ...], ws: Workspace) -> dict[str, object] | None:
    kwargs: dict[str, object] = {}
    for argument in route_arguments:
        if argument == "slug":
            kwargs[argument] = ws.slug
        elif argument == "pk":  # the sandbox's account pages
            kwargs[argument] = SandboxAccount.objects.get(token=ws.gateway.token).pk
        elif argument in DEMO_OBJECTS and DEMO_OBJECTS[argument].objects.filter(workspace=ws):
            kwargs[argument] = DEMO_OBJECTS[argument].objects.filter(workspace=ws).first().public_id
        elif argument in OBJECT_MAKERS:
            kwargs[argument] = OBJECT_MAKERS[argument](ws)
        else:
            return None  # a one-time token: the page is reached only from a mailed link
    return kwargs


def _is_page(client: Client, url: str) -> bool:
    """A whole HTML page (not an htmx fragment, a download or a redirect)."""
    response = client.get(url)
    content_type = response.get("Content-Type", "")
    return (
        response.status_code == 200
        and content_type.startswith("text/html")
        and b"<html" in response.content[:500]
    )


def _visits(ws: Workspace, user: User) -> list[Visit]:
    signed_in, anonymous = Client(), Client()
    signed_in.force_login(user)
    visits = []
    for route in _walk(get_resolver().url_patterns):
        if route.name.startswith(SKIPPED_NAMESPACES):
            continue
        kwargs = _arguments(route.arguments, ws)
        if kwargs is None:
            continue
        url = reverse(route.name, kwargs=kwargs)
        if _is_page(signed_in, url):
            visits.append(Visit(url, signed_in=True))
        elif _is_page(anonymous, url):
            visits.append(Visit(url, signed_in=False))
    return visits


def _problems(page: Page, url: str, width: int) -> list[str]:
    problems = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > page.evaluate("window.innerWidth"):
        problems.append(f"{url} at {width} px is {scroll_width} px wide")
    results = _axe.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [" ".join(n["target"]) for n in violation["nodes"][:3]]
            problems.append(f"{url} at {width} px: {violation['id']} {targets}")
    return problems


def _pages(browser: Browser, base: str) -> dict[tuple[int, bool], Page]:
    pages = {}
    for width, height, scheme in VIEWPORTS:
        for signed_in in (True, False):
            context = browser.new_context(
                viewport={"width": width, "height": height}, color_scheme=scheme
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            if signed_in:
                page.goto(f"{base}/accounts/login/")
                page.fill("#id_username", DEMO_EMAIL)
                page.fill("#id_password", DEMO_PASSWORD)
                page.click("form button[type=submit]")
                page.wait_for_url(f"{base}/w/**")
            pages[width, signed_in] = page
    return pages


def test_every_page_fits_a_phone_and_passes_axe(live_server, browser, sandbox_api_url, settings):
    settings.SITE_URL = live_server.url
    settings.SANDBOX_DELIVERY_SECONDS = 0
    call_command("seed_demo", stdout=io.StringIO())
    ws = Workspace.objects.get(slug=DEMO_SLUG)
    visits = _visits(ws, User.objects.get(email=DEMO_EMAIL))
    walked = {v.url for v in visits}
    assert {f"/w/{DEMO_SLUG}/", f"/w/{DEMO_SLUG}/contacts/", "/accounts/login/",
            f"/w/{DEMO_SLUG}/contacts/suppressed/"} <= walked  # fmt: skip
    assert any(url.startswith("/sandbox/") for url in walked)
    pages = _pages(browser, live_server.url)
    problems = []
    for visit in visits:
        for width, _, _ in VIEWPORTS:
            page = pages[width, visit.signed_in]
            page.goto(live_server.url + visit.url)
            problems += _problems(page, visit.url, width)
    for page in pages.values():
        page.context.close()
    assert problems == [], "\n".join(problems)
