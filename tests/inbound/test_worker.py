"""A real Celery worker processes texts the endpoint stored: one drain per burst, none lost."""

import time

import pytest
from django.test import Client
from django.utils import timezone

from inbound.models import Conversation, InboundMessage

from .conftest import endpoint_url, params

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_burst_of_texts_is_processed_by_the_worker(celery_worker, wait_for, vmn):
    client = Client()
    senders = [f"4477009002{n:02d}" for n in range(30)]
    for n, sender in enumerate(senders):
        response = client.post(endpoint_url(vmn), params(vmn, id=str(n), source=sender))
        assert response.status_code == 200

    def all_processed() -> bool:
        return not InboundMessage.objects.filter(processed_at__isnull=True).exists()

    wait_for(all_processed, timeout=30)
    assert InboundMessage.objects.count() == 30
    assert Conversation.objects.count() == 30


def test_a_text_stored_after_the_drain_has_read_is_read_by_its_follow_up(
    celery_worker, wait_for, vmn
):
    """A process that looked at the drain flag less than SIGNAL_EVERY_SECONDS ago stores its text
    without a signal: the drain that its earlier look queued comes back FOLLOW_UP_SECONDS after
    it ends, and reads the text then. Nothing else drains here (no beat, no sweep)."""
    assert Client().post(endpoint_url(vmn), params(vmn, id="1")).status_code == 200
    wait_for(lambda: InboundMessage.objects.filter(gateway_id="1", processed_at__isnull=False))
    time.sleep(0.3)  # the drain has read again, found nothing and ended
    InboundMessage.objects.create(
        workspace=vmn.workspace,
        vmn=vmn,
        gateway_id="2",
        source="+447700900124",
        dest=vmn.number,
        body="Stored with no signal of its own",
        received_at=timezone.now(),
    )
    wait_for(lambda: InboundMessage.objects.filter(gateway_id="2", processed_at__isnull=False))
    assert Conversation.objects.count() == 2
