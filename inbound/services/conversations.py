"""Conversations: the inbox list, a thread in time order, replies, read and unread."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, Workspace
from contacts.models import Contact
from messaging.models import Message
from messaging.services.compose import send_now

from ..models import Conversation, InboundMessage
from .process import OPT_OUT, conversation_touch, inbox_settings, opt_action, reply_source

THREAD_LIMIT = 200


def conversation_list(workspace: Workspace, *, search: str = "") -> QuerySet[Conversation]:
    """Newest first; `search` matches the number, the contact's name or the last text."""
    conversations = Conversation.objects.for_workspace(workspace).select_related("contact")
    if search := search.strip():
        digits = search.replace(" ", "").lstrip("+0")
        match = Q(contact__name__icontains=search) | Q(last_preview__icontains=search)
        if digits.isdigit():
            match |= Q(number__contains=digits)
        conversations = conversations.filter(match)
    return conversations


def unread_total(workspace: Workspace) -> int:
    """Unread texts in the workspace (one query, for the nav badge)."""
    total = Conversation.objects.for_workspace(workspace).aggregate(n=Sum("unread_count"))["n"]
    return total or 0


@dataclass(frozen=True)
class Entry:
    """A line of a thread: an inbound text or an outbound message."""

    at: datetime
    inbound: bool
    body: str
    item: InboundMessage | Message


def conversation_thread(conversation: Conversation, *, limit: int = THREAD_LIMIT) -> list[Entry]:
    """Both directions in time order (the latest `limit` of each)."""
    received = InboundMessage.objects.for_workspace(conversation.workspace).filter(
        conversation=conversation
    )
    sent = (
        Message.objects.for_workspace(conversation.workspace)
        .filter(destination=conversation.number)
        .select_related("broadcast")
    )
    entries = [Entry(m.received_at, True, m.body, m) for m in received.order_by("-id")[:limit]]
    entries += [Entry(m.queued_at, False, m.text, m) for m in sent.order_by("-id")[:limit]]
    entries.sort(key=lambda e: e.at)
    return entries[-limit:]


def conversation_mark_read(conversation: Conversation) -> None:
    with transaction.atomic():
        InboundMessage.objects.for_workspace(conversation.workspace).filter(
            conversation=conversation, is_read=False
        ).update(is_read=True)
        Conversation.objects.filter(pk=conversation.pk).update(unread_count=0)
    conversation.unread_count = 0


def conversation_mark_unread(conversation: Conversation) -> None:
    """The latest text becomes unread again."""
    latest = (
        InboundMessage.objects.for_workspace(conversation.workspace)
        .filter(conversation=conversation)
        .order_by("-received_at", "-id")
        .first()
    )
    if latest is None:
        return
    with transaction.atomic():
        InboundMessage.objects.filter(pk=latest.pk).update(is_read=False)
        unread = InboundMessage.objects.filter(conversation=conversation, is_read=False).count()
        Conversation.objects.filter(pk=conversation.pk).update(unread_count=unread)


def answers_their_text(conversation: Conversation) -> bool:
    """Whether a reply now is a direct answer to the person's own text despite their opt-out:
    they wrote to the workspace after opting out, and that latest text is not itself a STOP.
    An opt-out stops everything else sent to them, replies in a thread they left included."""
    workspace = conversation.workspace
    opted_out_at = (
        Contact.objects.for_workspace(workspace)
        .filter(number=conversation.number, opted_out_at__isnull=False)
        .aggregate(at=Max("opted_out_at"))["at"]
    )
    if opted_out_at is None:
        return False  # not opted out: nothing to be exempt from
    latest = (
        InboundMessage.objects.for_workspace(workspace)
        .filter(source=conversation.number)
        .order_by("-stored_at", "-id")
        .first()
    )
    return (  # stored_at, not the gateway's receivedts: that one has whole seconds only
        latest is not None
        and latest.stored_at > opted_out_at
        and opt_action(latest.body, inbox_settings(workspace)) != OPT_OUT
    )


def conversation_reply(
    *,
    conversation: Conversation,
    body: str,
    user: User | None,
    idempotency_key: uuid.UUID | None = None,
) -> None:
    """Send a reply through the messaging pipeline, from the VMN the sender wrote to."""
    if conversation.contact_id is None and not conversation.number.lstrip("+").isdigit():
        raise ValidationError(_("This sender is not a phone number, so it cannot be answered."))
    send_now(
        workspace=conversation.workspace,
        body=body,
        destinations=[] if conversation.contact_id else [conversation.number],
        contact_ids=[conversation.contact_id] if conversation.contact_id else None,
        source=reply_source(conversation.vmn),
        user=user,
        idempotency_key=idempotency_key,
        is_reply=True,  # answers the customer: quiet hours never hold it
        opt_out_exempt=answers_their_text(conversation),
    )
    conversation_touch(
        workspace=conversation.workspace,
        number=conversation.number,
        at=timezone.now(),
        preview=body,
    )
