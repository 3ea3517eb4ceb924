"""Status tracking at scale: per-message backoff, settled in bulk from the gateway's report.

A sweep looks only at messages whose next check is due. For each workspace with due messages it
makes ONE Messages report call over the window those messages were submitted in, and applies every
status it carries to every in-flight message it names. CheckMessageStatus is the fallback for a
few due messages the report does not name. The cost is counted per workspace and day
(GatewayCallCount): gateway calls per message brought to a final state.
"""

import logging
from datetime import datetime, timedelta

from django.db.models import F, Min, Sum
from django.utils import timezone

import textconnect
from accounts.gateway import GatewayNotConnected, client_for
from accounts.models import Workspace

from ..models import Broadcast, GatewayCallCount, Message, MessageEvent, MessageState
from .states import broadcast_settle, messages_write

log = logging.getLogger(__name__)

# Delays between checks of one message, then the last one repeats until it gives up.
BACKOFF = [timedelta(seconds=s) for s in (5, 15, 30, 60, 120, 300, 900, 1800, 3600)]
GIVE_UP_AFTER = timedelta(days=2)  # validity is at most a day: a later word will not come
MAX_STATUS_CALLS = 100  # per workspace and sweep, for messages the report does not name
ID_CHUNK = 5000  # gateway IDs per query (PostgreSQL takes at most 65,535 parameters)

FINAL_WORDS = {
    "Delivered": MessageState.DELIVERED,
    "Undeliverable": MessageState.FAILED,
    "Expired": MessageState.FAILED,
    "Failed": MessageState.FAILED,
    "Command_Rejected": MessageState.FAILED,
    "Command_Failed": MessageState.FAILED,
}


def first_check_at(now: datetime) -> datetime:
    return now + BACKOFF[0]


def _next_check(message: Message, now: datetime) -> datetime | None:
    if message.submitted_at and now - message.submitted_at > GIVE_UP_AFTER:
        return None  # stays as the gateway last said (e.g. Sent), no longer tracked
    return now + BACKOFF[min(message.check_count, len(BACKOFF) - 1)]


def apply_status(
    message: Message,
    word: str,
    now: datetime,
    *,
    sent_at: datetime | None = None,
    delivered_at: datetime | None = None,
) -> bool:
    """Apply a status word to a message in memory; True when it reached a final state."""
    state = FINAL_WORDS.get(word)
    message.gateway_status = word[:30]
    message.check_count += 1
    if word == "Sent" and message.sent_at is None:
        message.sent_at = sent_at or now
    if state is None:
        message.next_check_at = _next_check(message, now)
        return False
    message.state = state
    message.next_check_at = None
    if state == MessageState.DELIVERED:
        message.delivered_at = delivered_at or now
    else:
        message.failed_at = delivered_at or now
        message.error_text = f"The gateway reported {word}."
    return True


UPDATE_FIELDS = [
    "state", "gateway_status", "check_count", "sent_at", "delivered_at", "failed_at",
    "next_check_at", "error_text",
]  # fmt: skip


def track_workspace(*, workspace: Workspace, now: datetime | None = None) -> int:
    """One sweep for one workspace; returns how many messages reached a final state."""
    now = now or timezone.now()
    due = Message.objects.for_workspace(workspace).filter(
        state=MessageState.SUBMITTED, next_check_at__lte=now
    )
    start = due.aggregate(start=Min("submitted_at"))["start"]
    if start is None:
        return 0
    try:
        client = client_for(workspace)
    except GatewayNotConnected:
        return 0
    with client:
        finals, report_calls, status_calls = _sweep(client, workspace, start, now)
    _count(workspace, now, report_calls, status_calls, finals)
    return finals


