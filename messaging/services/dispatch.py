"""Sending a broadcast's outbox rows to the gateway, each recipient exactly once.

A dispatch run holds a lease (runs.py) that it renews before every call. It claims a batch of rows
with `SELECT ... FOR UPDATE SKIP LOCKED`, commits them as `submitting` (claimed by the run) before
calling the gateway, and after the call records each row's message ID or error, writing only rows
still claimed by it. Personalised sends (one call per recipient) are claimed a few rows at a time,
so no row waits long in `submitting` before its own call.

When an answer is lost (a timeout or dropped connection after the request left, HTTP 5xx, -300),
the rows of that call are handed to the reconciler, in doubt, and the run goes on with the other
recipients: they are different numbers, so nothing can be sent twice. After several lost answers in
a row the run pauses the broadcast with backoff. When the gateway certainly did not take a call
(maintenance, connection refused), its rows and the rest of the batch go back to the queue and the
broadcast retries with backoff.
"""

import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

import textconnect
from accounts.gateway import GatewayNotConnected, client_for, error_summary
from accounts.services.gateway import gateway_check
from contacts.optouts import opted_out_numbers, suppressed_numbers
from contacts.phone import gateway_number

from ..models import (
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    DispatchRun,
    Message,
    MessageState,
)
from .background import background_step
from .quiet import held_until
from .reconcile import first_check_after
from .runs import LeaseLost, batch_size, run_end, run_renew, run_start
from .states import (
    broadcast_settle,
    messages_doubt,
    messages_move,
    messages_release,
    messages_write,
)
from .tracking import first_check_at

log = logging.getLogger(__name__)

S = MessageState
RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=15)
LOST_IN_A_ROW = 3  # lost answers one after another: the gateway is unwell, pause the broadcast
SUPPRESSED_TEXT = gettext_noop(
    "Suppressed: this number failed permanently 3 times in 90 days. An admin can lift it."
)


class RetryLater(Exception):
    """The gateway did not take the call; the broadcast tries again after a pause."""


