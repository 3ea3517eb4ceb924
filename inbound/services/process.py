"""What happens to a stored text, in the worker: contact, conversation, opt-out, auto-reply.

Processing is claimed once per message (`processed_at`), so a task that runs twice does nothing
the second time; replies go out at most once, through the messaging pipeline (`send_now`).
"""

import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, WebhookEvent, Workspace
from accounts.roles import Role
from accounts.webhooks import webhooks_emit
from contacts.consent import Origin, consent_record
from contacts.models import ConsentKind, Contact, Group, GroupMembership
from contacts.phone import gateway_number
from contacts.services.address_book import contact_opt_in, contact_opt_out
from messaging.services.compose import send_now
from messaging.services.dispatch import broadcast_dispatch

from ..models import AutoReplyRule, Conversation, InboundMessage, InboxSettings, VirtualNumber
from .receive import DRAIN_FLAG

log = logging.getLogger(__name__)

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
FIRST_WORD = re.compile(r"\w+")


def inbox_settings(workspace: Workspace) -> InboxSettings:
    row, _ = InboxSettings.objects.get_or_create(workspace=workspace)
    return row


def keyword_set(text: str) -> set[str]:
    """`STOP, quit end` -> {"STOP", "QUIT", "END"}."""
    return {word.upper() for word in re.split(r"[\s,;]+", text) if word}


def opt_action(body: str, prefs: InboxSettings) -> str:
    """`opt_out` or `opt_in` when the whole message is one of the words (any case), else ""."""
    word = body.strip().upper()
    if word in keyword_set(prefs.opt_out_words):
        return OPT_OUT
    if word in keyword_set(prefs.opt_in_words):
        return OPT_IN
    return ""


def matching_rule(workspace: Workspace, body: str) -> AutoReplyRule | None:
    """The active rule for this first word; else the active any-message rule, if there is one."""
    match = FIRST_WORD.search(body)
    first = match.group(0).upper() if match else ""
    rules = list(AutoReplyRule.objects.for_workspace(workspace).filter(is_active=True))
    for rule in rules:
        if rule.keyword and rule.keyword.strip().upper() == first:
            return rule
    return next((rule for rule in rules if not rule.keyword.strip()), None)


def reply_source(vmn: VirtualNumber | None) -> str | None:
    """Replies come from the VMN, so that the answer to them comes back to the inbox."""
    return gateway_number(vmn.number) if vmn else None


def conversation_touch(
    *, workspace: Workspace, number: str, at: datetime, preview: str, **fields: object
) -> Conversation:
    """The conversation with `number`, created when needed, moved to `at` if that is newer."""
    conversation, created = Conversation.objects.get_or_create(
        workspace=workspace,
        number=number,
        defaults={"last_message_at": at, "last_preview": preview[:120], **fields},
    )
    if not created:
        newer = Q(last_message_at__lte=at)
        Conversation.objects.filter(newer, pk=conversation.pk).update(
            last_message_at=at, last_preview=preview[:120]
        )
        if fields:
            Conversation.objects.filter(pk=conversation.pk).update(**fields)
    return conversation


def _contact_for(message: InboundMessage) -> Contact | None:
    return (
        Contact.objects.for_workspace(message.workspace)
        .filter(number=message.source)
        .order_by("id")
        .first()
    )


def _origin(message: InboundMessage, *, keyword: bool) -> Origin:
    return Origin.of_text(body=message.body, inbound_id=message.pk, keyword=keyword)


def _contact_or_create(message: InboundMessage) -> Contact:
    contact = _contact_for(message)
    if contact is None:
        contact = Contact.objects.create(workspace=message.workspace, number=message.source)
        consent_record(contact, ConsentKind.ADDED, _origin(message, keyword=False))
    return contact


def _attach(message: InboundMessage) -> Conversation:
    """Match the contact and put the text in its conversation (inside the claim's transaction)."""
    contact = _contact_for(message)
    fields: dict[str, object] = {"vmn": message.vmn} if message.vmn_id else {}
    if contact is not None:
        fields["contact"] = contact
    conversation = conversation_touch(
        workspace=message.workspace,
        number=message.source,
        at=message.received_at,
        preview=message.body,
        **fields,
    )
    if not message.is_read:
        Conversation.objects.filter(pk=conversation.pk).update(unread_count=F("unread_count") + 1)
    message.contact, message.conversation = contact, conversation
    return conversation


