"""Marketing messages (UK PECR): the opt-out instruction goes at the end of every marketing text,
counted in the counter, the parts and the credits; the review shows it; an alphanumeric sender ID
is warned about and the workspace's virtual number offered; the instruction is a sending rule."""

import ast
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

import messaging
from accounts.models import AuditEvent, GatewayConnection
from contacts.models import Contact
from inbound.models import VirtualNumber
from messaging.models import Broadcast, MarketingSettings, Message, SenderID
from messaging.services import compose, marketing
from messaging.services.compose import Draft, body_fields, broadcast_create
from textconnect.limits import MAX_BODY_CHARS

from .conftest import uk

pytestmark = pytest.mark.django_db

FOOTER = "Reply STOP to opt out"


def url(ws, name, **kwargs):  # noqa: ANN001, ANN003, ANN201
    return reverse(f"messaging:{name}", kwargs={"slug": ws.slug, **kwargs})


def compose_post(client, ws, **data):  # noqa: ANN001, ANN003, ANN201
    payload = {"numbers": uk(120), "source": "447700900500", "body": "Hello",
               "validity_seconds": "86400", "idempotency_key": str(uuid.uuid4()),
               **data}  # fmt: skip
    return client.post(url(ws, "compose"), payload)


def counted(client, ws, body: str, **data: str) -> str:  # noqa: ANN001
    return client.post(url(ws, "counter"), {"body": body, **data}).content.decode()


def draft(workspace, owner, body="Half price on Friday", **fields) -> Broadcast:  # noqa: ANN001, ANN003
    fields.setdefault("numbers", [uk(121)])
    return broadcast_create(workspace=workspace, user=owner,
                            draft=Draft(body=body, source="447700900500", **fields),
                            idempotency_key=uuid.uuid4())  # fmt: skip


# -- the text as sent -------------------------------------------------------------------------


def test_the_footer_goes_on_its_own_line_after_the_body_as_typed(workspace, owner):
    broadcast = draft(workspace, owner, marketing=True)
    assert broadcast.marketing and broadcast.footer == FOOTER
    assert broadcast.body == "Half price on Friday"  # as typed: "Change the message" gets this
    assert broadcast.text_as_sent == f"Half price on Friday\n{FOOTER}"
    assert Message.objects.get(broadcast=broadcast).text == f"Half price on Friday\n{FOOTER}"
    assert compose.draft_initial(broadcast)["body"] == "Half price on Friday"
    assert compose.draft_initial(broadcast)["marketing"] is True


def test_a_message_that_is_not_marketing_gets_nothing(workspace, owner):
    broadcast = draft(workspace, owner)
    assert not broadcast.marketing and broadcast.footer == ""
    assert Message.objects.get(broadcast=broadcast).text == "Half price on Friday"


def test_the_footer_tips_a_full_part_into_a_second_one_and_doubles_the_credits(workspace, owner):
    fits = "x" * 138  # 138 + a line break + 21 = 160: one GSM-7 part still
    one = draft(workspace, owner, body=fits, marketing=True)
    assert (one.encoding, one.parts, one.estimated_credits) == ("GSM-7", 1, 1)
    two = draft(workspace, owner, body=fits + "x", marketing=True)
    assert (two.encoding, two.parts, two.estimated_credits) == ("GSM-7", 2, 2)
    plain = draft(workspace, owner, body=fits + "x")
    assert (plain.parts, plain.estimated_credits) == (1, 1)


def test_a_footer_with_a_ucs2_character_makes_the_whole_text_ucs2(workspace, owner):
    MarketingSettings.objects.create(workspace=workspace, opt_out_footer="Reply STOP – opt out")
    body = "y" * 60  # GSM-7 on its own; 60 + 1 + 20 = 81 characters > 70 in UCS-2
    assert body_fields(body, {}, footer="")["encoding"] == "GSM-7"
    broadcast = draft(workspace, owner, body=body, marketing=True)
    assert (broadcast.encoding, broadcast.parts, broadcast.estimated_credits) == ("UCS-2", 2, 2)


