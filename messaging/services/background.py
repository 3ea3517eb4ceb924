"""Sends to a group or list held on the gateway: one Send, then GetBGMessages until done."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

import textconnect
from accounts.gateway import GatewayNotConnected, client_for, error_summary

from ..models import Broadcast, BroadcastKind, BroadcastStatus, Message, MessageEvent, MessageState
from .states import broadcast_settle
from .suppress import is_permanent, permanent_failures_check
from .tracking import apply_status

POLL_FIRST = timedelta(seconds=2)
POLL_MAX = timedelta(minutes=2)
BATCH = 5000


def background_step(*, broadcast: Broadcast) -> None:
    """Start the background send, or look at how it is going (whichever is due)."""
    if broadcast.bg_send_id:
        _poll(broadcast)
    else:
        _start(broadcast)


def _start(broadcast: Broadcast) -> None:
    # Claimed once: the Send for a whole group is made a single time.
    claimed = Broadcast.objects.filter(
        pk=broadcast.pk, status=BroadcastStatus.QUEUED, bg_send_id="", attempts=0
    ).update(status=BroadcastStatus.SENDING, attempts=1, last_progress_at=timezone.now())
    if claimed != 1:
        return
    send = "send_to_group" if broadcast.kind == BroadcastKind.GATEWAY_GROUP else "send_to_list"
    try:
        with client_for(broadcast.workspace) as client:
            ids = getattr(client, send)(
                broadcast.gateway_target,
                broadcast.source,
                broadcast.text_as_sent,
                validity=broadcast.validity_seconds,
                background_send_id=True,
            )
    except GatewayNotConnected:
        _fail(broadcast, "No gateway account is connected to this workspace.")
        return
    except textconnect.TransportError as exc:
        reason = (
            ""
            if not exc.may_have_reached
            else (" The gateway may have accepted it: check its reports before sending again.")
        )
        _fail(broadcast, f"The gateway's answer was lost ({exc.text}).{reason}")
        return
    except textconnect.TextConnectError as exc:
        code, text = error_summary(exc)
        _fail(broadcast, f"{code}: {text}")
        return
    Broadcast.objects.filter(pk=broadcast.pk).update(
        bg_send_id=",".join(ids)[:100],
        next_attempt_at=timezone.now() + POLL_FIRST,
        status_reason=gettext_noop("The gateway is sending in the background."),
    )


def _poll(broadcast: Broadcast) -> None:
    now = timezone.now()
    try:
        with client_for(broadcast.workspace) as client:
            messages = []
            for bg_id in broadcast.bg_send_id.split(","):
                messages.extend(client.background_send_messages(bg_id))
    except textconnect.NotReady:
        _poll_later(broadcast, "The gateway is still sending (-522).")
        return
    except textconnect.NoMessagesFound:
        _fail(broadcast, "-523: No messages were found in the group or list.")
        return
    except (textconnect.TextConnectError, GatewayNotConnected) as exc:
        _poll_later(broadcast, f"Could not read the background send: {exc}")
        return
    _create_rows(broadcast, messages, now)
    broadcast_settle(broadcast)


def _poll_later(broadcast: Broadcast, reason: str) -> None:
    delay = min(POLL_FIRST * 2 ** min(broadcast.attempts, 8), POLL_MAX)
    Broadcast.objects.filter(pk=broadcast.pk).update(
        attempts=F("attempts") + 1,
        next_attempt_at=timezone.now() + delay,
        status_reason=reason[:300],
        last_progress_at=timezone.now(),
    )


def _create_rows(broadcast: Broadcast, messages: list, now) -> None:  # noqa: ANN001
    if broadcast.messages.exists():  # a second poll after the rows were made
        return
    rows, events = [], []
    for item in messages:
        row = Message(
            workspace_id=broadcast.workspace_id,
            broadcast=broadcast,
            destination="+" + item.destination.lstrip("+"),
            state=MessageState.SUBMITTED,
            gateway_id=item.message_id,
            gateway_ids=item.message_id,
            submitted_at=now,
        )
        apply_status(row, item.status.word, now)  # GetBGMessages counts as its first check
        rows.append(row)
    for start in range(0, len(rows), BATCH):
        created = Message.objects.bulk_create(rows[start : start + BATCH])
        events.extend(
            MessageEvent(message=m, state=m.state, gateway_status=m.gateway_status, at=now)
            for m in created
        )
        # Rows born final (no state change went through states.py): their permanent failures
        # count towards a suppression like any other.
        permanent_failures_check(
            [m.pk for m in created if m.state == MessageState.FAILED
             and is_permanent(None, m.gateway_status)]
        )  # fmt: skip
    MessageEvent.objects.bulk_create(events, batch_size=BATCH)
    Broadcast.objects.filter(pk=broadcast.pk).update(
        recipient_count=len(rows), status_reason="", next_attempt_at=None
    )


def _fail(broadcast: Broadcast, reason: str) -> None:
    Broadcast.objects.filter(pk=broadcast.pk).update(
        status=BroadcastStatus.FAILED,
        status_reason=reason[:300],
        finished_at=timezone.now(),
        next_attempt_at=None,
    )
