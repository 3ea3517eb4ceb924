"""Sending a broadcast's outbox rows to the gateway, each recipient exactly once.

Rows are claimed in batches with `SELECT ... FOR UPDATE SKIP LOCKED` and committed as `submitting`
before the gateway is called. After the call each row holds its message ID or its error. When the
answer is lost (a timeout or dropped connection after the request left), the rows stay
`submitting` for the reconciler, which looks them up in the gateway's report: they are never sent
again blindly. When the gateway certainly did not take the batch (maintenance, connection refused),
the rows go back to `queued` and the broadcast retries with backoff.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

import textconnect
from accounts.gateway import GatewayNotConnected, client_for, error_summary
from accounts.services.gateway import gateway_check
from contacts.models import Contact
from contacts.phone import gateway_number

from ..models import (
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    Message,
    MessageEvent,
    MessageState,
)
from .bulk import update_rows
from .tracking import first_check_at

log = logging.getLogger(__name__)

RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=15)


def batch_size() -> int:
    return settings.MESSAGING_BATCH_SIZE


class RetryLater(Exception):
    """The gateway did not take the batch; the broadcast tries again after a pause."""


class Halt(Exception):
    """The answer was lost: stop this run and let the reconciler settle the batch."""


def broadcast_dispatch(*, broadcast_id: int) -> None:
    """Send every queued row of a broadcast (safe to run twice, or in two workers at once)."""
    broadcast = Broadcast.objects.select_related("workspace").filter(pk=broadcast_id).first()
    if broadcast is None or broadcast.status not in (
        BroadcastStatus.QUEUED,
        BroadcastStatus.SENDING,
    ):
        return
    if broadcast.workspace.is_suspended:
        _note(broadcast, "Waiting: the workspace is suspended.")
        return
    if broadcast.kind != BroadcastKind.DIRECT:
        from .background import background_step

        background_step(broadcast=broadcast)
        return
    Broadcast.objects.filter(pk=broadcast.pk).update(
        status=BroadcastStatus.SENDING, last_progress_at=timezone.now(), next_attempt_at=None
    )
    try:
        client = client_for(broadcast.workspace)
    except GatewayNotConnected:
        _fail_queued(broadcast, None, "No gateway account is connected to this workspace.")
        broadcast_settle(broadcast)
        return
    submitted = False
    try:
        with client:
            while batch := _claim(broadcast):
                _submit(client, broadcast, batch)
                submitted = True
                Broadcast.objects.filter(pk=broadcast.pk).update(last_progress_at=timezone.now())
    except RetryLater as exc:
        _retry_later(broadcast, str(exc))
        return
    except Halt as exc:
        _note(broadcast, str(exc))
        return
    broadcast_settle(broadcast)
    if submitted:  # the header's balance, after a run that sent (a parallel run may send none)
        gateway_check(workspace=broadcast.workspace)


def _claim(broadcast: Broadcast) -> list[Message]:
    """Take the next batch of queued rows; opted-out numbers are skipped, not sent."""
    while True:
        now = timezone.now()
        with transaction.atomic():
            rows = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(broadcast=broadcast, state=MessageState.QUEUED)
                .order_by("id")
                .only("id", "destination", "body")[: batch_size()]
            )
            if not rows:
                return []
            opted_out = set(
                Contact.objects.for_workspace(broadcast.workspace)
                .filter(number__in={r.destination for r in rows}, opted_out_at__isnull=False)
                .values_list("number", flat=True)
            )
            skipped = [r for r in rows if r.destination in opted_out]
            claimed = [r for r in rows if r.destination not in opted_out]
            if skipped:
                _set_state(skipped, MessageState.SKIPPED, now, note="Opted out: not sent",
                           error_text="The recipient opted out.", failed_at=now)  # fmt: skip
            if claimed:
                Message.objects.filter(pk__in=[r.pk for r in claimed]).update(
                    state=MessageState.SUBMITTING, submitted_at=now
                )
                return claimed


def _submit(client: textconnect.Client, broadcast: Broadcast, batch: list[Message]) -> None:
    by_body: dict[str, list[Message]] = defaultdict(list)
    for row in batch:
        by_body[row.body or broadcast.body].append(row)
    for body, rows in by_body.items():
        numbers = [gateway_number(r.destination) for r in rows]
        try:
            results = client.send(
                numbers, broadcast.source, body, validity=broadcast.validity_seconds
            )
        except textconnect.TextConnectError as exc:
            done = len(exc.partial_results)
            _record(rows[:done], exc.partial_results)
            _whole_call_failed(broadcast, rows[done:], exc)
            continue
        _record(rows, results)


def _whole_call_failed(
    broadcast: Broadcast, rows: list[Message], exc: textconnect.TextConnectError
) -> None:
    code, text = error_summary(exc)
    if isinstance(exc, textconnect.TransportError) and not exc.may_have_reached:
        _requeue(rows, f"The gateway could not be reached ({text}).")
        raise RetryLater(f"The gateway could not be reached; retrying. {text}")
    if isinstance(exc, textconnect.MaintenanceMode):
        _requeue(rows, "The gateway is down for maintenance (-511).")
        raise RetryLater("The gateway is down for maintenance (-511); retrying with backoff.")
    if isinstance(exc, textconnect.TransportError | textconnect.GeneralDatabaseError):
        # The gateway may have accepted the batch: only its report can tell.
        raise Halt(
            f"The gateway's answer was lost ({code or ''} {text}). The rows are being checked "
            "against the gateway's report before anything is sent again."
        )
    if isinstance(exc, textconnect.AuthenticationError):
        _fail(rows, code, text)
        _fail_queued(broadcast, code, text)
        return
    _fail(rows, code, text)


def _record(rows: list[Message], results: list[textconnect.SendResult]) -> None:
    now = timezone.now()
    accepted, refused, events = [], [], []
    for row, result in zip(rows, results, strict=True):
        if result.ok:
            row.state = MessageState.SUBMITTED
            row.gateway_id = result.message_id or ""
            row.gateway_ids = ",".join(result.message_ids)[:400]
            row.gateway_status = "Pending"
            row.next_check_at = first_check_at(now)
            accepted.append(row)  # its history starts from submitted_at: no event row needed
        else:
            code, text = error_summary(result.error)
            row.state, row.error_code, row.error_text, row.failed_at = "failed", code, text, now
            refused.append(row)
            events.append(
                MessageEvent(message=row, state=row.state, note=f"{code}: {text}", at=now)
            )
    update_rows(accepted, ["state", "gateway_id", "gateway_ids", "gateway_status", "next_check_at"])
    update_rows(refused, ["state", "error_code", "error_text", "failed_at"])
    MessageEvent.objects.bulk_create(events)


def _set_state(rows: list[Message], state: str, now, note: str = "", **fields) -> None:  # noqa: ANN001, ANN003
    Message.objects.filter(pk__in=[r.pk for r in rows]).update(state=state, **fields)
    MessageEvent.objects.bulk_create(
        MessageEvent(message=r, state=state, note=note[:300], at=now) for r in rows
    )


def _fail(rows: list[Message], code: int | None, text: str) -> None:
    now = timezone.now()
    label = f"{code}: {text}" if code is not None else text
    _set_state(rows, MessageState.FAILED, now, note=label, error_code=code,
               error_text=text[:300], failed_at=now)  # fmt: skip


def _requeue(rows: list[Message], note: str) -> None:
    _set_state(rows, MessageState.QUEUED, timezone.now(), note=note, submitted_at=None)


def _fail_queued(broadcast: Broadcast, code: int | None, text: str) -> None:
    rows = list(Message.objects.filter(broadcast=broadcast, state=MessageState.QUEUED).only("id"))
    _fail(rows, code, text)
    _note(broadcast, text)


def _note(broadcast: Broadcast, reason: str) -> None:
    Broadcast.objects.filter(pk=broadcast.pk).update(status_reason=reason[:300])


def _retry_later(broadcast: Broadcast, reason: str) -> None:
    attempts = broadcast.attempts + 1
    delay = min(RETRY_BASE * 2 ** (attempts - 1), RETRY_MAX)
    at = timezone.now() + delay
    Broadcast.objects.filter(pk=broadcast.pk).update(
        attempts=attempts,
        next_attempt_at=at,
        status_reason=f"{reason} Next try at {timezone.localtime(at):%H:%M:%S}."[:300],
    )


def broadcast_settle(broadcast: Broadcast) -> None:
    """Recount a broadcast's rows; when none is still on its way out, give it its final status."""
    counts = dict(
        Message.objects.filter(broadcast=broadcast)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    on_the_way = counts.get("queued", 0) + counts.get("submitting", 0) + counts.get("unknown", 0)
    submitted = counts.get("submitted", 0) + counts.get("delivered", 0)
    failed = counts.get("failed", 0)
    Broadcast.objects.filter(pk=broadcast.pk).update(
        submitted_count=submitted,
        delivered_count=counts.get("delivered", 0),
        failed_count=failed,
        skipped_count=counts.get("skipped", 0),
    )
    if on_the_way:
        return
    if failed == 0:
        final, reason = BroadcastStatus.SENT, ""
    elif submitted:
        final, reason = BroadcastStatus.PARTLY_FAILED, ""
    else:
        final, reason = BroadcastStatus.FAILED, None
    fields = {"status": final, "finished_at": timezone.now(), "next_attempt_at": None}
    if reason is not None:
        fields["status_reason"] = reason
    Broadcast.objects.filter(
        pk=broadcast.pk, status__in=[BroadcastStatus.QUEUED, BroadcastStatus.SENDING]
    ).update(**fields)