def test_a_personalised_marketing_text_is_filled_with_the_footer(workspace, owner):
    ann = Contact.objects.create(workspace=workspace, name="Ann Lee", number=uk(122))
    broadcast = draft(workspace, owner, body="Hi {first_name}, 2 for 1", numbers=[],
                      contact_ids=[ann.pk], marketing=True)  # fmt: skip
    assert Message.objects.get(broadcast=broadcast).body == f"Hi Ann, 2 for 1\n{FOOTER}"


def test_the_footer_must_still_fit_in_the_characters_of_one_message(workspace, owner):
    with pytest.raises(Exception, match="With the opt-out instruction the message has 481"):
        draft(workspace, owner, body="z" * MAX_BODY_CHARS, marketing=True)
    assert not Broadcast.objects.exists()


# -- the counter and the composer -------------------------------------------------------------


def test_the_counter_counts_the_footer_when_marketing_is_ticked(client_for, workspace, sender):
    client = client_for(sender)
    body = "x" * 139
    plain = counted(client, workspace, body)
    assert "<strong>139</strong> / 459" in plain and "<strong>1</strong> part" in plain
    ticked = counted(client, workspace, body, marketing="on", source="447700900500")
    assert "<strong>161</strong> / 459" in ticked and "<strong>2</strong> parts" in ticked
    assert "Opt-out instruction added: counted" in ticked
    assert "cannot receive a reply" not in ticked  # a number can be answered


def test_an_alphanumeric_sender_is_warned_and_the_virtual_number_offered(
    client_for, workspace, sender
):
    VirtualNumber.objects.create(workspace=workspace, number="+447700900500")
    html = counted(client_for(sender), workspace, "Sale", marketing="on", source="AcmeShop")
    assert "An alphanumeric sender ID cannot receive a reply" in html
    assert 'data-use-sender="447700900500"' in html and "Send from 447700900500" in html
    plain = counted(client_for(sender), workspace, "Sale", source="AcmeShop")
    assert "cannot receive a reply" not in plain  # not marketing: no STOP to answer


def test_without_a_virtual_number_the_warning_says_how_to_get_one(client_for, workspace, sender):
    html = counted(client_for(sender), workspace, "Sale", marketing="on", source="AcmeShop")
    assert "no virtual mobile number to send from" in html and "data-use-sender" not in html


def test_the_virtual_number_may_send_though_it_is_not_an_approved_sender_id(
    client_for, workspace, sender
):
    SenderID.objects.create(workspace=workspace, value="AcmeShop", is_default=True)
    VirtualNumber.objects.create(workspace=workspace, number="+447700900500")
    response = compose_post(client_for(sender), workspace, marketing="on")
    assert response.status_code == 302, response.context["form"].errors
    other = compose_post(client_for(sender), workspace, source="447700900999")
    assert "approved sender IDs" in str(other.context["form"].errors["source"])


def test_the_composer_ticks_marketing_and_the_review_shows_the_footer(
    client_for, workspace, sender
):
    GatewayConnection.objects.create(workspace=workspace, token="t" * 20)
    client = client_for(sender)
    page = client.get(url(workspace, "compose")).content.decode()
    assert 'name="marketing"' in page and "This is a marketing message" in page
    assert f"the opt-out instruction “{FOOTER}” is added" in page
    response = compose_post(client, workspace, body="x" * 139, marketing="on")
    broadcast = Broadcast.objects.get()
    assert response.status_code == 302 and broadcast.marketing and broadcast.parts == 2
    html = client.get(url(workspace, "confirm", broadcast_id=broadcast.public_id)).content.decode()
    assert f"The opt-out instruction “{FOOTER}” will be added at the end" in html
    assert f"{'x' * 139}<br>{FOOTER}" in html  # the preview is the text as sent
    assert "2 parts" in html
    again = client.get(url(workspace, "compose") + f"?draft={broadcast.public_id}")
    assert again.context["form"]["marketing"].value() is True
    assert again.context["form"]["body"].value() == "x" * 139  # the footer is not typed twice


