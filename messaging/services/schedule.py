"""Beat's side of sending: due scheduled broadcasts, retries after backoff, stalled sends;
and what people do to a broadcast before it goes: edit or cancel."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.audit import audit_record
from accounts.bulk import update_rows
from contacts.fields import merge_tags

from ..models import (
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    DispatchRun,
    Message,
    MessageState,
    TrackedLink,
)
from . import links
from .compose import (
    CreditEstimate,
    body_fields,
    check_affordable,
    clean_sent_length,
    render_body,
)
from .controls import approval_request, needs_approval
from .runs import live
from .states import broadcast_settle, messages_move

# A send with queued rows, no live dispatch run and no progress for this long is taken up again.
STALLED_AFTER = timedelta(seconds=30)
CANCELLABLE = (
    BroadcastStatus.DRAFT, BroadcastStatus.AWAITING_APPROVAL, BroadcastStatus.SCHEDULED,
    BroadcastStatus.QUEUED, BroadcastStatus.SENDING, BroadcastStatus.PAUSED,
)  # fmt: skip


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
    running = DispatchRun.objects.filter(live(now)).values("broadcast_id")
    stalled = (
        open_.filter(next_attempt_at__isnull=True, kind=BroadcastKind.DIRECT)
        .exclude(pk__in=running)
        .annotate(progress=Coalesce("last_progress_at", "queued_at"))
        .filter(Q(progress__lt=now - STALLED_AFTER) | Q(progress__isnull=True))
        .filter(Exists(Message.objects.filter(broadcast=OuterRef("pk"), state=MessageState.QUEUED)))
    )
    ready.extend(retry.order_by("queued_at", "pk").values_list("pk", flat=True))  # in order
    ready.extend(stalled.values_list("pk", flat=True))
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
    fail_broadcast(broadcast, reason, subject_prefix=_("A scheduled message"))
    return False


def fail_broadcast(broadcast: Broadcast, reason: str, *, subject_prefix: str) -> None:
    """A broadcast that can no longer go (it cannot be paid for, the workspace is suspended):
    failed with the reason, its rows cancelled, its author told by mail."""
    now = timezone.now()
    Broadcast.objects.filter(pk=broadcast.pk).update(
        status=BroadcastStatus.FAILED,
        status_reason=(_("Not sent: %(reason)s") % {"reason": reason})[:300],
        finished_at=now,
    )
    messages_move(Message.objects.filter(broadcast=broadcast), MessageState.CANCELLED,
                  expect=[MessageState.QUEUED], note=reason, error_text=reason[:300],
                  failed_at=now)  # fmt: skip
    broadcast_settle(broadcast)
    audit_record("broadcast_failed", workspace=broadcast.workspace, obj=broadcast, reason=reason)
    if broadcast.created_by and broadcast.created_by.email:
        when = broadcast.schedule_at or broadcast.occurrence_at or now
        send_mail(
            subject=_("%(what)s in %(workspace)s was not sent")
            % {"what": subject_prefix, "workspace": broadcast.workspace.name},
            message=_(
                "Your message due %(when)s to %(count)s recipients was not sent.\n\n"
                "Reason: %(reason)s\n\n“%(body)s”"
            )
            % {
                "when": f"{timezone.localtime(when):%d %b %Y %H:%M}",
                "count": broadcast.recipient_count,
                "reason": reason,
                "body": broadcast.body[:160],
            },
            from_email=None,
            recipient_list=[broadcast.created_by.email],
        )


def broadcast_cancel(*, broadcast: Broadcast, request) -> int:  # noqa: ANN001
    """Cancel what has not gone yet: the rows still queued are cancelled at once; rows whose call
    is under way or in doubt finish their story (found in the gateway's report: sent; not found:
    cancelled, never sent again). Returns how many were cancelled now."""
    now = timezone.now()
    with transaction.atomic():
        locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
        if locked.status not in CANCELLABLE or locked.cancel_requested_at is not None:
            raise ValidationError(
                _("This broadcast has finished; there is nothing left to cancel.")
            )
        Broadcast.objects.filter(pk=broadcast.pk).update(
            cancel_requested_at=now, cancelled_by=request.user
        )
        ids = messages_move(
            Message.objects.filter(broadcast=broadcast), MessageState.CANCELLED,
            expect=[MessageState.QUEUED], note=gettext_noop("Cancelled"),
            error_text=gettext_noop("Cancelled before sending."),
            failed_at=now,
        )  # fmt: skip
        under_way = Message.objects.filter(
            broadcast=broadcast, state=MessageState.SUBMITTING
        ).count()
        reason = _("Cancelled by %(email)s.") % {"email": request.user.email}
        if under_way:
            reason += " " + ngettext(
                "%(n)s recipient whose sending was under way is being checked with the gateway.",
                "%(n)s recipients whose sending was under way are being checked with the gateway.",
                under_way,
            ) % {"n": under_way}
        Broadcast.objects.filter(pk=broadcast.pk).update(
            status=BroadcastStatus.SENDING if under_way else BroadcastStatus.CANCELLED,
            status_reason=reason[:300],
            finished_at=None if under_way else now,
            next_attempt_at=None,
        )
        audit_record("broadcast_cancelled", request=request, obj=broadcast, cancelled=len(ids))
    broadcast_settle(broadcast)
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
            raise ValidationError(_("It is too late to edit this broadcast: it is due or sent."))
        tags = merge_tags(locked.workspace)
        clean_sent_length(body, locked.footer)
        for name, value in body_fields(body, tags, locked.track_links, locked.footer).items():
            setattr(locked, name, value)
        sent = locked.text_as_sent  # a marketing message keeps its opt-out footer
        locked.source, locked.schedule_at = source, schedule_at
        locked.validity_seconds = validity_seconds
        tracked = locked.track_links
        rows = list(
            locked.messages.filter(state=MessageState.QUEUED)
            .select_related("contact")
            .only("id", "workspace_id", "broadcast_id", "destination", "body", "contact")
        )
        estimate = CreditEstimate()
        made = []
        TrackedLink.objects.filter(message__in=rows).delete()  # the old text's links go with it
        for message in rows:
            message.body = render_body(sent, message.contact, tags) if locked.personalised else ""
            if tracked:
                message.body, pairs = links.rewrite(message.body)
                made.append(pairs)
            estimate.add(message.body or sent, message.destination)
        update_rows(rows, ["body"])
        if tracked:
            links.links_store(rows, made)
        locked.estimated_credits = estimate.credits
        locked.save()
        audit_record("broadcast_edited", request=request, obj=locked)
        if needs_approval(locked):  # an approval was for the text as it was: ask again
            approval_request(broadcast=locked, user=request.user, request=request)
