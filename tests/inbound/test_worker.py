"""A real Celery worker processes texts the endpoint stored: one drain per burst, none lost."""

import pytest
from django.test import Client

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