def test_the_review_warns_when_the_sender_cannot_receive_replies(client_for, workspace, sender):
    GatewayConnection.objects.create(workspace=workspace, token="t" * 20)
    VirtualNumber.objects.create(workspace=workspace, number="+447700900500")
    compose_post(client_for(sender), workspace, source="AcmeShop", marketing="on")
    broadcast = Broadcast.objects.get()
    html = client_for(sender).get(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    text = html.content.decode()
    assert "“AcmeShop” is an alphanumeric sender ID" in text
    assert "send it from 447700900500" in text


def test_the_composer_refuses_a_body_the_footer_makes_too_long(client_for, workspace, sender):
    response = compose_post(client_for(sender), workspace, body="z" * 450, marketing="on")
    assert "With the opt-out instruction the message has 472 characters" in str(
        response.context["form"].errors["body"]
    )
    assert not Broadcast.objects.exists()


# -- the sending rule -------------------------------------------------------------------------


def test_an_admin_sets_the_opt_out_instruction_and_it_is_audited(
    client_for, workspace, admin, owner
):
    client = client_for(admin)
    page = client.get(url(workspace, "rules")).content.decode()
    assert FOOTER in page and "a direct reply to someone's own text" in page
    footer = "  Text  STOP to 60123  "
    client.post(url(workspace, "rules"), {"form": "marketing", "marketing-opt_out_footer": footer})
    assert marketing.footer_for(workspace) == "Text STOP to 60123"
    event = AuditEvent.objects.get(action="opt_out_footer_changed")
    assert event.detail == {"opt_out_footer": "Text STOP to 60123"}
    assert draft(workspace, owner, marketing=True).text_as_sent.endswith("\nText STOP to 60123")
    empty = client.post(url(workspace, "rules"),
                        {"form": "marketing", "marketing-opt_out_footer": "   "})  # fmt: skip
    assert empty.status_code == 200 and marketing.footer_for(workspace) == "Text STOP to 60123"


def test_a_sender_cannot_change_the_opt_out_instruction(client_for, workspace, sender):
    response = client_for(sender).post(
        url(workspace, "rules"), {"form": "marketing", "marketing-opt_out_footer": "Nope"}
    )
    assert response.status_code == 403
    assert marketing.footer_for(workspace) == FOOTER


def test_messaging_learns_the_virtual_numbers_without_importing_inbound(workspace):
    VirtualNumber.objects.create(workspace=workspace, number="+447700900501")
    assert marketing.reply_numbers(workspace) == ["447700900501"]
    assert marketing.cannot_receive_replies("AcmeShop")
    assert not marketing.cannot_receive_replies("+447700900501")
    above = {"inbound", "reporting"}  # config.celery is allowed, and not needed here
    for path in Path(messaging.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )  # fmt: skip
            assert not {n.split(".")[0] for n in names} & above, f"{path} imports {names}"


def test_retrying_failed_recipients_keeps_it_marketing(client_for, workspace, owner, sender):
    broadcast = draft(workspace, owner, marketing=True)
    Message.objects.filter(broadcast=broadcast).update(state="failed")
    client_for(sender).post(url(workspace, "broadcast_retry", broadcast_id=broadcast.public_id))
    retry = Broadcast.objects.get(retry_of=broadcast)
    assert retry.marketing and retry.text_as_sent == f"Half price on Friday\n{FOOTER}"


def test_editing_a_scheduled_marketing_message_keeps_its_footer_in_the_parts(workspace, owner):
    from datetime import timedelta

    from django.test import RequestFactory
    from django.utils import timezone

    from messaging.services.schedule import broadcast_edit

    later = timezone.now() + timedelta(hours=3)
    broadcast = draft(workspace, owner, marketing=True, schedule_at=later)
    Broadcast.objects.filter(pk=broadcast.pk).update(status="scheduled")
    request = RequestFactory().post("/")
    request.user, request.workspace = owner, workspace
    broadcast_edit(broadcast=broadcast, request=request, body="x" * 139, source="447700900500",
                   schedule_at=later, validity_seconds=3600)  # fmt: skip
    broadcast.refresh_from_db()
    assert broadcast.body == "x" * 139 and broadcast.footer == FOOTER
    assert (broadcast.parts, broadcast.estimated_credits) == (2, 2)
    assert Message.objects.get(broadcast=broadcast).text == "x" * 139 + f"\n{FOOTER}"
