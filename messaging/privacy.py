"""The person's data in messaging (subject access, erasure, retention; see contacts.privacy):
the messages sent to a number, with their status history and link clicks."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from accounts.models import Workspace
from contacts.privacy import (
    Counts,
    Holder,
    Sections,
    batched_update,
    plain,
    scrub_json,
    text_mentions,
)

from .models import IN_FLIGHT_STATES, Broadcast, LinkClick, Message, MessageState, Series
from .services.states import broadcast_settle, messages_move


def _messages(workspace: Workspace, number: str) -> QuerySet[Message]:
    return Message.objects.for_workspace(workspace).filter(destination=number)


def _specs(workspace: Workspace, number: str) -> QuerySet[Broadcast]:
    annotation, mentions = text_mentions("recipients_spec", number)
    return Broadcast.objects.for_workspace(workspace).annotate(**annotation).filter(mentions)


def _series(workspace: Workspace, number: str) -> QuerySet[Series]:
    annotation, mentions = text_mentions("selection", number)
    return Series.objects.for_workspace(workspace).annotate(**annotation).filter(mentions)


def _only_to(workspace: Workspace, number: str) -> QuerySet[Broadcast]:
    """Broadcasts whose one recipient is the person: their text is the person's conversation."""
    mine = _messages(workspace, number).values("broadcast_id")
    return (
        Broadcast.objects.for_workspace(workspace)
        .filter(pk__in=mine)
        .annotate(recipients=Count("messages"))
        .filter(recipients=1)
    )


def collect(workspace: Workspace, number: str) -> Sections:
    messages = (
        _messages(workspace, number)
        .select_related("broadcast")
        .prefetch_related("events", "links__hits")
    )
    sent = []
    for m in messages.order_by("queued_at", "id"):
        sent.append(
            {
                "id": str(m.public_id),
                "to": m.destination,
                "from": m.broadcast.source,
                "text": m.text,
                "state": m.state,
                "gateway_status": m.gateway_status,
                "error_code": m.error_code,
                "error_text": m.error_text,
                "queued_at": plain(m.queued_at),
                "sent_at": plain(m.sent_at),
                "delivered_at": plain(m.delivered_at),
                "failed_at": plain(m.failed_at),
                "history": [
                    {"at": plain(e.at), "state": e.state, "status": e.gateway_status}
                    for e in m.events.all()
                ],
                "link_clicks": [
                    {"url": link.url, "at": plain(hit.at), "counted": hit.counted}
                    for link in m.links.all()
                    for hit in link.hits.all()
                ],
            }
        )
    return {"messages_sent": sent}


def count(workspace: Workspace, number: str) -> Counts:
    return {
        "messages_sent": _messages(workspace, number).count(),
        "link_visits": LinkClick.objects.filter(
            link__message__in=_messages(workspace, number)
        ).count(),
        "recurring_sends": _series(workspace, number).count(),
    }


def erase(workspace: Workspace, number: str) -> Counts:
    counts = count(workspace, number)
    messages = _messages(workspace, number)
    # Not sent yet: never sent now (the row stays, cancelled, so the broadcast's counts add up).
    cancelled = messages_move(
        messages.filter(state__in=[MessageState.QUEUED]),
        MessageState.CANCELLED,
        note=None,
        expect=[MessageState.QUEUED],
    )
    for broadcast in Broadcast.objects.filter(messages__pk__in=cancelled).distinct():
        broadcast_settle(broadcast)  # its counts say one fewer to send
    LinkClick.objects.filter(link__message__in=messages).delete()
    only_to = list(_only_to(workspace, number).values_list("pk", flat=True))
    Broadcast.objects.filter(pk__in=only_to).update(body="")
    for broadcast in _specs(workspace, number).only("pk", "recipients_spec"):
        Broadcast.objects.filter(pk=broadcast.pk).update(
            recipients_spec=scrub_json(broadcast.recipients_spec, number)
        )
    for series in _series(workspace, number).only("pk", "selection"):
        selection = dict(series.selection)
        selection["numbers"] = [n for n in selection.get("numbers", []) if n != number]
        Series.objects.filter(pk=series.pk).update(selection=scrub_json(selection, number))
    messages.update(destination="", body="", contact=None, error_text="")
    return counts


def purge(workspace: Workspace, cutoff: datetime) -> Counts:
    old = Message.objects.for_workspace(workspace).filter(queued_at__lt=cutoff)
    old = old.exclude(state__in=IN_FLIGHT_STATES).filter(~Q(destination="") | ~Q(body=""))
    messages = batched_update(old, destination="", body="", contact=None)
    broadcasts = Broadcast.objects.for_workspace(workspace).filter(
        created_at__lt=cutoff, finished_at__isnull=False
    )
    bodies = batched_update(
        broadcasts.filter(~Q(body="") | ~Q(recipients_spec={})), body="", recipients_spec={}
    )
    return {"messages": messages, "broadcast_texts": bodies}


holder = Holder("messaging", collect, count, erase, purge)
