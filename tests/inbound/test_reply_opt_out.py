"""Replies and opt-outs: an inbox reply to someone who opted out is skipped, like any other send,
unless it answers a text they sent after opting out (a direct reply to their own text)."""

import uuid

import pytest

from contacts.models import Contact, Suppression
from inbound.models import Conversation
from inbound.services.conversations import answers_their_text, conversation_reply
from messaging.models import Message
from sandbox.models import Message as SandboxMessage

from .conftest import SENDER

pytestmark = pytest.mark.django_db(transaction=True)


def reply(conversation: Conversation, body: str, capture) -> Message:  # noqa: ANN001
    with capture(execute=True):
        conversation_reply(conversation=conversation, body=body, user=None,
                           idempotency_key=uuid.uuid4())  # fmt: skip
    return Message.objects.filter(destination=SENDER, broadcast__body=body).get()


def test_a_reply_after_their_stop_is_skipped(
    gateway, receive, workspace, django_capture_on_commit_callbacks
):
    receive("When do you open?")
    receive("STOP")
    conversation = Conversation.objects.get()
    assert Contact.objects.get(number=SENDER).opted_out_at is not None
    assert not answers_their_text(conversation)
    message = reply(conversation, "We open at 9.", django_capture_on_commit_callbacks)
    assert message.state == "skipped" and message.error_text == "The recipient opted out."
    assert not SandboxMessage.objects.filter(body="We open at 9.").exists()


def test_a_direct_reply_to_a_text_they_sent_after_opting_out_goes(
    gateway, receive, workspace, django_capture_on_commit_callbacks
):
    receive("STOP")
    receive("Sorry, one question: is my order ready?")
    conversation = Conversation.objects.get()
    assert answers_their_text(conversation)
    message = reply(conversation, "Yes, collect it today.", django_capture_on_commit_callbacks)
    assert message.state in ("submitted", "delivered")
    assert SandboxMessage.objects.filter(body="Yes, collect it today.").count() == 1
    assert Contact.objects.get(number=SENDER).opted_out_at is not None  # still opted out


def test_a_reply_to_a_suppressed_number_that_never_wrote_again_is_skipped(
    gateway, receive, workspace, django_capture_on_commit_callbacks
):
    receive("Hello")
    Suppression.objects.create(workspace=workspace, number=SENDER, failures=3,
                               reason="Undeliverable")  # fmt: skip
    conversation = Conversation.objects.get()
    message = reply(conversation, "Hello to you.", django_capture_on_commit_callbacks)
    assert message.state == "skipped" and message.error_text.startswith("Suppressed: ")
