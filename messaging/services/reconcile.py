"""Settling rows in doubt: `submitting` rows whose call's answer was lost, or whose run died.

The rules (docs/messaging.md, "Sending exactly once"):

- Rows of a live dispatch run are never touched: the run renews a lease before every call, and its
  rows are in doubt only once it hands them over (a lost answer) or its lease has lapsed.
- Rows in doubt are looked up in the gateway's Messages report at growing intervals after the
  moment their outcome came into doubt, up to a horizon (MESSAGING_RECONCILE_HORIZON_SECONDS,
  15 minutes by default), far past the life of any HTTP request. A row found there gets its message
  ID and is tracked as usual.
- Absence from the report is evidence only at the horizon: then the row goes back to the queue (or
  is cancelled, if its broadcast was), with the checks in its history. Before it, a row the report
  does not hold is simply looked at again later.
- A row the report cannot settle (more candidates than it can tell apart), or one for which no
  report could be read for twice the horizon, becomes `unknown`: a person decides.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

import textconnect
from accounts.audit import audit_record
from accounts.bulk import update_rows
from accounts.gateway import GatewayNotConnected, client_for
from accounts.models import Workspace
from contacts.phone import gateway_number
from textconnect.segments import segments

from ..models import Broadcast, BroadcastStatus, Message, MessageEvent, MessageState
from .runs import last_alive, live
from .states import broadcast_settle, messages_release, messages_write
from .tracking import first_check_at

log = logging.getLogger(__name__)

S = MessageState
# Checks after the outcome came into doubt, as fractions of the horizon: 1/32, 1/16 ... 1.
CHECKS = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1)
REPORT_SLACK = timedelta(minutes=2)  # the report's window opens this long before the first call
PASS_ROWS = 20_000  # rows settled per workspace and pass; the next pass takes the rest


def horizon() -> timedelta:
    return timedelta(seconds=settings.MESSAGING_RECONCILE_HORIZON_SECONDS)


def check_at(doubt_at: datetime, checks_done: int) -> datetime:
    """When to look again, after `checks_done` looks that did not find the row."""
    return doubt_at + horizon() * CHECKS[min(checks_done, len(CHECKS) - 1)]


def first_check_after(doubt_at: datetime) -> datetime:
    return check_at(doubt_at, 0)


def in_doubt(now: datetime) -> Q:
    """`submitting` rows the reconciler may take: handed over and due, or of a run that is gone."""
    handed_over = Q(doubt_at__isnull=False) & (
        Q(next_check_at__lte=now) | Q(next_check_at__isnull=True)
    )
    orphaned = Q(doubt_at__isnull=True) & (
        Q(run__isnull=True) | Q(run__ended_at__isnull=False) | Q(run__alive_until__lte=now)
    )
    return Q(state=S.SUBMITTING) & (handed_over | orphaned)


def reconcile_all(*, now: datetime | None = None) -> list[int]:
    """Beat: one reconcile task per workspace with rows in doubt; returns the workspace ids."""
    from ..tasks import reconcile_workspace_task

    now = now or timezone.now()
    ids = list(
        Message.objects.filter(in_doubt(now))
        .order_by()
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    for workspace_id in ids:
        reconcile_workspace_task.delay(workspace_id)
    return ids


def reconcile_workspace(*, workspace: Workspace, now: datetime | None = None) -> int:
    """Settle this workspace's rows in doubt; returns how many were settled (found, queued again,
    cancelled or marked unknown). Rows looked at but not settled yet are due again later."""
    now = now or timezone.now()
    rows = list(
        Message.objects.for_workspace(workspace)
        .filter(in_doubt(now))
        .select_related("broadcast", "run")
        .order_by("id")[:PASS_ROWS]
    )
    if not rows:
        return 0
    adopted = _adopt([r for r in rows if r.doubt_at is None], now)
    rows = [r for r in rows if r.doubt_at is not None or r.pk in adopted]
    if not rows:
        return 0
    start = min(r.submitted_at or r.queued_at for r in rows) - REPORT_SLACK
    try:
        with client_for(workspace) as client:
            report = client.report("Messages", start, now)
    except (textconnect.TextConnectError, GatewayNotConnected) as exc:
        log.warning("reconcile: no Messages report for workspace %s: %s", workspace.pk, exc)
        return _no_report(rows, now)
    return _settle(workspace, rows, report, now)


def _adopt(rows: list[Message], now: datetime) -> set[int]:
    """Rows of a run that died (or ended without an answer for them) come into doubt from the
    last moment the run could still have called the gateway. Returns the ids adopted."""
    if not rows:
        return set()
    with transaction.atomic():
        still = set(
            Message.objects.select_for_update()
            .filter(pk__in=[r.pk for r in rows], state=S.SUBMITTING, doubt_at__isnull=True)
            .values_list("pk", flat=True)
        )
        rows = [r for r in rows if r.pk in still]
        for message in rows:
            message.doubt_at = min(last_alive(message.run, message.submitted_at or now), now)
            message.next_check_at, message.check_count = now, 0
        update_rows(rows, ["doubt_at", "next_check_at", "check_count"])
        note = gettext_noop(
            "Its dispatch run stopped before recording an answer: checking the report."
        )
        MessageEvent.objects.bulk_create(
            (MessageEvent(message=m, state=S.SUBMITTING, note=note, at=now) for m in rows),
            batch_size=2000,
        )
    return still


def _settle(workspace: Workspace, rows: list[Message], report: list, now: datetime) -> int:
    window = min(r.submitted_at or now for r in rows) - REPORT_SLACK
    known = _recorded_ids(workspace, window)
    busy = _keys_of_live_runs(workspace, now)
    candidates: dict[tuple[str, str], list] = defaultdict(list)
    for row in sorted(report, key=lambda r: int(r.message_id) if r.message_id.isdigit() else 0):
        candidates[(row.destination, row.source)].append(row)
    found, absent, unknown, later = [], [], [], []
    for message in rows:
        key = (gateway_number(message.destination), message.broadcast.source)
        if key in busy:  # a live run may be about to record one of these IDs: look again later
            later.append(message)
            continue
        free = [row for row in candidates.get(key, []) if row.message_id not in known]
        parts = segments(message.text).parts
        if len(free) >= parts and _one_message(free, parts):
            ids = [row.message_id for row in free[:parts]]
            known.update(ids)
            message.state, message.gateway_id = S.SUBMITTED, ids[0]
            message.gateway_ids = ",".join(ids)[:400]
            message.gateway_status = free[0].status.word
            message.next_check_at, message.check_count = first_check_at(now), 0
            found.append(message)
        elif free:
            message.state = S.UNKNOWN
            message.error_text = gettext_noop(
                "The gateway's report could not tell whether this was sent."
            )
            unknown.append(message)
        elif now >= message.doubt_at + horizon():
            absent.append(message)
        else:
            later.append(message)
    written = messages_write(
        found,
        ["gateway_id", "gateway_ids", "gateway_status", "next_check_at", "check_count"],
        expect=[S.SUBMITTING], in_doubt=True, at=now,
        note=gettext_noop("Found in the gateway's report"),
    )  # fmt: skip
    written += messages_write(unknown, ["error_text"], expect=[S.SUBMITTING], in_doubt=True,
                              at=now, note=lambda m: m.error_text)  # fmt: skip
    released = _release_absent(absent, now)
    _look_again(later, now)
    _wake({m.broadcast_id for m in [*written, *absent]}, requeued=released)
    return len(written) + len(absent)


def _recorded_ids(workspace: Workspace, since: datetime) -> set[str]:
    """Every part ID the workspace has recorded since `since`: those are taken."""
    known: set[str] = set()
    for ids in (
        Message.objects.for_workspace(workspace)
        .exclude(gateway_ids="")
        .filter(submitted_at__gte=since)
        .values_list("gateway_ids", flat=True)
    ):
        known.update(ids.split(","))
    return known


def _keys_of_live_runs(workspace: Workspace, now: datetime) -> set[tuple[str, str]]:
    """(destination, sender) of rows a live run has claimed and not recorded yet."""
    return {
        (gateway_number(destination), source)
        for destination, source in Message.objects.for_workspace(workspace)
        .filter(live(now, "run__"), state=S.SUBMITTING, doubt_at__isnull=True)
        .values_list("destination", "broadcast__source")
    }


def _release_absent(rows: list[Message], now: datetime) -> set[int]:
    """Not in the report at the horizon: not accepted. Queued again, or cancelled; returns the
    broadcasts that have rows queued again."""
    requeued: set[int] = set()
    by_broadcast: dict[int, list[Message]] = defaultdict(list)
    for message in rows:
        by_broadcast[message.broadcast_id].append(message)
    for broadcast_id, messages in by_broadcast.items():
        minutes = round(horizon().total_seconds() / 60, 1)
        note = (
            f"Not in the gateway's report at {messages[0].check_count + 1} checks up to "
            f"{minutes:g} minutes after the call: it was not accepted."
        )
        queryset = Message.objects.filter(pk__in=[m.pk for m in messages], doubt_at__isnull=False)
        released = messages_release(queryset, messages[0].broadcast, note=f"{note} Queued again.")
        if Message.objects.filter(pk__in=released, state=S.QUEUED).exists():
            requeued.add(broadcast_id)
    return requeued


def _look_again(rows: list[Message], now: datetime) -> None:
    for message in rows:
        message.check_count += 1
        message.next_check_at = max(check_at(message.doubt_at, message.check_count), now)
    update_rows(rows, ["check_count", "next_check_at"])


def _no_report(rows: list[Message], now: datetime) -> int:
    """No report could be read: look again soon; after twice the horizon, a person decides."""
    old = [m for m in rows if now - m.doubt_at > 2 * horizon()]
    text = gettext_noop(
        "The gateway's report was unavailable for too long to tell whether this was sent."
    )
    for message in old:
        message.state, message.error_text = S.UNKNOWN, text
    written = messages_write(old, ["error_text"], expect=[S.SUBMITTING], in_doubt=True, at=now,
                             note=text)  # fmt: skip
    waiting = [m for m in rows if m not in old]
    for message in waiting:
        message.next_check_at = now + horizon() * CHECKS[1]
    update_rows(waiting, ["next_check_at"])
    _wake({m.broadcast_id for m in written}, requeued=set())
    return len(written)


def _one_message(free: list, parts: int) -> bool:
    """The next `parts` candidates are the parts of one message (consecutive IDs)."""
    ids = [row.message_id for row in free[:parts]]
    if not all(i.isdigit() for i in ids):
        return parts == 1
    numbers = [int(i) for i in ids]
    return numbers == list(range(numbers[0], numbers[0] + parts))


def _wake(broadcast_ids: set[int], *, requeued: set[int]) -> None:
    """Broadcasts whose rows changed are recounted; those with rows queued again are sent on."""
    from ..tasks import broadcast_dispatch_task

    for broadcast_id in broadcast_ids | requeued:
        broadcast = Broadcast.objects.get(pk=broadcast_id)
        broadcast_settle(broadcast)
        if broadcast_id in requeued and broadcast.status in (
            BroadcastStatus.QUEUED,
            BroadcastStatus.SENDING,
        ):
            broadcast_dispatch_task.delay(broadcast.pk)


def message_resend(*, message: Message, user, request=None) -> Message:  # noqa: ANN001
    """A person decided: send an `unknown` row again (a new row, so the old one keeps its story)."""
    from .compose import send_now

    if message.state != S.UNKNOWN:
        raise ValueError("Only a message whose outcome is unknown can be sent again by hand.")
    message.state, message.error_text = S.FAILED, "Outcome unknown; sent again by hand."
    if not messages_write([message], ["error_text"], expect=[S.UNKNOWN], note=message.error_text):
        raise ValueError("This message was settled meanwhile; it was not sent again.")
    broadcast = send_now(
        workspace=message.workspace,
        body=message.text,
        destinations=[message.destination],
        source=message.broadcast.source,
        user=user,
    )
    audit_record("message_resent", request=request, workspace=message.workspace, actor=user,
                 obj=message, new_broadcast=str(broadcast.public_id))  # fmt: skip
    broadcast_settle(message.broadcast)
    return broadcast.messages.get()
