"""Reseller actions: create child users and move credits, each gateway call made exactly once.

CreateUser and UpdateCredits are not idempotent, so every request is written first (a child in
`creating`, a ledger entry in `pending`), claimed atomically by one task, and the claim is committed
before the call. A call whose outcome cannot be known is marked for a person to review; nothing
here ever repeats one on its own.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

import textconnect

from ..audit import audit_record
from ..gateway import GatewayNotConnected, client_for, error_summary
from ..gateway_words import gateway_error_text
from ..models import ChildAccount, Invitation, LedgerEntry, Workspace
from ..models.reseller import ChildState, EntryKind, EntryState, ReviewOutcome
from ..roles import Role
from .gateway import gateway_check
from .members import invitation_send, workspace_create

MAX_TRANSFER = 1_000_000
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class ChildRequest:
    username: str
    password: str
    first_name: str
    last_name: str
    email: str
    access_level: str
    starting_credits: int = 0
    telephone: str = ""
    credit_reminder: int | None = None
    inactivity_alert_days: int | None = None


# -- creating children ------------------------------------------------------------------------


def child_create_start(
    *, request: HttpRequest, data: ChildRequest, idempotency_key: uuid.UUID
) -> ChildAccount:
    """Record the child and queue its CreateUser call; a repeated post returns the same child."""
    from ..tasks import child_create_task

    workspace = request.workspace
    existing = ChildAccount.objects.for_workspace(workspace).filter(idempotency_key=idempotency_key)
    if (child := existing.first()) is not None:
        return child
    try:
        with transaction.atomic():
            child = ChildAccount.objects.create(
                workspace=workspace,
                username=data.username,
                first_name=data.first_name,
                last_name=data.last_name,
                email=data.email,
                telephone=data.telephone,
                access_level=data.access_level,
                starting_credits=data.starting_credits,
                credit_reminder=data.credit_reminder,
                inactivity_alert_days=data.inactivity_alert_days,
                pending_password=data.password,
                idempotency_key=idempotency_key,
                created_by=request.user,
            )
            if data.starting_credits:
                LedgerEntry.objects.create(
                    workspace=workspace,
                    child=child,
                    kind=EntryKind.STARTING_CREDITS,
                    quantity=data.starting_credits,
                    reason="Starting credits",
                    idempotency_key=idempotency_key,
                    actor=request.user,
                    actor_email=request.user.email,
                )
            audit_record("child_create_requested", request=request, obj=child)
            transaction.on_commit(lambda: child_create_task.delay(child.pk))
    except IntegrityError:
        if (child := existing.first()) is not None:  # the other half of a double submit
            return child
        raise ValidationError(
            _("A child named %(username)s already exists.") % {"username": data.username}
        ) from None
    return child


def child_create_run(*, child_id: int) -> None:
    """Make the CreateUser call for a child in `creating`, once."""
    now = timezone.now()
    claimed = ChildAccount.objects.filter(
        pk=child_id, state=ChildState.CREATING, submitted_at__isnull=True
    ).update(submitted_at=now)
    if claimed != 1:
        return
    child = ChildAccount.objects.select_related("workspace", "created_by").get(pk=child_id)
    entry = child.ledger.filter(kind=EntryKind.STARTING_CREDITS).first()
    if entry is not None:
        LedgerEntry.objects.filter(pk=entry.pk).update(
            state=EntryState.SUBMITTING, submitted_at=now
        )
    try:
        with client_for(child.workspace) as client:
            client.create_user(
                child.username,
                child.pending_password,
                first_name=child.first_name,
                last_name=child.last_name,
                email=child.email,
                credits=child.starting_credits,
                access_level=child.access_level,
                telephone=child.telephone or None,
                credit_reminder=child.credit_reminder,
                alert=child.inactivity_alert_days,
            )
    except GatewayNotConnected as exc:  # no call was made
        _finish_child(child, ChildState.FAILED, None, str(exc))
        if entry is not None:
            _finish_entry(entry, EntryState.FAILED, None, str(exc), None)
        return
    except textconnect.TextConnectError as exc:
        state = _failure_state(exc)
        code, text = error_summary(exc)
        _finish_child(child, state, code, text)
        if entry is not None:
            _finish_entry(entry, EntryState(state), code, text, None)
        return
    _finish_child(child, ChildState.ACTIVE, None, "")
    if entry is not None:
        _finish_entry(
            entry, EntryState.COMPLETED, None, "", gateway_check(workspace=child.workspace)
        )


def _failure_state(exc: textconnect.TextConnectError) -> str:
    """A transport failure after the request left may have created the user: unknown."""
    if isinstance(exc, textconnect.TransportError) and exc.may_have_reached:
        return ChildState.UNKNOWN
    return ChildState.FAILED


def _finish_child(child: ChildAccount, state: str, code: int | None, text: str) -> None:
    child.state = state
    child.error_code = code
    child.error_text = text
    child.pending_password = ""
    child.save(update_fields=["state", "error_code", "error_text", "pending_password"])
    action = {
        ChildState.ACTIVE: "child_created",
        ChildState.FAILED: "child_create_failed",
        ChildState.UNKNOWN: "child_create_unknown",
    }[ChildState(state)]
    audit_record(
        action, workspace=child.workspace, actor=child.created_by, obj=child, error_code=code
    )


# -- moving credits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """What the portal knows a child holds: `known` credits, from its own workspace's balance
    (`from_balance`, read at `checked_at`) or else from the ledger; `available` is that less the
    take-backs still in flight."""

    known: Decimal
    available: Decimal
    from_balance: bool
    checked_at: timezone.datetime | None = None


_IN_FLIGHT = Q(state__in=[EntryState.PENDING, EntryState.SUBMITTING]) | Q(
    state=EntryState.UNKNOWN, review_outcome=""
)
_COUNTED = Q(state=EntryState.COMPLETED) | Q(review_outcome=ReviewOutcome.APPLIED)


def child_holding(child: ChildAccount) -> Holding:
    """The child's own workspace's last balance plus what moved since it was read, or, when the
    child has no connected workspace, the credits the ledger moved to it (it may have spent
    some since: the gateway then refuses, and says so)."""
    entries = child.ledger.all()
    gateway = getattr(child.linked_workspace, "gateway", None) if child.linked_workspace else None
    if gateway is not None and gateway.balance is not None and gateway.balance_checked_at:
        since = entries.filter(_COUNTED, completed_at__gt=gateway.balance_checked_at)
        known = gateway.balance + (since.aggregate(total=Sum("quantity"))["total"] or 0)
        from_balance, checked_at = True, gateway.balance_checked_at
    else:
        known = Decimal(entries.filter(_COUNTED).aggregate(total=Sum("quantity"))["total"] or 0)
        from_balance, checked_at = False, None
    leaving = entries.filter(_IN_FLIGHT, quantity__lt=0).aggregate(total=Sum("quantity"))["total"]
    available = max(known + (leaving or 0), Decimal(0))
    return Holding(
        known=known, available=available, from_balance=from_balance, checked_at=checked_at
    )


class TransferRefused(ValidationError):
    """A take-back of more credits than the child holds, as far as the portal knows."""


def _check_holding(child: ChildAccount, quantity: int) -> None:
    if quantity >= 0:
        return
    holding = child_holding(child)
    if -quantity <= holding.available:
        return
    words = {
        "held": floatformat(holding.known, "-2"),
        "most": floatformat(holding.available, "-2"),
    }
    if holding.from_balance:
        text = _(
            "%(child)s holds %(held)s credits (its workspace's balance, with the transfers since "
            "it was read); take back at most %(most)s."
        )
    else:
        text = _(
            "%(child)s holds %(held)s credits as far as the portal knows (what was moved to it "
            "here); take back at most %(most)s."
        )
    raise TransferRefused(text % {**words, "child": child.username})


def credits_transfer_start(
    *,
    request: HttpRequest,
    child: ChildAccount,
    quantity: int,
    reason: str,
    idempotency_key: uuid.UUID,
) -> LedgerEntry:
    """Write a pending ledger entry and queue its UpdateCredits call (once per idempotency key).
    A take-back of more than the child holds (`child_holding`) is refused first, with
    TransferRefused: the gateway would refuse it with -510."""
    from ..tasks import credits_transfer_task

    if quantity == 0 or abs(quantity) > MAX_TRANSFER:
        raise ValidationError(
            _("Transfer between 1 and %(most)s credits.") % {"most": f"{MAX_TRANSFER:,}"}
        )
    if child.state != ChildState.ACTIVE:
        raise ValidationError(_("Credits can only move to or from an active child."))
    workspace = request.workspace
    existing = LedgerEntry.objects.for_workspace(workspace).filter(idempotency_key=idempotency_key)
    if (entry := existing.first()) is not None:
        return entry
    try:
        with transaction.atomic():
            # One transfer of a child at a time is checked and written, so two take-backs
            # cannot each pass the check against the same credits.
            locked = ChildAccount.objects.select_for_update().get(pk=child.pk)
            _check_holding(locked, quantity)
            entry = LedgerEntry.objects.create(
                workspace=workspace,
                child=child,
                quantity=quantity,
                reason=reason,
                idempotency_key=idempotency_key,
                actor=request.user,
                actor_email=request.user.email,
            )
            audit_record(
                "credits_transfer_requested", request=request, obj=entry, quantity=quantity
            )
            transaction.on_commit(lambda: credits_transfer_task.delay(entry.pk))
    except IntegrityError:
        return existing.get()
    return entry


def transfer_outcome(entry: LedgerEntry) -> tuple[str, str]:
    """How a transfer ended, in words: (level, text), level one of "pending", "success",
    "error", "warning"."""
    amount = {"quantity": abs(entry.quantity), "child": entry.child.username}
    what = (
        _("The transfer of %(quantity)s credits to %(child)s")
        if entry.quantity > 0
        else _("The transfer of %(quantity)s credits back from %(child)s")
    ) % amount
    if entry.state in (EntryState.PENDING, EntryState.SUBMITTING):
        return "pending", _("%(what)s is on its way to the gateway…") % {"what": what}
    if entry.state == EntryState.COMPLETED:
        done = (
            _("%(quantity)s credits moved to %(child)s.")
            if entry.quantity > 0
            else _("%(quantity)s credits moved back from %(child)s.")
        )
        return "success", done % amount
    if entry.state == EntryState.UNKNOWN:
        return "warning", _(
            "%(what)s was cut off: the portal cannot tell whether the credits moved. Check the "
            "child's balance on Text-Connect, then record what happened."
        ) % {"what": what}
    if entry.error_code is not None:
        reason = _("the gateway refused it: %(error)s") % {
            "error": gateway_error_text(entry.error_code, entry.error_text)
        }
    else:
        reason = entry.error_text
    return "error", _("%(what)s failed: %(reason)s. No credits moved.") % {
        "what": what,
        "reason": reason.rstrip("."),
    }


def credits_transfer_run(*, entry_id: int) -> None:
    """Make the UpdateCredits call for a pending entry, once."""
    claimed = LedgerEntry.objects.filter(pk=entry_id, state=EntryState.PENDING).update(
        state=EntryState.SUBMITTING, submitted_at=timezone.now()
    )
    if claimed != 1:
        return
    entry = LedgerEntry.objects.select_related("workspace", "child").get(pk=entry_id)
    try:
        with client_for(entry.workspace) as client:
            client.update_credits(entry.child.username, entry.quantity)
    except GatewayNotConnected as exc:  # no call was made
        _finish_entry(entry, EntryState.FAILED, None, str(exc), None)
        return
    except textconnect.TextConnectError as exc:
        code, text = error_summary(exc)
        _finish_entry(entry, EntryState(_failure_state(exc)), code, text, None)
        return
    _finish_entry(entry, EntryState.COMPLETED, None, "", gateway_check(workspace=entry.workspace))


def _finish_entry(
    entry: LedgerEntry, state: EntryState, code: int | None, text: str, after: Decimal | None
) -> None:
    """Record the outcome. The balance is read once, after a success; the balance before it is
    derived (a send made in between would show in the difference)."""
    before = after + entry.quantity if after is not None else None
    LedgerEntry.objects.filter(pk=entry.pk, state=EntryState.SUBMITTING).update(
        state=state,
        error_code=code,
        error_text=text,
        balance_before=before,
        balance_after=after,
        completed_at=timezone.now(),
    )
    entry.refresh_from_db()
    action = {
        EntryState.COMPLETED: "credits_moved",
        EntryState.FAILED: "credits_move_failed",
        EntryState.UNKNOWN: "credits_move_unknown",
    }[state]
    audit_record(
        action,
        workspace=entry.workspace,
        actor=entry.actor,
        obj=entry,
        child=entry.child.username,
        quantity=entry.quantity,
        error_code=code,
    )


# -- reviewing and sweeping -------------------------------------------------------------------


def ledger_entry_review(
    *, request: HttpRequest, entry: LedgerEntry, outcome: ReviewOutcome, note: str
) -> None:
    """A person records whether an unknown transfer moved credits (seen on the gateway)."""
    if entry.state != EntryState.UNKNOWN or entry.review_outcome:
        raise ValidationError(
            _("Only an unreviewed entry with an unknown outcome can be reviewed.")
        )
    entry.review_outcome = outcome
    entry.review_note = note
    entry.reviewed_by = request.user
    entry.reviewed_at = timezone.now()
    entry.save(update_fields=["review_outcome", "review_note", "reviewed_by", "reviewed_at"])
    audit_record("ledger_reviewed", request=request, obj=entry, outcome=outcome.value)


def child_review(*, request: HttpRequest, child: ChildAccount, exists: bool) -> None:
    """A person records whether a child whose creation was cut off exists on the gateway."""
    if child.state != ChildState.UNKNOWN:
        raise ValidationError(_("Only a child with an unknown outcome can be reviewed."))
    child.state = ChildState.ACTIVE if exists else ChildState.FAILED
    child.save(update_fields=["state"])
    entry = child.ledger.filter(kind=EntryKind.STARTING_CREDITS, state=EntryState.UNKNOWN).first()
    if entry is not None:
        outcome = ReviewOutcome.APPLIED if exists else ReviewOutcome.NOT_APPLIED
        ledger_entry_review(request=request, entry=entry, outcome=outcome, note="Child reviewed")
    audit_record("child_reviewed", request=request, obj=child, exists=exists)


def reseller_sweep(*, now: timezone.datetime | None = None) -> None:
    """Queue again what never started; mark calls a crashed worker left mid-way as unknown."""
    from ..tasks import child_create_task, credits_transfer_task

    cutoff = (now or timezone.now()) - STALE_AFTER
    for pk in LedgerEntry.objects.filter(
        state=EntryState.PENDING, kind=EntryKind.TRANSFER, created_at__lt=cutoff
    ).values_list("pk", flat=True):
        credits_transfer_task.delay(pk)
    for pk in ChildAccount.objects.filter(
        state=ChildState.CREATING, submitted_at__isnull=True, created_at__lt=cutoff
    ).values_list("pk", flat=True):
        child_create_task.delay(pk)
    stopped = "The call was cut off (the worker stopped); check the gateway before acting."
    LedgerEntry.objects.filter(state=EntryState.SUBMITTING, submitted_at__lt=cutoff).update(
        state=EntryState.UNKNOWN, error_text=stopped, completed_at=timezone.now()
    )
    ChildAccount.objects.filter(state=ChildState.CREATING, submitted_at__lt=cutoff).update(
        state=ChildState.UNKNOWN, error_text=stopped
    )


# -- reading ----------------------------------------------------------------------------------

_COUNTS = Q(ledger__state=EntryState.COMPLETED) | Q(ledger__review_outcome=ReviewOutcome.APPLIED)


def children_with_totals(workspace: Workspace) -> QuerySet[ChildAccount]:
    """Children with credits moved in and out (entries that counted) and the linked balance."""
    return (
        ChildAccount.objects.for_workspace(workspace)
        .select_related("linked_workspace__gateway")
        .annotate(
            credits_in=Sum("ledger__quantity", filter=_COUNTS & Q(ledger__quantity__gt=0)),
            credits_out=Sum("ledger__quantity", filter=_COUNTS & Q(ledger__quantity__lt=0)),
            ledger_total=Sum("ledger__quantity", filter=_COUNTS),
        )
    )


@transaction.atomic
def child_workspace_create(*, request: HttpRequest, child: ChildAccount) -> Workspace:
    """Create the child's own workspace and invite the child's email as its owner."""
    if child.linked_workspace_id is not None:
        raise ValidationError(_("This child already has a workspace."))
    if child.state != ChildState.ACTIVE:
        raise ValidationError(_("Create the child on the gateway first."))
    workspace = workspace_create(
        name=(child.full_name or child.username)[:100],
        owner=None,
        actor=request.user,
        time_zone=request.workspace.time_zone,
        default_country=request.workspace.default_country,
    )
    invitation = Invitation.objects.create(
        workspace=workspace, email=child.email, role=Role.OWNER, invited_by=request.user
    )
    invitation_send(request=request, invitation=invitation)
    audit_record(  # in the child's own log, where its owner will look
        "member_invited", workspace=workspace, actor=request.user, obj=invitation,
        email=child.email, role=Role.OWNER.value,
    )  # fmt: skip
    child.linked_workspace = workspace
    child.save(update_fields=["linked_workspace"])
    audit_record(
        "child_workspace_created", request=request, obj=child, workspace_slug=workspace.slug
    )
    return workspace