def inbound_process(*, message_id: int) -> None:
    """Process a stored text once: attach it, then opt-out/opt-in or an auto-reply."""
    now = timezone.now()
    with transaction.atomic():
        claimed = InboundMessage.objects.filter(pk=message_id, processed_at__isnull=True).update(
            processed_at=now
        )
        if not claimed:
            return
        message = InboundMessage.objects.select_related("workspace", "vmn").get(pk=message_id)
        conversation = _attach(message)
        prefs = inbox_settings(message.workspace)
        message.opt_action = opt_action(message.body, prefs)
        message.save(update_fields=["contact", "conversation", "opt_action"])
        _inbound_event(message)
    if message.opt_action == OPT_OUT:
        opt_out_apply(message=message, prefs=prefs)
    elif message.opt_action == OPT_IN:
        opt_in_apply(message=message, prefs=prefs)
    else:
        auto_reply(message=message, conversation=conversation)
        notify_members(message=message, conversation=conversation, prefs=prefs)


def _inbound_event(message: InboundMessage) -> None:
    """Tell the workspace's webhooks, in the transaction that claims the text (so once)."""
    data = {"id": message.pk, "from": message.source, "to": message.dest, "text": message.body,
            "received_at": message.received_at.isoformat().replace("+00:00", "Z"),
            "contact": str(message.contact.public_id) if message.contact else None,
            "opt_action": message.opt_action}  # fmt: skip
    webhooks_emit(message.workspace_id, WebhookEvent.MESSAGE_INBOUND, [(data, "")])


NOTIFY_EVERY_SECONDS = 600
NOTIFIED_ROLES = [Role.OWNER, Role.ADMIN, Role.SENDER]


