"""The minute sweep: wrong-auth summaries, and texts whose processing was never queued."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from contacts.models import Contact
from inbound.models import Conversation, InboundMessage
from inbound.services import sweep
from inbound.services.process import opt_outs_finish

pytestmark = pytest.mark.django_db


def test_a_minute_with_many_wrong_auth_values_is_summarised_once(forward, vmn):
    a_minute_ago = timezone.now() - timedelta(seconds=60)
    with mock.patch("inbound.services.receive.timezone.now", return_value=a_minute_ago):
        for n in range(5):
            forward(auth=f"wrong-{n}", id=str(n))
    assert sweep.bad_auth_summarise() == 1
    assert sweep.bad_auth_summarise() == 0
    event = AuditEvent.objects.get(action="inbound_auth_failures_summarised")
    assert event.detail["count"] == 5
    assert vmn.auth not in str(event.detail)


def test_texts_left_unprocessed_are_drained(vmn, workspace, eager_tasks):
    InboundMessage.objects.create(
        workspace=workspace, vmn=vmn, dest=vmn.number, gateway_id="lost", source="+447700900123",
        body="Hello", received_at=timezone.now(),
    )  # fmt: skip
    InboundMessage.objects.update(stored_at=timezone.now() - timedelta(minutes=5))
    assert sweep.unprocessed_requeue() is True
    assert InboundMessage.objects.get().processed_at is not None


def test_an_opt_out_cut_short_by_a_crash_is_finished(vmn, workspace):
    """Claimed and read as STOP, then the worker died before the opt-out was written."""
    conversation = Conversation.objects.create(
        workspace=workspace, number="+447700900123", last_message_at=timezone.now()
    )
    message = InboundMessage.objects.create(
        workspace=workspace, vmn=vmn, dest=vmn.number, gateway_id="stop", source="+447700900123",
        body="STOP", received_at=timezone.now(), conversation=conversation, opt_action="opt_out",
        processed_at=timezone.now() - timedelta(minutes=5),
    )  # fmt: skip
    assert opt_outs_finish() == 1
    contact = Contact.objects.get(workspace=workspace, number="+447700900123")
    assert contact.opted_out_at is not None
    message.refresh_from_db()
    conversation.refresh_from_db()
    assert (message.opt_applied, message.contact, conversation.contact) == (True, contact, contact)
    assert opt_outs_finish() == 0
