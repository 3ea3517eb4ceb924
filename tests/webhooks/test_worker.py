"""A real Celery worker delivers webhooks: an opt-out made in the portal reaches the receiver, and
a receiver that fails once gets the event again when the sweep finds its retry due."""

import pytest
from django.utils import timezone

from accounts.models import WebhookDelivery, WebhookEndpoint
from contacts.consent import Origin
from contacts.models import Contact
from contacts.services.address_book import contact_opt_out

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_delivers_an_event(celery_worker, wait_for, workspace, receiver):
    WebhookEndpoint.objects.create(workspace=workspace, url=receiver.url,
                                   events=["contact.opted_out"])  # fmt: skip
    contact = Contact.objects.create(workspace=workspace, number="+447700900602")
    contact_opt_out(contact=contact, origin=Origin("typed"))
    wait_for(lambda: receiver.received, timeout=30)
    assert receiver.received[0].payload["data"]["number"] == "+447700900602"
    wait_for(lambda: WebhookDelivery.objects.filter(state="delivered").exists())


def test_the_sweep_sends_a_retry_when_it_is_due(celery_worker, wait_for, workspace, receiver):
    from accounts.tasks import webhooks_sweep

    receiver.answer = lambda n, payload: 500 if n == 0 else 200
    WebhookEndpoint.objects.create(workspace=workspace, url=receiver.url,
                                   events=["contact.opted_out"])  # fmt: skip
    contact_opt_out(
        contact=Contact.objects.create(workspace=workspace, number="+447700900603"),
        origin=Origin("typed"),
    )
    wait_for(lambda: WebhookDelivery.objects.filter(attempts=1).exists(), timeout=30)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks_sweep.delay()
    wait_for(lambda: WebhookDelivery.objects.filter(state="delivered").exists(), timeout=30)
    assert len(receiver.received) == 2
