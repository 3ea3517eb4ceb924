"""What people do to a broadcast around its send: approve or reject it (maker-checker), pause and
resume it while it sends, and send a test of it to themselves first."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import Membership, User
from accounts.roles import Role
from accounts.tenancy import workspace_row

from ..models import (
    ApprovalPolicy,
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    Message,
    MessageState,
)

SENDING = (BroadcastStatus.QUEUED, BroadcastStatus.SENDING)


# -- approval ---------------------------------------------------------------------------------


def needs_approval(broadcast: Broadcast) -> bool:
    """Whether the workspace's policy asks for an approval before this broadcast goes."""
    workspace = broadcast.workspace
    policy = workspace_row(
        workspace, "approval", lambda: ApprovalPolicy.objects.filter(workspace=workspace).first()
    )
    if policy is None or not policy.enabled or broadcast.is_reply or broadcast.is_test:
        return False
    over_recipients = (
        policy.recipients_over is not None and broadcast.recipient_count > policy.recipients_over
    )
    over_credits = (
        policy.credits_over is not None
        and broadcast.kind == BroadcastKind.DIRECT
        and broadcast.estimated_credits > policy.credits_over
    )
    return over_recipients or over_credits


def _approvers(broadcast: Broadcast) -> list[str]:
    return list(
        Membership.objects.for_workspace(broadcast.workspace)
        .filter(role__in=[Role.OWNER, Role.ADMIN])
        .exclude(user_id=broadcast.created_by_id)
        .values_list("user__email", flat=True)
    )


def _link(broadcast: Broadcast) -> str:
    from django.conf import settings

    path = reverse(
        "messaging:broadcast",
        kwargs={"slug": broadcast.workspace.slug, "broadcast_id": broadcast.public_id},
    )
    return f"{settings.SITE_URL}{path}"


def approval_request(*, broadcast: Broadcast, user: User | None, request=None) -> None:  # noqa: ANN001
    """Hold the broadcast for an admin's approval and tell the admins and owners."""
    claimed = Broadcast.objects.filter(
        pk=broadcast.pk, status__in=[BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED]
    ).update(
        status=BroadcastStatus.AWAITING_APPROVAL,
        approved_by=None,
        approved_at=None,
        status_reason=_("Waiting for an admin's approval."),
    )
    if not claimed:
        return
    audit_record("broadcast_approval_requested", request=request, workspace=broadcast.workspace,
                 actor=user, obj=broadcast, recipients=broadcast.recipient_count)  # fmt: skip
    recipients = _approvers(broadcast)
    if recipients:
        author = broadcast.created_by.email if broadcast.created_by else _("the portal")
        transaction.on_commit(
            lambda: send_mail(
                subject=_("A message in %(workspace)s needs your approval")
                % {"workspace": broadcast.workspace.name},
                message=_(
                    "%(author)s wants to send a message to %(count)s recipients "
                    "(about %(credits)s credits):\n\n“%(body)s”\n\nApprove or reject it: %(link)s"
                )
                % {
                    "author": author,
                    "count": broadcast.recipient_count,
                    "credits": broadcast.estimated_credits,
                    "body": broadcast.body[:160],
                    "link": _link(broadcast),
                },
                from_email=None,
                recipient_list=recipients,
            )
        )


def _awaiting(broadcast: Broadcast, user: User) -> Broadcast:
    locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if locked.status != BroadcastStatus.AWAITING_APPROVAL:
        raise ValidationError(
            _("This broadcast is not waiting for approval (it is %(status)s).")
            % {"status": locked.get_status_display().lower()}
        )
    if locked.created_by_id == user.pk:
        raise ValidationError(
            _("You cannot approve or reject your own message: another admin does.")
        )
    return locked


def broadcast_approve(*, broadcast: Broadcast, request: HttpRequest) -> Broadcast:
    """Another admin or owner approves: the broadcast goes out as composed (now, or scheduled)."""
    from .compose import broadcast_release, check_affordable

    with transaction.atomic():
        locked = _awaiting(broadcast, request.user)
        if locked.kind == BroadcastKind.DIRECT:
            check_affordable(locked)
        Broadcast.objects.filter(pk=locked.pk).update(
            approved_by=request.user, approved_at=timezone.now(), status_reason=""
        )
        broadcast_release(broadcast=locked, user=request.user, request=request,
                          from_status=BroadcastStatus.AWAITING_APPROVAL)  # fmt: skip
        audit_record("broadcast_approved", request=request, obj=locked)
    locked.refresh_from_db()
    return locked


