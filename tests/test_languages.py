"""Languages: British English by default (2/12/2026, 24-hour times), Welsh complete, the picker
and each person's saved choice, and gateway errors in words with what to do."""

import re
import uuid
from datetime import UTC, date, datetime, time
from html.parser import HTMLParser

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts.gateway_words import gateway_error_html, gateway_error_text, gateway_words
from accounts.models import GatewayConnection
from accounts.widgets import LocalDateInput, LocalDateTimeInput, LocalTimeInput
from messaging.models import Broadcast
from textconnect import ERROR_TEXTS
from textconnect.advice import ADVICE

pytestmark = pytest.mark.django_db

# Words that are English and never Welsh: any of them on a Welsh page is a string left out.
ENGLISH = {
    "the",
    "and",
    "your",
    "with",
    "this",
    "that",
    "send",
    "sent",
    "message",
    "messages",
    "recipient",
    "recipients",
    "credit",
    "credits",
    "schedule",
    "scheduled",
    "review",
    "cancel",
    "delete",
    "settings",
    "contacts",
    "groups",
    "dashboard",
    "password",
    "account",
    "inbox",
    "reports",
    "sender",
    "part",
    "parts",
    "characters",
    "minute",
    "minutes",
    "hour",
    "hours",
    "delivered",
    "queued",
    "failed",
    "status",
    "outcome",
    "from",
    "now",
    "later",
    "template",
    "search",
    "change",
    "discard",
    "preview",
    "when",
    "what",
    "skip",
    "content",
    "menu",
    "workspace",
    "balance",
    "left",
    "check",
    "times",
    "test",
    "number",
    "numbers",
    "list",
}
# Data and names that stay as they are in every language.
KEPT = {"Acme", "Hello", "Text-Connect", "Portal", "SMS", "GSM", "UCS-2", "TC", "UTC", "CSV"}


