"""The minute sweep: wrong-auth summaries, and texts whose processing was never queued."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from inbound.models import InboundMessage
from inbound.services import sweep

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
