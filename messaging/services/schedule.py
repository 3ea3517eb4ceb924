"""Beat's side of sending: due scheduled broadcasts, retries after backoff, stalled sends;
and what people do to a broadcast before it goes: edit or cancel."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import audit_record
from textconnect.segments import segments

from ..models import Broadcast, BroadcastKind, BroadcastStatus, Message, MessageEvent, MessageState
from .bulk import update_rows
from .compose import CreditEstimate, check_affordable, is_personalised, render_body

STALLED_AFTER = timedelta(seconds=90)


def dispatch_due(*, now: datetime | None = None) -> list[int]:
    """Queue what is due; returns the broadcast ids handed to the dispatcher."""
    from ..tasks import broadcast_dispatch_task

    now = now or timezone.now()
    ready: list[int] = []
    for broadcast in Broadcast.objects.filter(
        status=BroadcastStatus.SCHEDULED, schedule_at__lte=now
    ).select_related("workspace"):
        if _start_scheduled(broadcast, now):
            ready.append(broadcast.pk)
    open_ = Broadcast.objects.filter(status__in=[BroadcastStatus.QUEUED, BroadcastStatus.SENDING])
    retry = open_.filter(next_attempt_at__lte=now)
    stalled = (
        open_.filter(
            next_attempt_at__isnull=True,
            kind=BroadcastKind.DIRECT,
        )
        .annotate(progress=Coalesce("last_progress_at", "queued_at"))
        .filter(
            Q(progress__lt=now - STALLED_AFTER) | Q(progress__isnull=True),
            messages__state=MessageState.QUEUED,
        )
    )
    ready.extend(retry.values_list("pk", flat=True))
    ready.extend(stalled.values_list("pk", flat=True).distinct())
    for pk in dict.fromkeys(ready):
        broadcast_dispatch_task.delay(pk)
    return list(dict.fromkeys(ready))


def _start_scheduled(broadcast: Broadcast, now: datetime) -> bool:
    with transaction.atomic():
        claimed = Broadcast.objects.filter(
            pk=broadcast.pk, status=BroadcastStatus.SCHEDULED
        ).update(status=BroadcastStatus.QUEUED, queued_at=now)
        if claimed != 1:
            return False
        if broadcast.workspace.is_suspended:
            return _fail_scheduled(broadcast, "The workspace is suspended: sending is stopped.")
        if broadcast.kind == BroadcastKind.DIRECT:
            try:
                check_affordable(broadcast)
            except ValidationError as exc:
                return _fail_scheduled(broadcast, exc.messages[0])
    return True


def _fail_scheduled(broadcast: Broadcast, reason: str) -> bool:
    now = timezone.now()
    Broadcast.objects.filter(pk=broadcast.pk).update(
        status=BroadcastStatus.FAILED, status_reason=f"Not sent: {reason}", finished_at=now
    )
    rows = Message.objects.filter(broadcast=broadcast, state=MessageState.QUEUED)
    ids = list(rows.values_list("pk", flat=True))
    rows.update(state=MessageState.CANCELLED, error_text=reason[:300], failed_at=now)
    MessageEvent.objects.bulk_create(
        MessageEvent(message_id=pk, state=MessageState.CANCELLED, note=reason[:300], at=now)
        for pk in ids
    )
    audit_record("broadcast_failed", workspace=broadcast.workspace, obj=broadcast, reason=reason)
    if broadcast.created_by and broadcast.created_by.email:
        send_mail(
            subject=f"A scheduled message in {broadcast.workspace.name} was not sent",
            message=(
                "Your message scheduled for "
                f"{timezone.localtime(broadcast.schedule_at):%d %b %Y %H:%M} "
                f"to {broadcast.recipient_count} recipients was not sent.\n\n"
                f"Reason: {reason}\n\n"
                f"“{broadcast.body[:160]}”"
            ),
            from_email=None,
            recipient_list=[broadcast.created_by.email],
        )
    return False


def broadcast_cancel(*, broadcast: Broadcast, request) -> int:  # noqa: ANN001
    """Cancel what has not gone yet: the rows still queued. Returns how many were cancelled."""
    if broadcast.status not in (
        BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED, BroadcastStatus.QUEUED,
        BroadcastStatus.SENDING,
    ):  # fmt: skip
        raise ValidationError("This broadcast has finished; there is nothing left to cancel.")
    now = timezone.now()
    with transaction.atomic():
        rows = Message.objects.select_for_update(skip_locked=True).filter(
            broadcast=broadcast, state=MessageState.QUEUED
        )
        ids = list(rows.values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(
            state=MessageState.CANCELLED, error_text="Cancelled before sending.", failed_at=now
        )
        MessageEvent.objects.bulk_create(
            MessageEvent(message_id=pk, state=MessageState.CANCELLED, note="Cancelled", at=now)
            for pk in ids
        )
        still_going = Message.objects.filter(
            broadcast=broadcast, state__in=[MessageState.SUBMITTING, MessageState.SUBMITTED]
        ).exists()
        Broadcast.objects.filter(pk=broadcast.pk).update(
            status=BroadcastStatus.SENT if still_going else BroadcastStatus.CANCELLED,
            status_reason=f"Cancelled by {request.user.email}: {len(ids)} recipients not sent.",
            finished_at=now,
            next_attempt_at=None,
        )
        audit_record("broadcast_cancelled", request=request, obj=broadcast, cancelled=len(ids))
    return len(ids)


def broadcast_edit(
    *,
    broadcast: Broadcast,
    request,  # noqa: ANN001
    body: str,
    source: str,
    schedule_at: datetime,
    validity_seconds: int,
) -> None:
    """Change a scheduled broadcast before it is due (recipients stay as they are): the
    personalised bodies and the credit estimate follow the new text."""
    with transaction.atomic():
        locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
        if locked.status != BroadcastStatus.SCHEDULED or locked.schedule_at <= timezone.now():
            raise ValidationError("It is too late to edit this broadcast: it is due or sent.")
        shape = segments(body)
        locked.body, locked.source, locked.schedule_at = body, source, schedule_at
        locked.validity_seconds = validity_seconds
        locked.encoding, locked.parts = shape.encoding, shape.parts
        locked.personalised = is_personalised(body)
        rows = list(
            locked.messages.filter(state=MessageState.QUEUED)
            .select_related("contact")
            .only("id", "destination", "body", "contact")
        )
        estimate = CreditEstimate()
        for message in rows:
            message.body = render_body(body, message.contact) if locked.personalised else ""
            estimate.add(message.body or body, message.destination)
        update_rows(rows, ["body"])
        locked.estimated_credits = estimate.credits
        locked.save()
        audit_record("broadcast_edited", request=request, obj=locked)
