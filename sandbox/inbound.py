"""Inbound texts to a VMN and their forwarding to the account's URL, with retries and backoff."""

from __future__ import annotations

import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from textconnect.limits import INBOUND_DATETIME_FORMAT

from .models import ForwardAttempt, InboundMessage, ListEntry, VirtualNumber
from .rules import LONDON, normalize_number

CLAIM = timedelta(seconds=60)
TIMEOUT = 5.0


def max_attempts() -> int:
    return int(getattr(settings, "SANDBOX_FORWARD_ATTEMPTS", 5))


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (1, 2, 4, 8... times the base)."""
    return float(getattr(settings, "SANDBOX_FORWARD_BACKOFF", 2.0)) * 2 ** (attempt - 1)


class InboundError(ValueError):
    pass


def receive(*, to: str, sender: str, text: str, start_forwarding: bool = True) -> InboundMessage:
    """A handset texts `text` from `sender` to the VMN `to`; forwarding starts in a thread."""
    vmn = VirtualNumber.objects.filter(number=normalize_number(to) or to).first()
    if vmn is None:
        raise InboundError(f"No VMN {to}")
    source = normalize_number(sender)
    if source is None:
        raise InboundError(f"Invalid sender number {sender}")
    if not text:
        raise InboundError("The text is empty")
    forwarding = bool(vmn.forward_url)
    message = InboundMessage.objects.create(
        account=vmn.account,
        vmn=vmn,
        source=source,
        body=text,
        forward_state=InboundMessage.FORWARD_PENDING if forwarding else InboundMessage.FORWARD_NONE,
        next_attempt_at=timezone.now() if forwarding else None,
    )
    if forwarding and start_forwarding:
        from . import workers

        workers.submit(forward, message.pk)
    return message


def parameters(message: InboundMessage) -> dict[str, str]:
    vmn = message.vmn
    data = {
        "source": message.source,
        "dest": vmn.number,
        "msg": message.body,
        "id": str(message.pk),
        "receivedts": message.received_at.astimezone(LONDON).strftime(INBOUND_DATETIME_FORMAT),
        "auth": vmn.forward_auth,
    }
    if vmn.linked_list_id:
        entry = ListEntry.objects.filter(
            dist_list_id=vmn.linked_list_id, number=message.source
        ).first()
        if entry is not None:
            data.update(
                MMName=entry.name,
                MMEmail=entry.email,
                MM1=entry.mm1,
                MM2=entry.mm2,
                MM3=entry.mm3,
                MM4=entry.mm4,
                MM5=entry.mm5,
            )
    return data


def _claim(inbound_id: int) -> bool:
    now = timezone.now()
    return bool(
        InboundMessage.objects.filter(
            pk=inbound_id,
            forward_state=InboundMessage.FORWARD_PENDING,
            next_attempt_at__lte=now,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM)
    )


def attempt(message: InboundMessage) -> ForwardAttempt:
    """One forwarding call, recorded whatever happens."""
    vmn = message.vmn
    data = parameters(message)
    number = message.attempts.count() + 1
    started = time.monotonic()
    record = ForwardAttempt(
        inbound=message, number=number, url=vmn.forward_url, method=vmn.forward_method
    )
    try:
        if vmn.forward_method == "GET":
            response = requests.get(vmn.forward_url, params=data, timeout=TIMEOUT)
        else:
            response = requests.post(vmn.forward_url, data=data, timeout=TIMEOUT)
        record.http_status = response.status_code
        record.ok = 200 <= response.status_code < 300
        if not record.ok:
            record.error = f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        record.error = f"{type(exc).__name__}: {exc}"[:300]
    record.duration_ms = int((time.monotonic() - started) * 1000)
    record.save()
    return record


def forward_once(inbound_id: int) -> float | None:
    """Make the next attempt if it is due and unclaimed; the seconds until the next retry, or
    None when there is none to wait for."""
    if not _claim(inbound_id):
        return None
    message = InboundMessage.objects.select_related("vmn").get(pk=inbound_id)
    record = attempt(message)
    wait = None
    if record.ok:
        state = InboundMessage.FORWARD_DELIVERED
    elif record.number >= max_attempts():
        state = InboundMessage.FORWARD_FAILED
    else:
        state, wait = InboundMessage.FORWARD_PENDING, backoff(record.number)
    next_at = timezone.now() + timedelta(seconds=wait) if wait is not None else None
    InboundMessage.objects.filter(pk=inbound_id).update(
        forward_state=state, next_attempt_at=next_at, claimed_until=None
    )
    return wait


def forward(inbound_id: int) -> None:
    """Forward until the endpoint answers 2xx or the attempts run out; safe to run twice."""
    while (wait := forward_once(inbound_id)) is not None:
        time.sleep(wait)


def due_forwards() -> list[int]:
    now = timezone.now()
    return list(
        InboundMessage.objects.filter(
            forward_state=InboundMessage.FORWARD_PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("pk", flat=True)[:20]
    )
