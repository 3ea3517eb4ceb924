"""Tracked short links: one code per recipient and link, a fast redirect, clicks counted once per
person per second with previews and bots apart, expiry, the counter on the text as sent, and a
follow-up to exactly those who clicked."""

import html
import uuid
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.utils import timezone

from accounts.models import WebhookDelivery, WebhookEndpoint
from contacts.models import Contact
from messaging.models import Broadcast, LinkClick, Message, TrackedLink
from messaging.services import links
from messaging.services.compose import Draft, broadcast_create
from textconnect.segments import segments

from .conftest import many

pytestmark = pytest.mark.django_db

URL = "https://acme.example.com/offer?id=7"


urlpatterns = [path("l/<str:code>", lambda request, code: HttpResponse(b"something else"))]


def tracked(workspace, owner, numbers, body=f"Our sale starts now: {URL}. See you!", **fields):  # noqa: ANN001, ANN003
    draft = Draft(body=body, source="Acme", numbers=list(numbers), track_links=True, **fields)
    return broadcast_create(workspace=workspace, user=owner, draft=draft,
                            idempotency_key=uuid.uuid4())  # fmt: skip


def hit(code: str, *, agent: str = "Mozilla/5.0 (iPhone)", ip: str = "203.0.113.5",
        head: bool = False):  # noqa: ANN201  # fmt: skip
    method = Client().head if head else Client().get
    return method(f"/l/{code}", HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)