class Held(Exception):
    """Quiet hours: the rest of the broadcast waits until the window ends."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until)
        self.until = until


class _Run:
    """What one dispatch run carries from call to call."""

    def __init__(self, broadcast: Broadcast, lease: DispatchRun) -> None:
        self.broadcast, self.lease = broadcast, lease
        self.lost_in_a_row = 0
        self.sent_any = False
        self.rows = 0  # rows called for, for the workspace's measured sending rate


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
    run = _Run(broadcast, run_start(broadcast))
    slice_ends = time.monotonic() + settings.MESSAGING_DISPATCH_SLICE_SECONDS
    try:
        with client:
            while batch := _claim(run):
                _submit(client, run, batch)
                Broadcast.objects.filter(pk=broadcast.pk).update(last_progress_at=timezone.now())
                if time.monotonic() > slice_ends:
                    # Its turn is over: the send queue takes other workspaces' sends first.
                    _dispatch_later(broadcast)
                    return
    except RetryLater as exc:
        _retry_later(broadcast, str(exc))
        return
    except Held as held:
        _hold(broadcast, held.until)
        return
    except LeaseLost:
        log.warning("dispatch of broadcast %s stopped: its lease lapsed", broadcast.pk)
        return  # its rows are in doubt now: the reconciler settles them
    finally:
        run_end(run.lease, rows=run.rows)
    broadcast_settle(broadcast)
    if run.sent_any:  # the header's balance, after a run that sent (a parallel run may send none)
        gateway_check(workspace=broadcast.workspace)


def _dispatch_later(broadcast: Broadcast) -> None:
    from ..tasks import broadcast_dispatch_task

    broadcast_dispatch_task.delay(broadcast.pk)


def _claim(run: _Run) -> list[Message]:
    """Take the next batch of queued rows for this run; opted-out numbers are skipped, not sent;
    so are suppressed ones (with their own reason); a cancelled broadcast's rows are cancelled
    instead."""
    broadcast = run.broadcast
    while True:
        now = timezone.now()
        if (until := held_until(broadcast, now)) is not None:
            raise Held(until)
        with transaction.atomic():
            rows = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(broadcast=broadcast, state=S.QUEUED)
                .order_by("id")
                .only("id", "destination", "body")[: batch_size(broadcast)]
            )
            if not rows:
                return []
            ids = [r.pk for r in rows]
            if Broadcast.objects.filter(pk=broadcast.pk, status=BroadcastStatus.PAUSED).exists():
                return []  # paused: stop after the batch in flight; these rows stay queued
            if Broadcast.objects.filter(pk=broadcast.pk, cancel_requested_at__isnull=False):
                messages_move(Message.objects.filter(pk__in=ids), S.CANCELLED,
                              note=gettext_noop("Cancelled"),
                              error_text=gettext_noop("Cancelled before sending."),
                              failed_at=now)  # fmt: skip
                return []
            opted_out = (
                set()
                if broadcast.opt_out_exempt
                else opted_out_numbers(broadcast.workspace, {r.destination for r in rows})
            )
            suppressed = suppressed_numbers(broadcast.workspace, opted_out) if opted_out else set()
            skipped = [r.pk for r in rows if r.destination in opted_out - suppressed]
            skipped_suppressed = [r.pk for r in rows if r.destination in suppressed]
            claimed = [r for r in rows if r.destination not in opted_out]
            if skipped:
                messages_move(Message.objects.filter(pk__in=skipped), S.SKIPPED,
                              note=gettext_noop("Opted out: not sent"),
                              error_text=gettext_noop("The recipient opted out."),
                              failed_at=now)  # fmt: skip
            if skipped_suppressed:
                messages_move(Message.objects.filter(pk__in=skipped_suppressed), S.SKIPPED,
                              note=gettext_noop("Suppressed: not sent"),
                              error_text=SUPPRESSED_TEXT, failed_at=now)  # fmt: skip
            if claimed:
                messages_move(
                    Message.objects.filter(pk__in=[r.pk for r in claimed]),
                    S.SUBMITTING,
                    note=None,  # the history shows the claim as the row's submitted_at
                    submitted_at=now,
                    run=run.lease,
                    doubt_at=None,
                    next_check_at=None,
                )
                return claimed


def _submit(client: textconnect.Client, run: _Run, batch: list[Message]) -> None:
    by_body: dict[str, list[Message]] = defaultdict(list)
    for row in batch:
        by_body[row.body or run.broadcast.text_as_sent].append(row)
    groups = list(by_body.items())
    for index, (body, rows) in enumerate(groups):
        try:
            _call(client, run, body, rows)
        except RetryLater:
            # The rest of the batch was claimed but not called: certainly not sent.
            _release([r for _, later in groups[index + 1 :] for r in later], run,
                     "Not called yet when the run paused: queued again.")  # fmt: skip
            raise


def _call(client: textconnect.Client, run: _Run, body: str, rows: list[Message]) -> None:
    broadcast = run.broadcast
    run_renew(run.lease)
    numbers = [gateway_number(r.destination) for r in rows]
    try:
        results = client.send(numbers, broadcast.source, body, validity=broadcast.validity_seconds)
    except textconnect.TextConnectError as exc:
        done = len(exc.partial_results)
        if done:
            _record(run, rows[:done], exc.partial_results)
        _whole_call_failed(run, rows[done:], exc)
        return
    _record(run, rows, results)


def _whole_call_failed(run: _Run, rows: list[Message], exc: textconnect.TextConnectError) -> None:
    code, text = error_summary(exc)
    if isinstance(exc, textconnect.TransportError) and not exc.may_have_reached:
        _release(rows, run, f"{text} Queued again.")
        raise RetryLater(f"{text} Retrying with backoff.")
    if isinstance(exc, textconnect.MaintenanceMode):
        _release(rows, run, "The gateway is down for maintenance (-511): queued again.")
        raise RetryLater("The gateway is down for maintenance (-511); retrying with backoff.")
    if isinstance(exc, textconnect.TransportError | textconnect.GeneralDatabaseError):
        _hand_over(run, rows, code, text)
        return
    run.lost_in_a_row = 0
    _fail(rows, code, text, run=run)
    if isinstance(exc, textconnect.AuthenticationError):
        _fail_queued(run.broadcast, code, text)


def _hand_over(run: _Run, rows: list[Message], code: int | None, text: str) -> None:
    """The gateway may have sent these: the reconciler settles them from its report, while the run
    goes on with the other recipients."""
    now = timezone.now()
    label = f"{code}: {text}" if code is not None else text
    messages_doubt(
        Message.objects.filter(pk__in=[r.pk for r in rows], run=run.lease),
        note=f"No usable answer to the call: {label} Checking the gateway's report before "
        "anything is sent again.",
        at=now,
        check_at=first_check_after(now),
    )
    run.lost_in_a_row += 1
    if run.lost_in_a_row >= LOST_IN_A_ROW:
        raise RetryLater(
            f"No usable answer {run.lost_in_a_row} times in a row ({label}). Those recipients "
            "are being checked against the gateway's report; the others wait."
        )


def _record(run: _Run, rows: list[Message], results: list[textconnect.SendResult]) -> None:
    now = timezone.now()
    accepted, refused = [], []
    for row, result in zip(rows, results, strict=True):
        if result.ok:
            row.state = S.SUBMITTED
            row.gateway_id = result.message_id or ""
            row.gateway_ids = ",".join(result.message_ids)[:400]
            row.gateway_status = "Pending"
            row.next_check_at = first_check_at(now)
            accepted.append(row)
        else:
            code, text = error_summary(result.error)
            row.state, row.error_code, row.error_text, row.failed_at = S.FAILED, code, text, now
            refused.append(row)
    run.lost_in_a_row = 0
    run.rows += len(rows)
    run.sent_any = run.sent_any or bool(accepted)
    claimed = {"expect": [S.SUBMITTING], "run": run.lease, "in_doubt": False, "at": now}
    messages_write(accepted, ["gateway_id", "gateway_ids", "gateway_status", "next_check_at"],
                   note=None, **claimed)  # fmt: skip
    messages_write(refused, ["error_code", "error_text", "failed_at"],
                   note=lambda m: f"{m.error_code}: {m.error_text}", **claimed)  # fmt: skip


def _release(rows: list[Message], run: _Run, note: str) -> None:
    if rows:
        messages_release(
            Message.objects.filter(pk__in=[r.pk for r in rows], run=run.lease, doubt_at=None),
            run.broadcast,
            note=note,
        )


def _fail(rows: list[Message], code: int | None, text: str, run: _Run | None = None) -> None:
    now = timezone.now()
    label = f"{code}: {text}" if code is not None else text
    queryset = Message.objects.filter(pk__in=[r.pk for r in rows])
    if run is not None:
        queryset = queryset.filter(run=run.lease, doubt_at=None)
    messages_move(queryset, S.FAILED, note=label, expect=[S.SUBMITTING, S.QUEUED],
                  error_code=code, error_text=text[:300], failed_at=now)  # fmt: skip


def _fail_queued(broadcast: Broadcast, code: int | None, text: str) -> None:
    now = timezone.now()
    label = f"{code}: {text}" if code is not None else text
    messages_move(Message.objects.filter(broadcast=broadcast), S.FAILED, note=label,
                  expect=[S.QUEUED], error_code=code, error_text=text[:300],
                  failed_at=now)  # fmt: skip
    _note(broadcast, text)


def _note(broadcast: Broadcast, reason: str) -> None:
    Broadcast.objects.filter(pk=broadcast.pk).update(status_reason=reason[:300])


def _hold(broadcast: Broadcast, until: datetime) -> None:
    local = timezone.localtime(until, ZoneInfo(broadcast.workspace.time_zone))
    Broadcast.objects.filter(pk=broadcast.pk).update(
        next_attempt_at=until,
        status_reason=(_("Held by quiet hours until %(time)s.") % {"time": f"{local:%a %H:%M}"})[
            :300
        ],
    )


def _retry_later(broadcast: Broadcast, reason: str) -> None:
    attempts = broadcast.attempts + 1
    delay = min(RETRY_BASE * 2 ** (attempts - 1), RETRY_MAX)
    at = timezone.now() + delay
    Broadcast.objects.filter(pk=broadcast.pk).update(
        attempts=attempts,
        next_attempt_at=at,
        status_reason=f"{reason} Next try at {timezone.localtime(at):%H:%M:%S}."[:300],
    )
