"""The person's data in the inbox (subject access, erasure, retention; see contacts.privacy): the
texts received from a number and its conversation."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import Workspace
from contacts.privacy import Counts, Holder, Sections, batched_update, rows_of

from .models import Conversation, InboundMessage

SCRUBBED = {
    "source": "",
    "body": "",
    "mm_name": "",
    "mm_email": "",
    "mm1": "",
    "mm2": "",
    "mm3": "",
    "mm4": "",
    "mm5": "",
    "raw": {},
    "contact": None,
    "conversation": None,
}


def _texts(workspace: Workspace, number: str) -> QuerySet[InboundMessage]:
    return InboundMessage.objects.for_workspace(workspace).filter(source=number)


def _conversations(workspace: Workspace, number: str) -> QuerySet[Conversation]:
    return Conversation.objects.for_workspace(workspace).filter(number=number)


def collect(workspace: Workspace, number: str) -> Sections:
    fields = ["gateway_id", "source", "dest", "body", "received_at", "opt_action", "recovered"]
    return {
        "messages_received": rows_of(_texts(workspace, number).order_by("received_at"), fields),
        "conversations": rows_of(
            _conversations(workspace, number), ["number", "last_message_at", "unread_count"]
        ),
    }


def count(workspace: Workspace, number: str) -> Counts:
    return {
        "texts_received": _texts(workspace, number).count(),
        "conversations": _conversations(workspace, number).count(),
    }


def erase(workspace: Workspace, number: str) -> Counts:
    counts = count(workspace, number)
    _texts(workspace, number).update(**SCRUBBED)
    _conversations(workspace, number).delete()
    return counts


def purge(workspace: Workspace, cutoff: datetime) -> Counts:
    old = InboundMessage.objects.for_workspace(workspace).filter(received_at__lt=cutoff)
    texts = batched_update(old.filter(~Q(source="") | ~Q(body="")), **SCRUBBED)
    stale = Conversation.objects.for_workspace(workspace).filter(last_message_at__lt=cutoff)
    conversations, _ = stale.delete()
    return {"texts_received": texts, "conversations": conversations}


holder = Holder("inbound", collect, count, erase, purge)