class _Words(HTMLParser):
    """The text a person reads or hears: element text and the attributes shown or spoken."""

    SPOKEN = ("title", "placeholder", "aria-label", "alt", "data-confirm", "value")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name in self.SPOKEN:
            if name == "value" and values.get("type") not in ("submit", "button"):
                continue
            if values.get(name):
                self.parts.append(values[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def english_left(html: str, data: set[str]) -> set[str]:
    parser = _Words()
    parser.feed(html)
    text = " ".join(parser.parts)
    for kept in KEPT | data:
        text = text.replace(kept, " ")
    return {word for word in re.findall(r"[A-Za-z]+", text) if word.lower() in ENGLISH}


def send_url(workspace, name: str, **kwargs) -> str:  # noqa: ANN001
    return reverse(f"messaging:{name}", kwargs={"slug": workspace.slug, **kwargs})


@pytest.fixture
def gateway(sandbox_account, sandbox_api_url, workspace, settings):  # noqa: ANN001, ANN201
    """The workspace connected to a sandbox account that delivers at once."""
    settings.SANDBOX_DELIVERY_SECONDS = 0
    account = sandbox_account(username="acme", credits=100_000)
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    return account


@pytest.fixture
def welsh_sender(sender):  # noqa: ANN001, ANN201
    sender.language = "cy"
    sender.save(update_fields=["language"])
    return sender


@pytest.mark.django_db(transaction=True)
def test_the_send_flow_in_welsh_has_no_english_left(
    client_for, workspace, welsh_sender, gateway, eager_tasks
):
    client = client_for(welsh_sender)
    data = {welsh_sender.email, welsh_sender.get_short_name(), workspace.name}
    compose = client.get(send_url(workspace, "compose"))
    assert compose.status_code == 200
    assert english_left(compose.content.decode(), data) == set()
    posted = client.post(
        send_url(workspace, "compose"),
        {"numbers": "+447700900101\n+447700900102", "source": "Acme", "body": "Hello",
         "validity_seconds": "86400", "idempotency_key": str(uuid.uuid4())},
    )  # fmt: skip
    review = client.get(posted.url)
    assert "2 o dderbynwyr" in review.content.decode()
    assert english_left(review.content.decode(), data) == set()
    broadcast = Broadcast.objects.get()
    sent = client.post(send_url(workspace, "confirm", broadcast_id=broadcast.public_id))
    detail = client.get(sent.url)
    assert english_left(detail.content.decode(), data) == set()


def test_the_pages_say_which_language_they_are_in(client_for, workspace, welsh_sender):
    page = client_for(welsh_sender).get(send_url(workspace, "compose")).content.decode()
    assert '<html lang="cy"' in page
    assert page.count('lang="cy"') >= 1


def test_english_is_british_by_default(client_for, workspace, owner):
    page = client_for(owner).get(send_url(workspace, "compose")).content.decode()
    assert '<html lang="en-gb"' in page
    assert "Send a message" in page


def test_the_picker_switches_the_language_and_saves_it_for_the_person(client_for, workspace, owner):
    client = client_for(owner)
    target = send_url(workspace, "compose")
    response = client.post(reverse("accounts:set_language"), {"language": "cy", "next": target})
    assert response.status_code == 302 and response.url == target
    owner.refresh_from_db()
    assert owner.language == "cy"
    assert "Anfon neges" in client.get(target).content.decode()
    client.post(reverse("accounts:set_language"), {"language": "en-gb", "next": target})
    owner.refresh_from_db()
    assert owner.language == "en-gb"


def test_a_saved_language_wins_over_the_browsers(client_for, workspace, welsh_sender):
    client = client_for(welsh_sender)
    page = client.get(send_url(workspace, "compose"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert "Anfon neges" in page.content.decode()


def test_the_browsers_language_is_used_before_a_choice_is_saved(client):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="cy")
    assert "Mewngofnodi" in page.content.decode()


def test_the_picker_refuses_an_unknown_language_and_a_foreign_next(client_for, owner):
    client = client_for(owner)
    response = client.post(
        reverse("accounts:set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.url == "/"
    owner.refresh_from_db()
    assert owner.language == ""


def test_the_picker_is_one_include_for_the_user_menu(rf, owner):
    request = rf.get("/w/acme/send/")
    request.user = owner
    html = Template('{% include "accounts/_language_picker.html" %}').render(
        Context({"request": request})
    )
    assert f'action="{reverse("accounts:set_language")}"' in html
    assert '<option value="cy" lang="cy">Cymraeg</option>' in html
    assert 'name="next" value="/w/acme/send/"' in html


def test_british_dates_are_day_month_year_and_times_24_hour():
    moment = datetime(2026, 12, 2, 16, 5, tzinfo=UTC)
    template = Template(
        '{{ m|date:"SHORT_DATE_FORMAT" }}|{{ m|date:"SHORT_DATETIME_FORMAT" }}|{{ m|time }}|{{ m }}'
    )
    with translation.override("en-gb"):
        rendered = template.render(Context({"m": moment}))
    assert rendered == "2/12/2026|2/12/2026 16:05|16:05|2 Dec 2026, 16:05"
    assert settings.LANGUAGE_CODE == "en-gb"


def test_welsh_dates_keep_the_same_figures():
    moment = datetime(2026, 12, 2, 16, 5, tzinfo=UTC)
    with translation.override("cy"):
        rendered = Template('{{ m|date:"SHORT_DATETIME_FORMAT" }}').render(Context({"m": moment}))
    assert rendered == "2/12/2026 16:05"


def test_every_gateway_code_has_advice_in_both_languages():
    assert set(ADVICE) == set(ERROR_TEXTS)
    for code, advice in ADVICE.items():
        assert advice.what and advice.do, code
        with translation.override("cy"):
            welsh = gateway_words(code, ERROR_TEXTS[code])
        assert welsh != f"{advice.what}: {advice.do}", f"{code} has no Welsh advice"


def test_a_gateway_error_reads_as_what_to_do_with_the_code_small_beside_it():
    html = gateway_error_html(-100, ERROR_TEXTS[-100])
    assert html == (
        '<span class="gateway-error">Not enough credits: top up or send to fewer recipients'
        '</span> <small class="gateway-code" title="The gateway&#x27;s code">-100</small>'
    )
    assert gateway_error_text(-100, "Not Enough Credits") == (
        "Not enough credits: top up or send to fewer recipients (gateway code -100)"
    )


def test_the_gateways_own_words_stay_when_they_say_more():
    words = gateway_words(-508, "Username shop-one is already taken")
    assert words.endswith("(Username shop-one is already taken)")


def test_an_unknown_code_keeps_the_gateways_text():
    assert gateway_words(-999, "Something new") == "Something new"
    assert gateway_words(None, "") == "The gateway gave no reason."


def test_date_and_time_inputs_show_and_read_british_dates_not_the_browsers_format():
    moment = datetime(2026, 12, 2, 16, 5)
    field = forms.DateTimeField(widget=LocalDateTimeInput())
    with translation.override("en-gb"):
        html = field.widget.render("when", moment)
        assert 'type="text"' in html and 'value="02/12/2026 16:05"' in html
        assert 'placeholder="dd/mm/yyyy hh:mm"' in html
        assert field.clean("2/12/2026 16:05") == datetime(2026, 12, 2, 16, 5, tzinfo=UTC)
        assert forms.DateField(widget=LocalDateInput()).clean("2/12/2026") == date(2026, 12, 2)
        assert LocalTimeInput().render("at", time(7, 30)).count('value="07:30"') == 1
    with translation.override("cy"):
        assert 'placeholder="dd/mm/bbbb aa:mm"' in field.widget.render("when", moment)


def test_a_persons_language_does_not_outlive_their_request(client_for, owner, workspace):
    owner.language = "cy"
    owner.save(update_fields=["language"])
    before = translation.get_language()
    page = client_for(owner).get(f"/w/{workspace.slug}/send/")
    assert 'lang="cy"' in page.content.decode()
    assert translation.get_language() == before  # the thread speaks what it spoke before
