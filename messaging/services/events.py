"""What messaging tells a workspace's webhooks: a message's status changed, a broadcast finished.

Called by `states` where every state change happens, in the same transaction, so an event is
written exactly when the change is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.utils import timezone

from accounts.models import WebhookEndpoint, WebhookEvent
from accounts.webhooks import webhooks_emit

from ..models import Broadcast, Message, MessageState
from .outcomes import BUCKETS, Outcomes

S = MessageState
# Moves a customer hears of: handed to the gateway, and every final word (not the internal
# "claimed for a call" or "back to the queue").
TOLD = frozenset({S.SUBMITTED, S.DELIVERED, S.FAILED, S.SKIPPED, S.CANCELLED, S.UNKNOWN})
CHUNK = 5000


def _listening() -> set[int]:
    """Workspaces with an active endpoint (a small table: one indexed query per move)."""
    return set(
        WebhookEndpoint.objects.filter(disabled_at=None).values_list("workspace_id", flat=True)
    )


def status_changed(ids: Sequence[int], state: str) -> None:
    if state not in TOLD or not ids or not (workspaces := _listening()):
        return
    at = timezone.now().isoformat().replace("+00:00", "Z")
    items: dict[int, list[tuple[dict, str]]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        rows = Message.objects.filter(
            pk__in=ids[start : start + CHUNK], workspace_id__in=workspaces
        ).values_list(
            "workspace_id",
            "public_id",
            "broadcast__public_id",
            "destination",
            "state",
            "gateway_status",
            "error_code",
            "error_text",
        )
        for workspace_id, public_id, broadcast_id, to, now_state, status, code, text in rows:
            data = {
                "id": str(public_id),
                "broadcast": str(broadcast_id),
                "to": to,
                "state": now_state,
                "gateway_status": status,
                "error_code": code,
                "error_text": text,
                "at": at,
            }
            items[workspace_id].append((data, str(public_id)))
    for workspace_id, batch in items.items():
        webhooks_emit(workspace_id, WebhookEvent.MESSAGE_STATUS_CHANGED, batch)


def broadcast_finished(broadcast: Broadcast, status: str, outcomes: Outcomes) -> None:
    counts = {
        "recipients": outcomes.recipients,
        "sent": outcomes.sent,
        **{name: getattr(outcomes, name) for name in BUCKETS},
    }
    data = {"id": str(broadcast.public_id), "status": status, "counts": counts}
    webhooks_emit(broadcast.workspace_id, WebhookEvent.BROADCAST_FINISHED, [(data, "")])
