"""Every change of a message's state goes through here, and a final state never goes back.

`TRANSITIONS` is the table of allowed moves. A write names the states it expects the rows to be in
and moves only the rows still in them (checked under a row lock), so two writers that race (a late
dispatch and the reconciler, tracking and a resend) cannot undo each other: the second finds the
row moved and leaves it. Each move writes the row's history (a MessageEvent) unless told not to.

Rows written as failing permanently, each with its own answer (Undeliverable, -401, -412), are
handed a batch at a time to `suppress.permanent_failures_check`, which suppresses numbers that keep
failing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.bulk import update_rows

from ..models import Broadcast, BroadcastStatus, DispatchRun, Message, MessageEvent, MessageState
from . import events
from .outcomes import Outcomes, outcomes_count, stored_fields
from .suppress import is_permanent, permanent_failures_check

S = MessageState
CHUNK = 5000
FINAL_STATES = frozenset({S.DELIVERED, S.FAILED, S.SKIPPED, S.CANCELLED})

# from -> the states it may move to. A state not listed as a key is final: nothing leaves it.
TRANSITIONS: dict[str, frozenset[str]] = {
    # claimed for a call; opted out (skipped); cancelled; refused before any call (no gateway)
    S.QUEUED: frozenset({S.SUBMITTING, S.SKIPPED, S.CANCELLED, S.FAILED}),
    # the call's answer (submitted, refused); back to the queue when the gateway certainly did not
    # take it; in doubt and settled by the report (found, absent -> queued or cancelled, unclear)
    S.SUBMITTING: frozenset({S.SUBMITTED, S.FAILED, S.QUEUED, S.CANCELLED, S.UNKNOWN}),
    # status words from the gateway: a new word while in flight, or a final one
    S.SUBMITTED: frozenset({S.SUBMITTED, S.DELIVERED, S.FAILED}),
    # a person decided: sent again (the old row ends as failed), or the report found it late
    S.UNKNOWN: frozenset({S.FAILED, S.SUBMITTED}),
}


class IllegalTransition(ValueError):
    """A write asked for a move the table does not allow."""


def allowed(source: str, target: str) -> bool:
    return target in TRANSITIONS.get(source, frozenset())


def sources_of(target: str) -> list[str]:
    """The states a row may be in to move to `target`."""
    return [source for source, targets in TRANSITIONS.items() if target in targets]


def _check(expect: Iterable[str], target: str) -> list[str]:
    expect = list(expect)
    for source in expect:
        if not allowed(source, target):
            raise IllegalTransition(f"a message cannot go from {source} to {target}")
    return expect


Note = str | Callable[[Message], str]


def messages_move(
    rows: QuerySet[Message],
    target: str,
    *,
    note: str | None,
    at: datetime | None = None,
    expect: Iterable[str] | None = None,
    **fields: object,
) -> list[int]:
    """Move every row of `rows` that is in an `expect` state (default: every state that may move
    to `target`) to `target`, with the same `fields`; returns the ids that moved. `note=None`
    writes no history."""
    at = at or timezone.now()
    expect = _check(expect if expect is not None else sources_of(target), target)
    with transaction.atomic():
        locked = rows.select_for_update().filter(state__in=expect).order_by()
        ids = list(locked.values_list("pk", flat=True))
        if not ids:
            return []
        for start in range(0, len(ids), CHUNK):  # PostgreSQL takes at most 65,535 parameters
            chunk = ids[start : start + CHUNK]
            Message.objects.filter(pk__in=chunk).update(state=target, **fields)
            if note is not None:
                MessageEvent.objects.bulk_create(
                    MessageEvent(message_id=pk, state=target, note=note[:300], at=at)
                    for pk in chunk
                )
        # Not a suppression check here: a move gives every row the same fields, and a code for
        # many rows at once is the gateway refusing the whole call, which says nothing of a number.
        events.status_changed(ids, target)
    return ids


def messages_write(
    messages: Sequence[Message],
    fields: Sequence[str],
    *,
    expect: Iterable[str],
    at: datetime | None = None,
    note: Note | None = "",
    gateway_status: bool = False,
    run: DispatchRun | None = None,
    in_doubt: bool | None = None,
) -> list[Message]:
    """Write each message's new state and `fields` (set on the instances) where its row is still in
    an `expect` state; with `run`, only rows still claimed by that run, and with `in_doubt`, only
    rows that are (True) or are not (False) in doubt. Returns the messages written.

    `note=None` writes no history (a submission's history starts from its submitted_at)."""
    if not messages:
        return []
    at = at or timezone.now()
    expect = list(expect)
    for message in messages:
        _check(expect, message.state)
    condition = Q(pk__in=[m.pk for m in messages], state__in=expect)
    if run is not None:
        condition &= Q(run=run)
    if in_doubt is not None:
        condition &= Q(doubt_at__isnull=not in_doubt)
    with transaction.atomic():
        still = set(
            Message.objects.select_for_update()
            .filter(condition)
            .order_by()
            .values_list("pk", flat=True)
        )
        moved = [m for m in messages if m.pk in still]
        update_rows(moved, ["state", *fields])
        if note is not None:
            MessageEvent.objects.bulk_create(
                (
                    MessageEvent(
                        message_id=m.pk,
                        state=m.state,
                        gateway_status=m.gateway_status if gateway_status else "",
                        note=(note(m) if callable(note) else note)[:300],
                        at=at,
                    )
                    for m in moved
                ),
                batch_size=2000,
            )
        # Judged only by the fields this write sets (others may not be loaded on the instances).
        permanent_failures_check(
            [
                m.pk
                for m in moved
                if m.state == S.FAILED
                and is_permanent(
                    m.error_code if "error_code" in fields else None,
                    m.gateway_status if "gateway_status" in fields else "",
                )
            ]
        )
        for state in {m.state for m in moved}:
            events.status_changed([m.pk for m in moved if m.state == state], state)
    return moved


def broadcast_settle(broadcast: Broadcast) -> Outcomes:
    """Recount a broadcast's recipients; when none is still on its way out (queued, being sent,
    in doubt, or waiting for a person), give it its final status."""
    outcomes = outcomes_count(broadcast)
    Broadcast.objects.filter(pk=broadcast.pk).update(**stored_fields(outcomes))
    if outcomes.outbox or outcomes.unknown:
        return outcomes
    cancel = (
        Broadcast.objects.filter(pk=broadcast.pk, cancel_requested_at__isnull=False)
        .values_list("cancelled_by__email")
        .first()
        if outcomes.cancelled
        else None
    )
    if cancel is not None:
        final = BroadcastStatus.CANCELLED
        reason = (
            _("Cancelled by %(email)s.") % {"email": cancel[0]} if cancel[0] else _("Cancelled.")
        )
    elif outcomes.not_reached == 0:
        final, reason = BroadcastStatus.SENT, ""
    elif outcomes.sent:
        final, reason = BroadcastStatus.PARTLY_FAILED, ""
    else:
        final, reason = BroadcastStatus.FAILED, None
    fields: dict[str, object] = {
        "status": final,
        "finished_at": timezone.now(),
        "next_attempt_at": None,
    }
    if reason is not None:
        fields["status_reason"] = reason
    with transaction.atomic():
        finished = Broadcast.objects.filter(
            pk=broadcast.pk, status__in=[BroadcastStatus.QUEUED, BroadcastStatus.SENDING]
        ).update(**fields)
        if finished:
            events.broadcast_finished(broadcast, final, outcomes)
    return outcomes


def messages_release(rows: QuerySet[Message], broadcast: Broadcast, *, note: str) -> list[int]:
    """Rows in `submitting` that certainly did not reach the gateway go back to the queue, or are
    cancelled when the broadcast's cancel was asked for (under the broadcast's lock, so a cancel
    and a release never cross)."""
    with transaction.atomic():
        locked = (
            Broadcast.objects.select_for_update().only("cancel_requested_at").get(pk=broadcast.pk)
        )
        rows = rows.filter(state=S.SUBMITTING)
        if locked.cancel_requested_at is not None:
            return messages_move(
                rows,
                S.CANCELLED,
                note=f"{note} Not sent: the broadcast was cancelled.",
                error_text=gettext_noop("Cancelled before sending."),
                failed_at=timezone.now(),
                run=None,
                doubt_at=None,
                next_check_at=None,
            )
        return messages_move(
            rows,
            S.QUEUED,
            note=note,
            submitted_at=None,
            run=None,
            doubt_at=None,
            next_check_at=None,
            check_count=0,
        )


def messages_doubt(rows: QuerySet[Message], *, note: str, at: datetime, check_at: datetime) -> int:
    """The answer to these rows' call was lost: the rows stay `submitting`, now in doubt, and the
    reconciler looks for them in the gateway's report from `check_at` (not a state change)."""
    with transaction.atomic():
        ids = list(
            rows.select_for_update()
            .filter(state=S.SUBMITTING, doubt_at__isnull=True)
            .order_by()
            .values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=ids).update(
            doubt_at=at, next_check_at=check_at, check_count=0
        )
        MessageEvent.objects.bulk_create(
            MessageEvent(message_id=pk, state=S.SUBMITTING, note=note[:300], at=at) for pk in ids
        )
    return len(ids)
