"""Each event is written where its change happens, in the same transaction."""

import uuid

import pytest

from accounts.models import WebhookDelivery
from contacts.consent import Origin
from contacts.models import Contact
from contacts.services.address_book import contact_opt_in, contact_opt_out
from messaging.models import Broadcast, Message, MessageState
from messaging.services.states import broadcast_settle, messages_move

pytestmark = pytest.mark.django_db


def payloads(event: str) -> list[dict]:
    return [d.payload["data"] for d in WebhookDelivery.objects.filter(event=event).order_by("id")]


def test_a_message_status_change_and_the_broadcasts_end(workspace, endpoint):
    broadcast = Broadcast.objects.create(
        workspace=workspace,
        body="Hi",
        source="Acme",
        status="sending",
        idempotency_key=uuid.uuid4(),
    )
    message = Message.objects.create(
        workspace=workspace, broadcast=broadcast, destination="+447700900601", state="queued"
    )
    messages_move(Message.objects.filter(pk=message.pk), MessageState.SUBMITTING, note=None)
    assert payloads("message.status_changed") == []  # an internal step: not told
    messages_move(Message.objects.filter(pk=message.pk), MessageState.CANCELLED, note="Cancelled")
    [told] = payloads("message.status_changed")
    assert told["id"] == str(message.public_id) and told["state"] == "cancelled"
    assert told["broadcast"] == str(broadcast.public_id) and told["to"] == "+447700900601"
    assert WebhookDelivery.objects.get(event="message.status_changed").order_key == str(
        message.public_id
    )
    broadcast_settle(broadcast)
    [finished] = payloads("broadcast.finished")
    broadcast.refresh_from_db()
    assert broadcast.finished_at is not None
    assert finished["status"] == broadcast.status and finished["counts"]["cancelled"] == 1
    assert finished["counts"]["recipients"] == 1
    broadcast_settle(broadcast)  # already final: not told twice
    assert len(payloads("broadcast.finished")) == 1


def test_opt_out_and_opt_in(workspace, endpoint):
    contact = Contact.objects.create(workspace=workspace, number="+447700900602")
    contact_opt_out(contact=contact, origin=Origin("typed"))
    contact_opt_out(contact=contact, origin=Origin("typed"))  # already out: nothing new
    contact_opt_in(contact=contact, origin=Origin("typed"))
    assert [p["number"] for p in payloads("contact.opted_out")] == ["+447700900602"]
    assert [p["contact"] for p in payloads("contact.opted_in")] == [str(contact.public_id)]


def test_no_endpoint_no_rows(workspace):
    contact = Contact.objects.create(workspace=workspace, number="+447700900602")
    contact_opt_out(contact=contact, origin=Origin("typed"))
    assert not WebhookDelivery.objects.exists()