def broadcast_reject(*, broadcast: Broadcast, request: HttpRequest, reason: str) -> Broadcast:
    """Another admin or owner rejects, with a reason the sender is mailed."""
    from .states import messages_move

    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the message is rejected: its sender reads it."))
    now = timezone.now()
    with transaction.atomic():
        locked = _awaiting(broadcast, request.user)
        Broadcast.objects.filter(pk=locked.pk).update(
            status=BroadcastStatus.REJECTED,
            rejected_by=request.user,
            rejection_reason=reason[:300],
            status_reason=(_("Rejected by %(email)s: %(reason)s")
                           % {"email": request.user.email, "reason": reason})[:300],
            finished_at=now,
        )  # fmt: skip
        messages_move(Message.objects.filter(broadcast=locked), MessageState.CANCELLED,
                      expect=[MessageState.QUEUED], note=_("Rejected"),
                      error_text=_("The message was rejected before sending."),
                      failed_at=now)  # fmt: skip
        audit_record("broadcast_rejected", request=request, obj=locked, reason=reason[:300])
        if locked.created_by and locked.created_by.email:
            author = locked.created_by.email
            transaction.on_commit(
                lambda: send_mail(
                    subject=_("Your message in %(workspace)s was rejected")
                    % {"workspace": locked.workspace.name},
                    message=_(
                        "%(email)s rejected your message:\n\n“%(body)s”\n\nReason: %(reason)s"
                    )
                    % {"email": request.user.email, "body": locked.body[:160], "reason": reason},
                    from_email=None,
                    recipient_list=[author],
                )
            )
    from .states import broadcast_settle

    broadcast_settle(locked)
    locked.refresh_from_db()
    return locked


def awaiting_approval_count(workspace_id: int) -> int:
    return Broadcast.objects.filter(
        workspace_id=workspace_id, status=BroadcastStatus.AWAITING_APPROVAL
    ).count()


# -- pause and resume -------------------------------------------------------------------------


def broadcast_pause(*, broadcast: Broadcast, request: HttpRequest) -> None:
    """Stop after the batch in flight: rows not yet claimed stay queued, nothing is lost."""
    with transaction.atomic():
        locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
        queued = Message.objects.filter(broadcast=locked, state=MessageState.QUEUED).exists()
        if locked.status not in SENDING or locked.kind != BroadcastKind.DIRECT or not queued:
            raise ValidationError(
                _("Only a message that is still sending can be paused; this one has nothing left "
                  "to send.")
            )  # fmt: skip
        Broadcast.objects.filter(pk=locked.pk).update(
            status=BroadcastStatus.PAUSED,
            paused_by=request.user,
            next_attempt_at=None,
            status_reason=(_("Paused by %(email)s.") % {"email": request.user.email})[:300],
        )
        audit_record("broadcast_paused", request=request, obj=locked)


def broadcast_resume(*, broadcast: Broadcast, request: HttpRequest) -> None:
    """Go on from where it stopped: the rows still queued are sent (each once)."""
    from ..tasks import broadcast_dispatch_task
    from .compose import dispatch_parallelism

    with transaction.atomic():
        updated = Broadcast.objects.filter(pk=broadcast.pk, status=BroadcastStatus.PAUSED).update(
            status=BroadcastStatus.SENDING, status_reason="", last_progress_at=None
        )
        if not updated:
            raise ValidationError(_("Only a paused message can be resumed."))
        audit_record("broadcast_resumed", request=request, obj=broadcast)
        for _task in range(dispatch_parallelism(broadcast)):
            transaction.on_commit(lambda: broadcast_dispatch_task.delay(broadcast.pk))


# -- a test to oneself ------------------------------------------------------------------------


def test_send(*, broadcast: Broadcast, request: HttpRequest) -> Broadcast:
    """The first recipient's text, to the member's own verified mobile, marked as a test."""
    from .compose import Draft, broadcast_create, broadcast_release, check_affordable

    user = request.user
    if not user.mobile or user.mobile_verified_at is None:
        raise ValidationError(
            _("Add and verify your mobile number in your profile to send yourself a test.")
        )
    first = broadcast.messages.order_by("id").first()
    body = first.text if first else broadcast.text_as_sent  # a marketing footer included
    draft = Draft(body=body, source=broadcast.source, numbers=[user.mobile], is_test=True)
    test = broadcast_create(workspace=broadcast.workspace, user=user, draft=draft,
                            idempotency_key=uuid.uuid4(), retry_of=broadcast)  # fmt: skip
    check_affordable(test)
    broadcast_release(broadcast=test, user=user, request=request)
    audit_record("broadcast_test_sent", request=request, obj=broadcast, to=user.mobile)
    return test
