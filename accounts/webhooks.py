"""Outbound webhooks: events written in the same transaction as what they tell of, then delivered
by Celery, signed the Standard Webhooks way, retried with backoff for about a day.

    webhooks_emit(workspace_id, WebhookEvent.CONTACT_OPTED_OUT, [(data, order_key)])

Every app emits through `webhooks_emit`; nothing else writes deliveries. An endpoint receives
each delivery at least once, and once it answered 2xx never again (a delivery is claimed by one
task under the endpoint's lock, and marked delivered before the next is sent). Deliveries with the
same `order_key` (one message's status changes) go out in the order they were made: a later one
waits while an earlier one is still being retried.

Where deliveries may go: only `https://` (plain http with WEBHOOKS_ALLOW_HTTP, the default in
development), and never to a loopback, private, link-local, multicast or reserved address
(WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, the default in development only): checked when the URL is saved
and again, after resolving the host name, before every attempt.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from textconnect.deadline import Deadline, DeadlineAdapter

from .audit import audit_record
from .locks import task_lock
from .models import (
    DeliveryState,
    Membership,
    WebhookDelivery,
    WebhookEndpoint,
)
from .roles import Role

log = logging.getLogger(__name__)

# After the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h (about 18 hours in all).
BACKOFF = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
DISABLE_AFTER = timedelta(days=1)  # an endpoint failing this long is switched off
TIMEOUT_SECONDS = 10.0  # one attempt in all: connect, send and the whole answer
BATCH = 100  # deliveries an endpoint's task takes at a time
SLICE_SECONDS = 20.0  # an endpoint's task hands the rest back to the queue after this long
MAX_ENDPOINTS = 10
RESPONSE_KEPT = 500  # characters of a receiver's answer kept in the log


# -- where a webhook may go ------------------------------------------------------------------------


def _refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_url(url: str, *, resolve: bool = True) -> None:
    """Raise ValidationError unless a webhook may be sent to `url` (see the module's note)."""
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.WEBHOOKS_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed:
        raise ValidationError(_("Use an https:// address."))
    if not parts.hostname:
        raise ValidationError(_("Give the full address, e.g. https://example.com/hooks/sms."))
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES or not resolve:
        return
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ValidationError(
            _("The host name %(host)s does not resolve.") % {"host": parts.hostname}
        ) from None
    for _family, _type, _proto, _name, sockaddr in found:
        if _refused_address(sockaddr[0]):
            raise ValidationError(
                _(
                    "%(host)s is a private, loopback or link-local address: webhooks go only to "
                    "public addresses."
                )
                % {"host": parts.hostname}
            )


# -- emitting --------------------------------------------------------------------------------------


def _payload(event: str, data: dict, at: datetime) -> dict:
    return {"type": event, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": data}


def webhooks_emit(workspace_id: int, event: str, items: Iterable[tuple[dict, str]]) -> int:
    """Write one delivery per item for each active endpoint of the workspace that takes `event`,
    in the caller's transaction; their delivery is queued when it commits. Returns how many."""
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(workspace_id=workspace_id, disabled_at=None)
        if event in e.events
    ]
    if not endpoints:
        return 0
    now = timezone.now()
    rows = [
        WebhookDelivery(
            workspace_id=workspace_id,
            endpoint=endpoint,
            event=event,
            payload=_payload(event, data, now),
            order_key=key[:64],
            next_attempt_at=now,
        )
        for data, key in items
        for endpoint in endpoints
    ]
    if not rows:
        return 0
    WebhookDelivery.objects.bulk_create(rows, batch_size=1000)
    deliveries_queue([e.pk for e in endpoints])
    return len(rows)


def deliveries_queue(endpoint_ids: list[int]) -> None:
    """Queue one delivery task per endpoint once the current transaction commits."""
    from .tasks import webhook_deliver_task

    def queue() -> None:
        for endpoint_id in endpoint_ids:
            webhook_deliver_task.delay(endpoint_id)

    transaction.on_commit(queue)


def webhook_test(*, endpoint: WebhookEndpoint, request: Any) -> WebhookDelivery:
    """The "send a test event" button: one delivery of `endpoint.test`, to this endpoint only."""
    from .models.webhooks import TEST_EVENT

    now = timezone.now()
    data = {"endpoint": str(endpoint.public_id), "message": "A test event from the portal."}
    delivery = WebhookDelivery.objects.create(
        workspace=endpoint.workspace,
        endpoint=endpoint,
        event=TEST_EVENT,
        payload=_payload(TEST_EVENT, data, now),
        next_attempt_at=now,
    )
    audit_record("webhook_test_sent", request=request, obj=endpoint)
    deliveries_queue([endpoint.pk])
    return delivery


def webhook_resend(*, delivery: WebhookDelivery, request: Any) -> None:
    """Send a delivery again (its webhook-id stays, so a receiver can tell it is the same)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING, next_attempt_at=timezone.now()
    )
    audit_record(
        "webhook_resent", request=request, obj=delivery.endpoint, delivery=delivery.webhook_id
    )
    deliveries_queue([delivery.endpoint_id])


# -- delivering ------------------------------------------------------------------------------------


def sign(endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: str, at: datetime) -> dict:
    """The three Standard Webhooks headers; during a rotation signed with both secrets."""
    signatures = [
        Webhook(secret).sign(delivery.webhook_id, at, body) for secret in endpoint.signing_secrets()
    ]
    return {
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
        "user-agent": "TextConnectPortal-Webhooks/1",
    }


_session = requests.Session()
_session.mount("http://", DeadlineAdapter())
_session.mount("https://", DeadlineAdapter())


def _post(url: str, body: str, headers: dict) -> tuple[int | None, str, str]:
    """(status, answer, error) of one attempt; never raises."""
    try:
        check_url(url)
        with Deadline(TIMEOUT_SECONDS) as deadline:
            response = _session.post(
                url,
                data=body.encode(),
                headers=headers,
                timeout=(5, TIMEOUT_SECONDS),
                allow_redirects=False,
            )
            text = response.text[:RESPONSE_KEPT]
        if deadline.expired:
            return None, "", _("No complete answer within %(s)d s.") % {"s": TIMEOUT_SECONDS}
        return response.status_code, text, ""
    except ValidationError as exc:
        return None, "", exc.messages[0]
    except requests.RequestException as exc:
        return None, "", type(exc).__name__ + ": " + str(exc)[:200]


def attempt(delivery: WebhookDelivery) -> bool:
    """Send one delivery once and write down what happened. True when it was delivered."""
    endpoint = delivery.endpoint
    now = timezone.now()
    body = delivery.payload_text
    started = time.monotonic()
    status, answer, error = _post(endpoint.url, body, sign(endpoint, delivery, body, now))
    entry = {
        "at": now.isoformat(),
        "status": status,
        "error": error,
        "answer": answer,
        "ms": round((time.monotonic() - started) * 1000),
    }
    delivery.attempts += 1
    delivery.log = [*delivery.log, entry][-10:]
    ok = status is not None and 200 <= status < 300
    if ok:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
    elif delivery.attempts > len(BACKOFF):
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
    else:
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    delivery.save(update_fields=["attempts", "log", "state", "delivered_at", "next_attempt_at"])
    _endpoint_health(endpoint, ok, now)
    return ok


def _endpoint_health(endpoint: WebhookEndpoint, ok: bool, now: datetime) -> None:
    if ok:
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            endpoint.failing_since = None
        return
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since=None).update(failing_since=now)
        endpoint.failing_since = now
    elif now - endpoint.failing_since >= DISABLE_AFTER and endpoint.disabled_at is None:
        endpoint_disable(endpoint, _("Every delivery failed for a day."))


def endpoint_disable(endpoint: WebhookEndpoint, reason: str) -> None:
    """Switch an endpoint off (its pending deliveries wait) and tell the workspace's admins."""
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at=None).update(
        disabled_at=timezone.now(), disabled_reason=reason[:300]
    )
    if not updated:
        return
    endpoint.disabled_at = timezone.now()
    workspace = endpoint.workspace
    audit_record("webhook_disabled", workspace=workspace, obj=endpoint, reason=reason)
    admins = list(
        Membership.objects.for_workspace(workspace)
        .filter(role__in=[Role.OWNER, Role.ADMIN])
        .values_list("user__email", flat=True)
    )
    if admins:
        send_mail(
            subject=_("A webhook endpoint of %(workspace)s was switched off")
            % {"workspace": workspace.name},
            message=_(
                "The endpoint %(url)s was switched off: %(reason)s\n\nFix the receiver, "
                "then switch it on again under Settings → API; the deliveries that waited "
                "are sent then."
            )
            % {"url": endpoint.url, "reason": reason},
            from_email=None,
            recipient_list=admins,
        )