def _sweep(client: textconnect.Client, workspace: Workspace, start: datetime, now: datetime):  # noqa: ANN202
    report_calls = 1
    try:
        rows = client.report("Messages", start - timedelta(minutes=1), now)
    except textconnect.TextConnectError as exc:
        log.warning("Messages report failed for workspace %s: %s", workspace.pk, exc)
        rows = []
    by_id = {row.message_id: row for row in rows}
    finals = 0
    changed: list[Message] = []
    events: list[MessageEvent] = []
    ids = list(by_id)
    for start_at in range(0, len(ids), ID_CHUNK):
        in_flight = Message.objects.for_workspace(workspace).filter(
            state=MessageState.SUBMITTED, gateway_id__in=ids[start_at : start_at + ID_CHUNK]
        )
        for message in in_flight:
            row = by_id[message.gateway_id]
            finals += _apply(
                message, row.status.word, now, changed, events, row.sent_date, row.delivery_date
            )
    _save(changed, events)  # those are no longer due, so the query below skips them
    changed, events = [], []
    status_calls = 0
    missing = Message.objects.for_workspace(workspace).filter(
        state=MessageState.SUBMITTED, next_check_at__lte=now
    )
    for message in missing[:MAX_STATUS_CALLS]:
        status_calls += 1
        try:
            word = client.check_message_status(message.gateway_id).word
        except textconnect.TextConnectError:
            message.check_count += 1
            message.next_check_at = _next_check(message, now)
            changed.append(message)
            continue
        finals += _apply(message, word, now, changed, events)
    _save(changed, events)
    return finals, report_calls, status_calls


def _apply(message, word, now, changed, events, sent=None, delivered=None) -> int:  # noqa: ANN001
    before = message.gateway_status
    final = apply_status(message, word, now, sent_at=sent, delivered_at=delivered)
    changed.append(message)
    if word != before:
        # The history says when it happened, as the detail does, not when the sweep learnt it.
        at = (message.delivered_at or message.failed_at) if final else None
        at = at or (message.sent_at if word == "Sent" else None) or now
        events.append(
            MessageEvent(message=message, state=message.state, gateway_status=word, at=at)
        )
    return int(final)


def _save(changed: list[Message], events: list[MessageEvent]) -> None:
    """Write what the sweep learnt, only to rows still in flight (a final state never goes back)."""
    fields = [f for f in UPDATE_FIELDS if f != "state"]
    written = messages_write(changed, fields, expect=[MessageState.SUBMITTED], note=None)
    kept = {m.pk for m in written}
    MessageEvent.objects.bulk_create([e for e in events if e.message_id in kept], batch_size=2000)
    for broadcast_id in {m.broadcast_id for m in written if m.state != MessageState.SUBMITTED}:
        broadcast_settle(Broadcast(pk=broadcast_id))


def _count(workspace: Workspace, now: datetime, report: int, status: int, finals: int) -> None:
    day = timezone.localdate(now)
    GatewayCallCount.objects.get_or_create(workspace=workspace, day=day)
    GatewayCallCount.objects.filter(workspace=workspace, day=day).update(
        report_calls=F("report_calls") + report,
        status_calls=F("status_calls") + status,
        finals=F("finals") + finals,
    )


def workspaces_due(*, now: datetime | None = None) -> list[int]:
    """Workspaces with a message due for a check (beat queues one task for each)."""
    now = now or timezone.now()
    return list(
        Message.objects.filter(state=MessageState.SUBMITTED, next_check_at__lte=now)
        .order_by()
        .values_list("workspace_id", flat=True)
        .distinct()
    )


def track_all(*, now: datetime | None = None) -> None:
    """Every due workspace, one after another in this process (tests and benches)."""
    now = now or timezone.now()
    for workspace in Workspace.objects.filter(pk__in=workspaces_due(now=now)):
        track_workspace(workspace=workspace, now=now)


def calls_per_final(workspace: Workspace, days: int = 30) -> float | None:
    """Gateway calls spent on tracking per message brought to a final state, over `days`."""
    since = timezone.localdate() - timedelta(days=days)
    totals = (
        GatewayCallCount.objects.for_workspace(workspace)
        .filter(day__gte=since)
        .aggregate(calls=Sum(F("report_calls") + F("status_calls")), finals=Sum("finals"))
    )
    return totals["calls"] / totals["finals"] if totals["finals"] else None