def test_a_thousand_recipients_get_a_thousand_codes_each_redirecting(workspace, owner):
    broadcast = tracked(workspace, owner, many(1000))
    codes = list(TrackedLink.objects.filter(broadcast=broadcast).values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 1000
    assert all(len(c) >= 8 and c.isalnum() for c in codes)
    for message in Message.objects.filter(broadcast=broadcast):
        [link] = message.links.all()
        assert message.body == f"Our sale starts now: {links.base_url()}{link.code}. See you!"
    for code in codes[:200]:  # the redirect, over HTTP through the whole middleware stack
        answer = hit(code)
        assert answer.status_code == 302 and answer["Location"] == URL
    assert broadcast.personalised and broadcast.track_links


def test_clicks_once_per_person_per_second_and_bots_apart(workspace, owner):
    broadcast = tracked(workspace, owner, many(1))
    link = TrackedLink.objects.get(broadcast=broadcast)
    now = timezone.now().timestamp()
    person, other = links.visitor_of("203.0.113.5"), links.visitor_of("198.51.100.7")

    def visit(after: float, visitor: str = person, agent: str = "Mozilla/5.0", head=False) -> dict:  # noqa: ANN001
        return {"link": link.pk, "at": now + after, "visitor": visitor, "agent": agent,
                "head": head}  # fmt: skip

    links.clicks_write([
        visit(0), visit(0.4), visit(0.5, other), visit(0.6, agent="WhatsApp/2.23"),
        visit(0.7, head=True), visit(0.8, agent=""),
    ])  # fmt: skip
    links.clicks_write([visit(0.9), visit(2.0)])  # a later batch: the repeat rule spans batches
    link.refresh_from_db()
    assert (link.clicks, link.other_hits) == (3, 5)
    reasons = sorted(LinkClick.objects.filter(counted=False).values_list("reason", flat=True))
    assert reasons == ["bot", "bot", "head", "repeat", "repeat"]
    assert link.first_clicked_at is not None


def test_the_redirect_queues_the_click_and_the_drain_writes_it(workspace, owner):
    broadcast = tracked(workspace, owner, many(1))
    link = TrackedLink.objects.get(broadcast=broadcast)
    links._redis().delete(links.QUEUE)
    assert hit(link.code).status_code == 302
    assert hit(link.code, head=True).status_code == 302  # a preview's HEAD: no click
    assert not LinkClick.objects.exists()  # not written while answering
    assert links.clicks_drain() == 2
    link.refresh_from_db()
    assert (link.clicks, link.other_hits) == (1, 1)


def test_unknown_and_expired_codes(workspace, owner):
    assert hit("NoSuchCode1").status_code == 404
    broadcast = tracked(workspace, owner, many(1))
    link = TrackedLink.objects.get(broadcast=broadcast)
    TrackedLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    gone = hit(link.code)
    assert gone.status_code == 410 and "expired" in gone.content.decode()
    assert URL not in gone.content.decode()


def test_the_parts_are_counted_on_the_text_as_sent(workspace, owner):
    long_url = "https://acme.example.com/" + "a" * 150
    body = f"Sale! {long_url}"
    assert segments(body).parts == 2
    broadcast = tracked(workspace, owner, many(1), body=body)
    assert broadcast.parts == 1  # the short link is shorter
    assert broadcast.estimated_credits == 1
    near = "x" * 130 + " https://a.io/b"  # 145 characters; with a short link more than 160
    assert segments(near).parts == 1
    assert tracked(workspace, owner, many(1, 5), body=near).parts == 2
    ucs2 = tracked(workspace, owner, many(1, 9), body="Café ☕ " + "y" * 40 + " https://a.io")
    assert ucs2.encoding == "UCS-2" and ucs2.parts == 2  # 70 a part: the short link tips it


def test_a_follow_up_reaches_exactly_those_who_clicked(workspace, owner):
    ann = Contact.objects.create(workspace=workspace, name="Ann", number="+447700900601")
    first = tracked(workspace, owner, ["+447700900602", "+447700900603"], contact_ids=[ann.pk])
    Message.objects.filter(broadcast=first).update(state="delivered")
    clicked = TrackedLink.objects.filter(
        broadcast=first, message__destination__in=["+447700900601", "+447700900603"]
    )
    for link in clicked:
        links.clicks_write([{"link": link.pk, "at": timezone.now().timestamp(), "head": False,
                             "visitor": "v", "agent": "Mozilla/5.0"}])  # fmt: skip
    contact_ids, numbers = links.follow_up_recipients(first.pk, clicked=True)
    assert (contact_ids, numbers) == ([ann.pk], ["+447700900603"])
    follow = broadcast_create(
        workspace=workspace, user=owner, idempotency_key=uuid.uuid4(),
        draft=Draft(body="Thanks for looking!", source="Acme", follow_up=("Sale", True),
                    follow_up_contact_ids=contact_ids, follow_up_numbers=numbers),
    )  # fmt: skip
    got = set(Message.objects.filter(broadcast=follow).values_list("destination", flat=True))
    assert got == {"+447700900601", "+447700900603"}
    assert follow.recipients_spec["follow_up"] == ["Sale", True, 2]
    _ids, not_clicked = links.follow_up_recipients(first.pk, clicked=False)
    assert not_clicked == ["+447700900602"]


def test_a_click_is_told_to_webhooks(workspace, owner, settings):
    WebhookEndpoint.objects.create(workspace=workspace, url="https://example.com/h",
                                   events=["message.link_clicked"])  # fmt: skip
    broadcast = tracked(workspace, owner, many(1))
    link = TrackedLink.objects.get(broadcast=broadcast)
    links.clicks_write([{"link": link.pk, "at": timezone.now().timestamp(), "head": False,
                         "visitor": "v", "agent": "Mozilla/5.0"}])  # fmt: skip
    [delivery] = WebhookDelivery.objects.filter(event="message.link_clicked")
    assert delivery.payload["data"]["url"] == URL


def test_a_code_reveals_nothing_of_the_workspace(workspace, owner):
    broadcast = tracked(workspace, owner, many(1))
    link = TrackedLink.objects.get(broadcast=broadcast)
    answer = hit(link.code)
    assert answer.status_code == 302 and answer.content == b"" and answer["Location"] == URL
    assert "Set-Cookie" not in answer  # no session, nothing of the portal's


def test_a_body_without_links_is_not_tracked(workspace, owner):
    broadcast = tracked(workspace, owner, many(2), body="No links here")
    assert not broadcast.track_links and not broadcast.personalised
    assert not TrackedLink.objects.exists()


def test_contact_pages_and_filters_show_clicks(client_for, workspace, owner):
    ann = Contact.objects.create(workspace=workspace, name="Zelda Quist", number="+447700900601")
    bob = Contact.objects.create(workspace=workspace, name="Yusuf Orr", number="+447700900602")
    Contact.objects.create(
        workspace=workspace, name="Xavier Pym", number="+447700900603"
    )  # no link
    first = tracked(workspace, owner, [], contact_ids=[ann.pk, bob.pk])
    link = TrackedLink.objects.get(broadcast=first, message__contact=ann)
    links.clicks_write([{"link": link.pk, "at": timezone.now().timestamp(), "head": False,
                         "visitor": "v", "agent": "Mozilla/5.0"}])  # fmt: skip
    client = client_for(owner)
    clicked = client.get(f"/w/{workspace.slug}/contacts/?status=clicked").content.decode()
    assert "Zelda Quist" in clicked and "Yusuf Orr" not in clicked and "Xavier Pym" not in clicked
    not_clicked = client.get(f"/w/{workspace.slug}/contacts/?status=not_clicked").content.decode()
    assert (
        "Yusuf Orr" in not_clicked
        and "Zelda Quist" not in not_clicked
        and "Xavier Pym" not in not_clicked
    )
    page = client.get(f"/w/{workspace.slug}/contacts/{ann.public_id}/").content.decode()
    assert "Link clicks" in page and '<td class="num">1</td>' in page


def test_the_broadcast_page_shows_clicks_and_offers_follow_ups(client_for, workspace, owner):
    broadcast = tracked(workspace, owner, many(4))
    Broadcast.objects.filter(pk=broadcast.pk).update(status="sent")
    Message.objects.filter(broadcast=broadcast).update(state="delivered")
    link = TrackedLink.objects.filter(broadcast=broadcast).first()
    links.clicks_write([{"link": link.pk, "at": timezone.now().timestamp(), "head": False,
                         "visitor": "v", "agent": "Mozilla/5.0"}])  # fmt: skip
    client = client_for(owner)
    page = client.get(f"/w/{workspace.slug}/messages/broadcasts/{broadcast.public_id}/")
    body = page.content.decode()
    assert "People who clicked" in body and "(25 %)" in body
    assert f"follow_up={broadcast.public_id}&amp;follow_up_who=clicked" in body
    compose = client.get(f"/w/{workspace.slug}/send/?follow_up={broadcast.public_id}"
                         "&follow_up_who=not_clicked").content.decode()  # fmt: skip
    assert "To the 3 recipients who did not click a link in" in compose


def test_the_expiry_is_a_workspace_rule(client_for, workspace, owner):
    from accounts.models import AuditEvent
    from messaging.models import LinkSettings

    client = client_for(owner)
    client.post(f"/w/{workspace.slug}/send/rules/", {"form": "links", "links-expire_days": "7"})
    assert LinkSettings.objects.get(workspace=workspace).expire_days == 7
    assert AuditEvent.objects.filter(action="link_expiry_changed").exists()
    broadcast = tracked(workspace, owner, many(1))
    link = TrackedLink.objects.get(broadcast=broadcast)
    assert timedelta(days=6) < link.expires_at - timezone.now() <= timedelta(days=7)
    bad = client.post(
        f"/w/{workspace.slug}/send/rules/", {"form": "links", "links-expire_days": "0"}
    )
    assert "Between 1 and 3,650 days." in bad.content.decode()


def test_the_link_rule_is_read_once_per_send_not_per_recipient(workspace, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        tracked(workspace, owner, many(300))
    reads = [q for q in queries if 'FROM "messaging_linksettings"' in q["sql"]]
    assert len(reads) == 1
    assert TrackedLink.objects.filter(workspace=workspace).count() == 300


def test_the_redirect_is_one_read_whoever_follows_it(client_for, workspace, owner, settings):
    """A live link is answered ahead of the page middleware: a signed-in person's session and
    account are not read for it (three queries through the whole stack), nor the language."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    link = TrackedLink.objects.get(broadcast=tracked(workspace, owner, many(1)))
    signed_in = client_for(owner)
    with CaptureQueriesContext(connection) as queries:
        answer = signed_in.get(f"/l/{link.code}", HTTP_ACCEPT_LANGUAGE="cy")
    assert answer.status_code == 302 and answer["Location"] == URL
    [read] = [q["sql"] for q in queries]
    assert 'SELECT "id", "url", "expires_at" FROM "messaging_trackedlink" WHERE "code" = %s' in read
    assert "Cookie" not in answer.get("Vary", "") and "Content-Language" not in answer
    assert answer["Cache-Control"] == "no-store" and answer["Referrer-Policy"] == "no-referrer"
    assert answer["X-Content-Type-Options"] == "nosniff" and answer["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in answer["Content-Security-Policy"]
    # Exactly str, name and value: a WSGI server (wsgiref's type check) refuses anything else.
    assert all(type(k) is str and type(v) is str for k, v in answer.items())
    settings.SECURE_HSTS_SECONDS = 3600
    assert "Strict-Transport-Security" in Client().get(f"/l/{link.code}", secure=True)
    assert links.clicks_drain() == 2


def test_unknown_and_expired_pages_still_speak_the_visitors_language_after_one_read(
    workspace, owner
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    link = TrackedLink.objects.get(broadcast=tracked(workspace, owner, many(1)))
    TrackedLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for code, status, text in [
        ("NoSuchCode1", 404, "Heb ddod o hyd i'r ddolen"),
        (link.code, 410, "Mae'r ddolen hon wedi dod i ben."),
    ]:
        with CaptureQueriesContext(connection) as queries:
            answer = Client().get(f"/l/{code}", HTTP_ACCEPT_LANGUAGE="cy")
        assert answer.status_code == status and text in html.unescape(answer.content.decode())
        assert answer["Content-Language"] == "cy" and '<html lang="cy">' in answer.content.decode()
        assert sum("messaging_trackedlink" in q["sql"] for q in queries) == 1
    assert links.clicks_drain() == 0


def test_the_redirect_refuses_what_the_stack_refuses(workspace, owner, settings):
    link = TrackedLink.objects.get(broadcast=tracked(workspace, owner, many(1)))
    assert Client().post(f"/l/{link.code}").status_code == 405
    assert Client().get(f"/l/{link.code}", HTTP_HOST="evil.example").status_code == 400
    settings.SECURE_SSL_REDIRECT = True
    to_https = Client().get(f"/l/{link.code}")
    assert to_https.status_code == 301 and to_https["Location"].startswith("https://")
    settings.SECURE_SSL_REDIRECT = False
    settings.ROOT_URLCONF = __name__  # where /l/ leads elsewhere, the middleware stands aside
    assert Client().get(f"/l/{link.code}").content == b"something else"
    assert links.clicks_drain() == 0


@pytest.mark.django_db(transaction=True)
def test_the_links_read_is_prepared_once_per_connection(workspace, owner):
    from django.db import connection

    codes = list(
        TrackedLink.objects.filter(broadcast=tracked(workspace, owner, many(3))).values_list(
            "code", flat=True
        )
    )
    for code in codes:
        assert hit(code).status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert prepared == [
        'SELECT "id", "url", "expires_at" FROM "messaging_trackedlink" WHERE "code" = $1'
    ]
    assert connection.connection.prepare_threshold is None  # Django's own queries: as before
    assert links._redis() is links._redis()  # one client for the process, not one per visit
    assert links.clicks_drain() == 3
