"""A new team's first week, as one story in the browser: sign up, use the sandbox, import contacts,
send to a group with a merge field, get a STOP, send again, and see counts that add up. Each step
is photographed (tmp_path/NN-step.png)."""

import pytest

from accounts.models import GatewayConnection
from contacts.models import Contact
from messaging.models import Broadcast
from sandbox import workers
from sandbox.models import Message as SandboxMessage
from sandbox.models import SandboxAccount

from .conftest import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = (
    "Name,Mobile,Group\nAnn Lee,07700 900601,Club\nBob Ray,07700 900602,Club\n,07700 900603,Club\n"
)


def test_a_new_teams_first_week_adds_up(live_server, page, settings, eager_tasks, tmp_path):
    settings.SITE_URL = live_server.url  # the mounted sandbox forwards texts to this server
    settings.SANDBOX_DELIVERY_SECONDS = 0
    base = live_server.url
    step = iter(range(1, 100))

    def shot(name: str) -> None:
        page.screenshot(path=tmp_path / f"{next(step):02d}-{name}.png", full_page=True)

    # Monday: sign up; the workspace comes with the sign-up.
    sign_up(page, base)
    page.wait_for_url("**/w/acme-ltd/")
    shot("dashboard")
    workspace = f"{base}/w/acme-ltd"

    # The sandbox, in one click from the gateway page.
    page.goto(f"{workspace}/settings/gateway/")
    page.get_by_role("button", name="Use the sandbox").click()
    page.get_by_text("Connected").first.wait_for()
    shot("gateway")
    connection = GatewayConnection.objects.get(workspace__slug="acme-ltd")
    account = SandboxAccount.objects.get(token=connection.token)

    # Tuesday: three contacts into the group "Club" (one without a name).
    page.goto(f"{workspace}/contacts/imports/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE.encode()}],
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Import", exact=True).wait_for()
    shot("import-preview")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("3 imported").or_(page.get_by_text("Imported 3")).first.wait_for()
    shot("import-result")
    assert Contact.objects.filter(workspace__slug="acme-ltd", groups__name="Club").count() == 3

    # Wednesday: a message to the group with a merge field and a stand-in.
    def send_to_club(body: str) -> str:
        page.goto(f"{workspace}/send/")
        page.get_by_label("Club").check()
        page.fill("#id_source", "Acme")
        page.fill("#id_body", body)
        page.get_by_role("button", name="Review and send").click()
        page.get_by_role("heading", name="Check and send").wait_for()
        review = page.locator("main").inner_text()
        shot("review")
        page.get_by_role("button", name="Send now").click()
        page.get_by_text("is on its way").wait_for()
        return review

    review = send_to_club("Hi {first_name|there}, class is at 7 tonight.")
    assert "3 recipients" in review and "Group “Club”: 3 members" in review
    page.get_by_text("3 of 3 recipients accepted by the gateway").wait_for()
    shot("sent")
    bodies = set(SandboxMessage.objects.filter(account=account).values_list("body", flat=True))
    assert bodies == {
        "Hi Ann, class is at 7 tonight.",
        "Hi Bob, class is at 7 tonight.",
        "Hi there, class is at 7 tonight.",
    }

    # Thursday: Bob texts STOP to the workspace's number, from his handset (the sandbox's page).
    page.goto(f"{base}/sandbox/accounts/{account.pk}/inbound/")
    page.get_by_label("From (handset)").fill("447700900602")
    page.locator("textarea[name=text], input[name=text]").fill("STOP")
    page.get_by_role("button", name="Send to the VMN").click()
    assert workers.wait_idle(30)
    page.goto(f"{workspace}/inbox/")
    page.get_by_text("Opted out").first.wait_for()
    shot("inbox-stop")

    # Friday: the same group again: Bob is skipped, and the figures say so.
    review = send_to_club("Hi {first_name|there}, Friday's class is cancelled.")
    assert "1 opted out: skipped, not charged" in review
    page.get_by_text("1 of them opted out: skipped, not charged.").wait_for()
    page.get_by_text("2 of 3 recipients accepted by the gateway").wait_for()
    shot("sent-again")
    latest = Broadcast.objects.filter(workspace__slug="acme-ltd").order_by("-id").first()
    assert (latest.sent_count, latest.skipped_count, latest.recipient_count) == (2, 1, 3)
    friday = SandboxMessage.objects.filter(account=account, body__contains="Friday")
    assert set(friday.values_list("destination", flat=True)) == {"447700900601", "447700900603"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.console_errors == []