def notify_members(
    *, message: InboundMessage, conversation: Conversation, prefs: InboxSettings
) -> bool:
    """Email the members who answer texts, at most once per conversation every ten minutes."""
    if not prefs.notify_members:
        return False
    if not cache.add(f"inbound:notified:{conversation.public_id}", 1, timeout=NOTIFY_EVERY_SECONDS):
        return False
    workspace = message.workspace
    recipients = list(
        Membership.objects.for_workspace(workspace)
        .filter(role__in=NOTIFIED_ROLES)
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return False
    who = message.contact.name if message.contact and message.contact.name else message.source
    link = settings.SITE_URL.rstrip("/") + reverse(
        "inbound:conversation",
        kwargs={"slug": workspace.slug, "conversation_id": conversation.public_id},
    )
    send_mail(
        subject=_("New text from %(who)s in %(workspace)s")
        % {"who": who, "workspace": workspace.name},
        message=_("%(who)s wrote:\n\n%(body)s\n\nOpen the conversation: %(link)s\n")
        % {"who": who, "body": message.body[:500], "link": link},
        from_email=None,
        recipient_list=recipients,
    )
    return True


def inbound_drain(*, batch: int = 200) -> int:
    """Process every stored, unprocessed text (oldest first); returns how many were processed.

    Clears the endpoint's "drain queued" flag before reading, so that texts committed from now on
    queue another drain. A text whose processing fails is logged and left for the next drain.
    """
    cache.delete(DRAIN_FLAG)
    done, failed = 0, set()
    while True:
        ids = list(
            InboundMessage.objects.filter(processed_at__isnull=True)
            .exclude(pk__in=failed)
            .order_by("id")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        for pk in ids:
            try:
                inbound_process(message_id=pk)
                done += 1
            except Exception:
                log.exception("inbound %s: processing failed; the next drain tries again", pk)
                failed.add(pk)


def _send(
    message: InboundMessage, body: str, contact: Contact | None, *, confirms_opt_out: bool = False
) -> int | None:
    try:
        broadcast = send_now(
            workspace=message.workspace,
            body=body,
            destinations=[] if contact else [message.source],
            contact_ids=[contact.pk] if contact else None,
            source=reply_source(message.vmn),
            opt_out_exempt=confirms_opt_out,
            is_reply=True,  # answers the text just received: quiet hours never hold it
        )
    except ValidationError as exc:
        log.warning("inbound %s: reply not sent: %s", message.pk, "; ".join(exc.messages))
        return None
    InboundMessage.objects.filter(pk=message.pk).update(reply_broadcast_id=broadcast.pk)
    if message.conversation_id:
        conversation_touch(
            workspace=message.workspace, number=message.source, at=timezone.now(), preview=body
        )
    return broadcast.pk


def _opt_out_write(message: InboundMessage, contact: Contact) -> None:
    """Every contact with the number opts out (and leaves its groups on the gateway too); the text
    and its conversation are linked to the sender's contact."""
    for opted_in in Contact.objects.for_workspace(message.workspace).filter(
        number=message.source, opted_out_at__isnull=True
    ):
        contact_opt_out(contact=opted_in, origin=_origin(message, keyword=True))
    InboundMessage.objects.filter(pk=message.pk).update(contact=contact, opt_applied=True)
    Conversation.objects.filter(pk=message.conversation_id).update(contact=contact)


def opt_out_apply(*, message: InboundMessage, prefs: InboxSettings) -> None:
    """Opt the sender out (creating the contact if needed), after one confirmation if set.

    The pipeline skips opted-out numbers from the moment the STOP is stored; the confirmation is
    the one message that answers the STOP itself, so it is exempt. A second STOP from an
    opted-out number gets no second confirmation.
    """
    contact = _contact_or_create(message)
    confirm = prefs.opt_out_reply.strip() and contact.opted_out_at is None
    reply = prefs.opt_out_reply
    if confirm and (broadcast_id := _send(message, reply, contact, confirms_opt_out=True)):
        broadcast_dispatch(broadcast_id=broadcast_id)  # claimed rows are sent once, here
    _opt_out_write(message, contact)


def opt_in_apply(*, message: InboundMessage, prefs: InboxSettings) -> None:
    contact = _contact_for(message)
    was_out = contact is not None and contact.opted_out_at is not None
    for opted_out in Contact.objects.for_workspace(message.workspace).filter(
        number=message.source, opted_out_at__isnull=False
    ):
        contact_opt_in(contact=opted_out, origin=_origin(message, keyword=True))
    InboundMessage.objects.filter(pk=message.pk).update(opt_applied=True)
    if was_out and prefs.opt_in_reply.strip():
        _send(message, prefs.opt_in_reply, contact)


def auto_reply(*, message: InboundMessage, conversation: Conversation) -> None:
    """Answer by the first matching rule, at most once per sender per interval (no loops)."""
    rule = matching_rule(message.workspace, message.body)
    if rule is None:
        return
    contact = message.contact
    if rule.add_to_group_id:
        contact = contact or _contact_or_create(message)
        group = Group.objects.for_workspace(message.workspace).filter(pk=rule.add_to_group_id)
        if group.exists():
            GroupMembership.objects.get_or_create(group_id=rule.add_to_group_id, contact=contact)
    if contact is not None and contact.opted_out_at is not None:
        return
    now = timezone.now()
    if now - message.received_at > timedelta(seconds=settings.INBOUND_AUTO_REPLY_MAX_AGE):
        return  # recovered long after it came: a late automatic answer would confuse
    quiet = now - timedelta(seconds=settings.INBOUND_AUTO_REPLY_INTERVAL)
    claimed = (
        Conversation.objects.filter(pk=conversation.pk)
        .filter(Q(last_auto_reply_at__isnull=True) | Q(last_auto_reply_at__lt=quiet))
        .update(last_auto_reply_at=now)
    )
    if not claimed:
        log.info("inbound %s: auto-reply held back (one per sender per interval)", message.pk)
        return
    InboundMessage.objects.filter(pk=message.pk).update(auto_reply_rule=rule)
    _send(message, rule.reply, contact)


def opt_outs_finish(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Apply opt-outs whose processing stopped between the claim and the write (a crash)."""
    now = timezone.now()
    stuck = InboundMessage.objects.filter(
        opt_action=OPT_OUT, opt_applied=False, processed_at__lt=now - older_than
    ).select_related("workspace")
    done = 0
    for message in stuck[:500]:
        _opt_out_write(message, _contact_or_create(message))
        done += 1
    return done