def _due(endpoint: WebhookEndpoint, now: datetime) -> list[WebhookDelivery]:
    """The next deliveries to send, oldest first, leaving out those whose order key has an earlier
    delivery still pending (it goes first, even when it waits for a retry)."""
    earlier = WebhookDelivery.objects.filter(
        endpoint=endpoint,
        state=DeliveryState.PENDING,
        order_key=OuterRef("order_key"),
        id__lt=OuterRef("id"),
    ).exclude(order_key="")
    return list(
        WebhookDelivery.objects.filter(
            endpoint=endpoint, state=DeliveryState.PENDING, next_attempt_at__lte=now
        )
        .exclude(Exists(earlier))
        .select_related("endpoint", "endpoint__workspace")
        .order_by("id")[:BATCH]
    )


def endpoint_deliver(endpoint_id: int) -> bool:
    """Send an endpoint's due deliveries, one at a time, under the endpoint's lock. True when
    some are left for another turn (the slice ran out)."""
    with task_lock(f"webhooks:endpoint:{endpoint_id}") as held:
        if not held:
            return False
        endpoint = (
            WebhookEndpoint.objects.select_related("workspace").filter(pk=endpoint_id).first()
        )
        if endpoint is None or endpoint.disabled_at is not None:
            return False
        started = time.monotonic()
        while batch := _due(endpoint, timezone.now()):
            blocked: set[str] = set()  # keys whose delivery failed in this batch: the rest wait
            attempted = 0
            for delivery in batch:
                if delivery.order_key and delivery.order_key in blocked:
                    continue
                delivery.endpoint = endpoint
                attempted += 1
                if not attempt(delivery) and delivery.order_key:
                    blocked.add(delivery.order_key)
                if endpoint.disabled_at is not None:
                    return False
                if time.monotonic() - started > SLICE_SECONDS:
                    return True
            if not attempted:  # cannot happen while the query leaves out waiting keys
                break
    return False


def endpoints_due(now: datetime | None = None) -> list[int]:
    """Active endpoints with a delivery due: one task each per sweep."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        endpoint=OuterRef("pk"), state=DeliveryState.PENDING, next_attempt_at__lte=now
    )
    return list(
        WebhookEndpoint.objects.filter(disabled_at=None)
        .filter(Exists(due))
        .values_list("pk", flat=True)
    )
