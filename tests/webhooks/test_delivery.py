"""Delivering webhooks: signed the Standard Webhooks way, retried with backoff, in order per
message, never again once answered 2xx, switched off after a day of failures."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from accounts import webhooks
from accounts.models import AuditEvent, DeliveryState, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

EVENT = "contact.opted_out"


def emit(endpoint, n: int = 1, key: str = "") -> list[WebhookDelivery]:  # noqa: ANN001
    webhooks.webhooks_emit(endpoint.workspace_id, EVENT,
                           [({"n": i}, key) for i in range(n)])  # fmt: skip
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id"))


def later(seconds: float) -> None:
    """Make every retry due, as if `seconds` had passed."""
    WebhookDelivery.objects.filter(state="pending").update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_delivery_is_signed_and_the_standard_verifier_accepts_it(endpoint, receiver):
    emit(endpoint)
    webhooks.endpoint_deliver(endpoint.pk)
    [got] = receiver.received
    assert got.payload["type"] == EVENT and got.payload["data"] == {"n": 0}
    headers = {k.lower(): v for k, v in got.headers.items()}
    assert headers["webhook-id"].startswith("msg_")
    verified = Webhook(endpoint.secret).verify(got.body, headers)
    assert verified["data"] == {"n": 0}
    with pytest.raises(Exception):  # noqa: B017,PT011 - the library raises its own error type
        Webhook(webhooks.WebhookEndpoint._meta.get_field("secret").default()).verify(
            got.body, headers
        )
    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED


def test_failures_are_retried_on_the_backoff_schedule_then_delivered_once(endpoint, receiver):
    receiver.answer = lambda n, payload: 500 if n < 2 else 204
    emit(endpoint)
    webhooks.endpoint_deliver(endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=3) < wait <= timedelta(seconds=5)  # the first retry after 5 s
    webhooks.endpoint_deliver(endpoint.pk)  # not due yet: nothing is sent
    assert len(receiver.received) == 1
    later(5)
    webhooks.endpoint_deliver(endpoint.pk)
    delivery.refresh_from_db()
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(minutes=4) < wait <= timedelta(minutes=5)  # then after 5 minutes
    later(300)
    webhooks.endpoint_deliver(endpoint.pk)
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 3
    assert [e["status"] for e in delivery.log] == [500, 500, 204]
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(ids) == 1  # the same webhook-id on every attempt
    later(0)
    webhooks.endpoint_deliver(endpoint.pk)
    assert len(receiver.received) == 3  # never again after the 2xx


def test_after_the_last_retry_a_delivery_fails(endpoint, receiver):
    receiver.answer = lambda n, payload: 503
    emit(endpoint)
    for _ in range(len(webhooks.BACKOFF) + 1):
        later(0)
        webhooks.endpoint_deliver(endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 7
    assert len(receiver.received) == 7


def test_one_messages_events_go_in_order_even_through_retries(endpoint, receiver):
    receiver.answer = lambda n, payload: 500 if n == 0 else 200  # the first attempt fails
    emit(endpoint, n=3, key="message-1")
    emit(endpoint, n=1, key="message-2")
    webhooks.endpoint_deliver(endpoint.pk)
    # message-1's first event waits for its retry, and its later events wait behind it;
    # message-2's event is not held up.
    assert [r.payload["data"]["n"] for r in receiver.received] == [0, 0]
    assert WebhookDelivery.objects.filter(state="delivered").count() == 1
    later(5)
    webhooks.endpoint_deliver(endpoint.pk)
    order = [(r.payload["data"]["n"]) for r in receiver.received]
    assert order == [0, 0, 0, 1, 2]
    assert WebhookDelivery.objects.filter(state="delivered").count() == 4


def test_an_endpoint_failing_for_a_day_is_switched_off_and_the_admins_told(
    endpoint, receiver, owner
):
    receiver.answer = lambda n, payload: 500
    emit(endpoint)
    webhooks.endpoint_deliver(endpoint.pk)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(days=1, minutes=1)
    )
    later(5)
    webhooks.endpoint_deliver(endpoint.pk)
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert endpoint.url in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="webhook_disabled").exists()
    emit(endpoint)  # switched off: nothing more is written or sent
    assert WebhookDelivery.objects.count() == 1


def test_a_success_clears_the_failing_mark(endpoint, receiver):
    receiver.answer = lambda n, payload: 500 if n == 0 else 200
    emit(endpoint)
    webhooks.endpoint_deliver(endpoint.pk)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    later(5)
    webhooks.endpoint_deliver(endpoint.pk)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_only_subscribed_active_endpoints_of_the_workspace_get_an_event(
    endpoint, other_workspace, receiver, local_webhooks
):
    WebhookEndpoint.objects.create(workspace=endpoint.workspace, url=receiver.url,
                                   events=["message.inbound"])  # fmt: skip
    WebhookEndpoint.objects.create(workspace=other_workspace, url=receiver.url, events=[EVENT])
    emit(endpoint)
    assert WebhookDelivery.objects.count() == 1
    assert WebhookDelivery.objects.get().endpoint == endpoint


def test_a_rotated_secret_signs_with_both_for_a_day(endpoint, receiver):
    old = endpoint.secret
    endpoint.previous_secret, endpoint.secret = (
        old,
        webhooks.WebhookEndpoint._meta.get_field("secret").default(),
    )
    endpoint.previous_until = timezone.now() + timedelta(days=1)
    endpoint.save()
    emit(endpoint)
    webhooks.endpoint_deliver(endpoint.pk)
    got = receiver.received[0]
    headers = {k.lower(): v for k, v in got.headers.items()}
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, headers)
    Webhook(endpoint.secret).verify(got.body, headers)


def test_the_secret_is_encrypted_at_rest(endpoint):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_webhookendpoint WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert endpoint.secret.startswith("whsec_") and endpoint.secret not in stored
