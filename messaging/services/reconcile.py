"""Settling rows left in `submitting` when the gateway's answer to a Send was lost.

The rows are looked up in the gateway's Messages report (which lists every message it accepted,
one row per part, by submission time). A row found there gets its message ID and is tracked as
usual. A row the report does not hold, once the report covers a period well after the call, was
not accepted: it goes back to the queue, with that finding in its history. A row the report cannot
settle (several candidates, or no report for a long time) becomes `unknown` for a person to decide,
with a button to send it again deliberately.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Min
from django.utils import timezone

import textconnect
from accounts.gateway import GatewayNotConnected, client_for
from accounts.models import Workspace
from contacts.phone import gateway_number
from textconnect.segments import segments

from ..models import Broadcast, BroadcastStatus, Message, MessageEvent, MessageState
from .bulk import update_rows
from .tracking import first_check_at

log = logging.getLogger(__name__)

GRACE = timedelta(seconds=60)  # let the gateway's report catch up with the call
GIVE_UP = timedelta(minutes=30)  # no report for this long: a person decides


def reconcile_workspace(*, workspace: Workspace, now: datetime | None = None) -> int:
    """Settle this workspace's stuck rows; returns how many were settled."""
    now = now or timezone.now()
    stuck = Message.objects.for_workspace(workspace).filter(
        state=MessageState.SUBMITTING, submitted_at__lte=now - GRACE
    )
    start = stuck.aggregate(start=Min("submitted_at"))["start"]
    if start is None:
        return 0
    try:
        with client_for(workspace) as client:
            report = client.report("Messages", start - timedelta(minutes=2), now)
    except (textconnect.TextConnectError, GatewayNotConnected) as exc:
        log.warning("reconcile: no Messages report for workspace %s: %s", workspace.pk, exc)
        _give_up_on_old(stuck, now)
        return 0
    return _settle(workspace, list(stuck.select_related("broadcast").order_by("id")), report, now)


def _settle(workspace: Workspace, rows: list[Message], report: list, now: datetime) -> int:
    known = set(
        Message.objects.for_workspace(workspace)
        .exclude(gateway_id="")
        .filter(submitted_at__gte=min(r.submitted_at for r in rows) - timedelta(minutes=2))
        .values_list("gateway_id", flat=True)
    )
    for message in rows:  # every part ID of messages already recorded is taken too
        known.update(message.gateway_ids.split(",") if message.gateway_ids else [])
    candidates: dict[tuple[str, str], list] = defaultdict(list)
    for row in sorted(report, key=lambda r: int(r.message_id) if r.message_id.isdigit() else 0):
        candidates[(row.destination, row.source)].append(row)
    found, requeued, unknown, events = [], [], [], []
    for message in rows:
        key = (gateway_number(message.destination), message.broadcast.source)
        free = [row for row in candidates.get(key, []) if row.message_id not in known]
        parts = segments(message.text).parts
        if len(free) >= parts and _one_message(free, parts):
            ids = [row.message_id for row in free[:parts]]
            known.update(ids)
            message.state, message.gateway_id = MessageState.SUBMITTED, ids[0]
            message.gateway_ids = ",".join(ids)[:400]
            message.gateway_status = free[0].status.word
            message.next_check_at = first_check_at(now)
            found.append(message)
            events.append(MessageEvent(message=message, state=message.state,
                                       note="Found in the gateway's report", at=now))  # fmt: skip
        elif not free:
            message.state, message.submitted_at = MessageState.QUEUED, None
            requeued.append(message)
            note = "Not in the gateway's report: queued again"
            events.append(MessageEvent(message=message, state=message.state, at=now, note=note))
        else:
            message.state = MessageState.UNKNOWN
            message.error_text = "The gateway's report could not tell whether this was sent."
            unknown.append(message)
            events.append(MessageEvent(message=message, state=message.state, at=now,
                                       note=message.error_text))  # fmt: skip
    update_rows(found, ["state", "gateway_id", "gateway_ids", "gateway_status", "next_check_at"])
    update_rows(requeued, ["state", "submitted_at"])
    update_rows(unknown, ["state", "error_text"])
    MessageEvent.objects.bulk_create(events)
    _wake(rows)
    return len(found) + len(requeued) + len(unknown)


def _one_message(free: list, parts: int) -> bool:
    """The next `parts` candidates are the parts of one message (consecutive IDs)."""
    ids = [row.message_id for row in free[:parts]]
    if not all(i.isdigit() for i in ids):
        return parts == 1
    numbers = [int(i) for i in ids]
    return numbers == list(range(numbers[0], numbers[0] + parts))


def _give_up_on_old(stuck, now: datetime) -> None:  # noqa: ANN001
    old = list(stuck.filter(submitted_at__lte=now - GIVE_UP))
    text = "The gateway's report was unavailable for too long to tell whether this was sent."
    for message in old:
        message.state, message.error_text = MessageState.UNKNOWN, text
    update_rows(old, ["state", "error_text"])
    MessageEvent.objects.bulk_create(
        MessageEvent(message=m, state=m.state, note=text, at=now) for m in old
    )
    _wake(old)


def _wake(rows: list[Message]) -> None:
    """Broadcasts whose rows changed: dispatch sends what went back to the queue, then settles."""
    from ..tasks import broadcast_dispatch_task
    from .dispatch import broadcast_settle

    for broadcast_id in {m.broadcast_id for m in rows}:
        broadcast = Broadcast.objects.get(pk=broadcast_id)
        broadcast_settle(broadcast)
        if broadcast.status in (BroadcastStatus.QUEUED, BroadcastStatus.SENDING):
            broadcast_dispatch_task.delay(broadcast.pk)


def reconcile_all(*, now: datetime | None = None) -> None:
    now = now or timezone.now()
    ids = (
        Message.objects.filter(state=MessageState.SUBMITTING, submitted_at__lte=now - GRACE)
        .order_by()
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    for workspace in Workspace.objects.filter(pk__in=list(ids)):
        reconcile_workspace(workspace=workspace, now=now)


def message_resend(*, message: Message, user, request=None) -> Message:  # noqa: ANN001
    """A person decided: send an `unknown` row again (a new row, so the old one keeps its story)."""
    from accounts.audit import audit_record

    from .compose import send_now

    if message.state != MessageState.UNKNOWN:
        raise ValueError("Only a message whose outcome is unknown can be sent again by hand.")
    Message.objects.filter(pk=message.pk).update(
        state=MessageState.FAILED, error_text="Outcome unknown; sent again by hand."
    )
    broadcast = send_now(
        workspace=message.workspace,
        body=message.text,
        destinations=[message.destination],
        source=message.broadcast.source,
        user=user,
    )
    audit_record("message_resent", request=request, workspace=message.workspace, actor=user,
                 obj=message, new_broadcast=str(broadcast.public_id))  # fmt: skip
    from .dispatch import broadcast_settle

    broadcast_settle(message.broadcast)
    return broadcast.messages.get()
