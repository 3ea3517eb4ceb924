"""Composing a broadcast: recipients, sender ID, body, merge fields, estimate, and queueing it."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import chain, islice
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.gateway import api_url_allowed
from accounts.gateway_words import gateway_error_text, split_code
from accounts.models import GatewayConnection, User, Workspace
from accounts.models.gateway import CheckState
from accounts.tenancy import workspace_row
from contacts.fields import BUILT_IN_TAGS, merge_tags
from contacts.models import Contact, Group, GroupMembership
from contacts.optouts import opted_out_numbers, suppressed_numbers
from contacts.phone import InvalidNumber, gateway_number, normalise_number
from textconnect.errors import AuthenticationError, error_for_code
from textconnect.limits import MAX_ALPHANUMERIC_SOURCE, MAX_BODY_CHARS, MAX_VALIDITY_SECONDS
from textconnect.segments import credits_per_part, segments

from ..models import Broadcast, BroadcastKind, BroadcastStatus, Message, SenderID, with_footer
from . import links, marketing
from .recurring import Repeat, clean_repeat, repeat_choices
from .runs import batch_size

INSERT_BATCH = 5000
FALLBACK_SOURCE = "Portal"  # the sender ID of a workspace with none
MAX_PASTED_NUMBERS = 100_000
# {field} or {field|fallback}: the fallback stands in where the recipient's value is empty. Which
# names are merge fields depends on the workspace (contacts.fields.merge_tags); others stay put.
MERGE_FIELD = re.compile(r"\{([a-z][a-z0-9_]{0,40})(?:\|([^{}|]{0,100}))?\}")
ALPHANUMERIC_SOURCE = re.compile(r"^[A-Za-z0-9 ]+$")
NUMERIC_SOURCE = re.compile(r"^\+?[0-9]{3,15}$")


# -- checks that need no gateway --------------------------------------------------------------


def clean_source(value: str) -> str:
    """A sender ID: a number (up to 15 digits) or at most 11 letters, digits and spaces."""
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Choose a sender ID."))
    if NUMERIC_SOURCE.match(value):
        return value.lstrip("+")
    if not ALPHANUMERIC_SOURCE.match(value):
        raise ValidationError(
            _("A sender ID uses only letters, digits and spaces, or is a number.")
        )
    if len(value) > MAX_ALPHANUMERIC_SOURCE:
        raise ValidationError(
            f"An alphanumeric sender ID has at most {MAX_ALPHANUMERIC_SOURCE} characters."
        )
    if value.isdigit():
        raise ValidationError(_("A numeric sender ID needs at least 3 digits."))
    return value


def clean_body(value: str) -> str:
    if not value or not value.strip():
        raise ValidationError(_("Write a message."))
    if "\x00" in value:
        raise ValidationError(_("The message contains a NUL character, which cannot be sent."))
    if len(value) > MAX_BODY_CHARS:
        raise ValidationError(
            f"A message has at most {MAX_BODY_CHARS} characters; this one has {len(value)}."
        )
    return value


def clean_validity(seconds: int) -> int:
    if not 60 <= seconds <= MAX_VALIDITY_SECONDS:
        raise ValidationError(_("Validity is between one minute and 24 hours."))
    return seconds


def clean_schedule(moment: datetime | None, *, now: datetime | None = None) -> datetime | None:
    if moment is None:
        return None
    now = now or timezone.now()
    if moment <= now + timedelta(seconds=30):
        raise ValidationError(_("Choose a time in the future, or send now."))
    if moment > now + timedelta(days=366):
        raise ValidationError(_("Schedule at most a year ahead."))
    return moment


@dataclass
class ParsedNumbers:
    numbers: list[str] = field(default_factory=list)
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, reason)
    duplicates: int = 0


def parse_numbers(text: str, default_country: str) -> ParsedNumbers:
    """Numbers typed or pasted one per line (or separated by commas, semicolons or spaces)."""
    parsed = ParsedNumbers()
    seen: set[str] = set()
    for line_no, line in enumerate((text or "").splitlines(), start=1):
        for raw in re.split(r"[,;\t]+", line):
            raw = raw.strip()
            if not raw:
                continue
            try:
                number = normalise_number(raw, default_country)
            except InvalidNumber as exc:
                parsed.invalid.append((line_no, raw[:40], str(exc)))
                continue
            if number in seen:
                parsed.duplicates += 1
                continue
            seen.add(number)
            parsed.numbers.append(number)
    if len(parsed.numbers) > MAX_PASTED_NUMBERS:
        raise ValidationError(
            f"Paste at most {MAX_PASTED_NUMBERS:,} numbers; use a group for more."
        )
    return parsed


# -- merge fields -----------------------------------------------------------------------------


def is_personalised(body: str, tags: dict[str, str] | None = None) -> bool:
    tags = tags or BUILT_IN_TAGS
    return any(match.group(1) in tags for match in MERGE_FIELD.finditer(body))


def body_fields(
    body: str, tags: dict[str, str], track_links: bool = False, footer: str = ""
) -> dict[str, object]:
    """A broadcast's fields that follow from its text, written together wherever a body is set:
    its encoding and parts (of the text as sent: with short links when its links are tracked,
    and with the opt-out footer of a marketing message, `footer`), whether its links are tracked
    (only when it has any), the footer, and whether each recipient gets a text
    of their own (`personalised`: merge fields or tracked links; kept rather than worked out
    again: the rows were written by what the merge fields were then, and a later renamed custom
    field must not change how they are sent)."""
    sent = with_footer(body, footer)
    tracked = track_links and links.has_links(sent)
    shape = segments(links.as_sent_example(sent) if tracked else sent)
    return {
        "body": body,
        "footer": footer,
        "encoding": shape.encoding,
        "parts": shape.parts,
        "track_links": tracked,
        "personalised": is_personalised(sent, tags) or tracked,
    }


def clean_sent_length(body: str, footer: str) -> None:
    """A marketing message's text with its footer still fits in one message's characters."""
    sent = with_footer(body, footer)
    if footer and len(sent) > MAX_BODY_CHARS:
        raise ValidationError(
            _(
                "With the opt-out instruction the message has %(n)s characters; at most "
                "%(max)s. Shorten the text."
            )
            % {"n": len(sent), "max": MAX_BODY_CHARS}
        )


def render_body(body: str, contact: Contact | None, tags: dict[str, str] | None = None) -> str:
    """Fill the merge fields ({name}, {first_name}, {field1} or the workspace's name for it) from
    the contact; an empty value (or no contact) gives the field's fallback, `{first_name|there}`,
    or nothing. A name that is no merge field stays as it was typed."""
    tags = tags or BUILT_IN_TAGS

    def value(match: re.Match[str]) -> str:
        attribute = tags.get(match.group(1))
        if attribute is None:
            return match.group(0)
        filled = str(getattr(contact, attribute) or "") if contact is not None else ""
        return filled or (match.group(2) or "")

    return MERGE_FIELD.sub(value, body)


FALLBACK_EXAMPLES = {"name": "there", "first_name": "there"}


def fallback_hint(name: str) -> str:
    """How to give a merge field a stand-in, e.g. `{first_name|there}`."""
    return "{%s|%s}" % (name, FALLBACK_EXAMPLES.get(name, "…"))  # noqa: UP031


def empty_fields(
    body: str, contact: Contact | None, tags: dict[str, str] | None = None
) -> set[str]:
    """The merge fields of `body` that come out empty for this recipient (no value, no fallback)."""
    tags = tags or BUILT_IN_TAGS
    return {
        match.group(1)
        for match in MERGE_FIELD.finditer(body)
        if match.group(1) in tags
        and not match.group(2)
        and not (contact is not None and str(getattr(contact, tags[match.group(1)]) or ""))
    }


def unknown_fields(body: str, tags: dict[str, str]) -> list[str]:
    """Names in braces that are no merge field of the workspace (a typo, or a renamed field)."""
    return sorted({m.group(1) for m in MERGE_FIELD.finditer(body) if m.group(1) not in tags})


# -- recipients -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    destination: str
    contact_id: int | None
    body: str = ""
    empty: frozenset[str] = frozenset()  # merge fields that come out empty for this recipient


def _contacts_of(workspace: Workspace, contact_ids: Iterable[int], group_ids: Iterable[int]):  # noqa: ANN202
    contacts = Contact.objects.for_workspace(workspace)
    member_ids = GroupMembership.objects.filter(
        group__workspace=workspace, group_id__in=list(group_ids)
    ).values("contact_id")
    return contacts.filter(pk__in=list(contact_ids)) | contacts.filter(pk__in=member_ids)


def recipients(
    workspace: Workspace,
    *,
    body: str,
    numbers: Iterable[str] = (),
    contact_ids: Iterable[int] = (),
    group_ids: Iterable[int] = (),
    tags: dict[str, str] | None = None,
) -> Iterator[Recipient]:
    """Each destination once: contacts (and group members) first, then typed numbers. `tags`:
    the workspace's merge fields when the caller has read them already."""
    tags = tags if tags is not None else merge_tags(workspace)
    personalised = is_personalised(body, tags)
    seen: set[str] = set()
    contact_ids, group_ids = list(contact_ids), list(group_ids)
    contacts = (
        _contacts_of(workspace, contact_ids, group_ids)
        .distinct()
        .order_by("pk")
        .iterator(chunk_size=INSERT_BATCH)
        if contact_ids or group_ids
        else ()  # numbers only (most API sends): no query to build
    )
    for contact in contacts:
        if contact.number in seen:
            continue
        seen.add(contact.number)
        if personalised:
            yield Recipient(contact.number, contact.pk, render_body(body, contact, tags),
                            frozenset(empty_fields(body, contact, tags)))  # fmt: skip
        else:
            yield Recipient(contact.number, contact.pk)
    blank = frozenset(empty_fields(body, None, tags))
    for number in numbers:
        if number not in seen:
            seen.add(number)
            yield (
                Recipient(number, None, render_body(body, None, tags), blank)
                if personalised
                else (Recipient(number, None))
            )


# -- creating and queueing --------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    body: str
    source: str
    numbers: list[str] = field(default_factory=list)
    # What the typed list held beyond `numbers`, for the review page.
    typed_invalid: list[tuple[int, str, str]] = field(default_factory=list)
    typed_duplicates: int = 0
    contact_ids: list[int] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    gateway_group: str = ""
    gateway_list: str = ""
    schedule_at: datetime | None = None
    validity_seconds: int = MAX_VALIDITY_SECONDS
    opt_out_exempt: bool = False  # a STOP's confirmation; a direct reply to their own text
    is_reply: bool = False  # answers a text just received: never held by quiet hours
    is_test: bool = False  # a test (or a code) to a member's own mobile: never held or approved
    repeat: Repeat | None = None  # a recurring send: confirming the draft makes a series
    track_links: bool = False  # each URL becomes a short link per recipient (links.py)
    marketing: bool = False  # carries the workspace's opt-out instruction after the body
    # A follow-up to those of a tracked broadcast who clicked (or did not): its label, the choice,
    # and the recipients it came to when the draft was made.
    follow_up: tuple[str, bool] | None = None
    follow_up_contact_ids: list[int] = field(default_factory=list)
    follow_up_numbers: list[str] = field(default_factory=list)


def broadcast_create(
    *,
    workspace: Workspace,
    user: User | None,
    draft: Draft,
    idempotency_key: uuid.UUID,
    retry_of: Broadcast | None = None,
) -> Broadcast:
    """Write the broadcast and one outbox row per recipient, in one transaction, as a draft.

    A second call with the same idempotency key returns the first broadcast. It is not looked up
    first (a query every send would pay): the key's unique index refuses the second insert (or
    makes it wait for a twin's commit), the work is rolled back, and the first one is returned;
    so is it when the second call fails otherwise (its recipients changed since, say).
    """
    try:
        return _broadcast_write(workspace, user, draft, idempotency_key, retry_of)
    except (IntegrityError, ValidationError):
        first = (
            Broadcast.objects.for_workspace(workspace)
            .filter(idempotency_key=idempotency_key)
            .first()
        )
        if first is None:
            raise
        return first


def _broadcast_write(
    workspace: Workspace,
    user: User | None,
    draft: Draft,
    idempotency_key: uuid.UUID,
    retry_of: Broadcast | None,
) -> Broadcast:
    kind = BroadcastKind.DIRECT
    target = ""
    if draft.gateway_group:
        kind, target = BroadcastKind.GATEWAY_GROUP, draft.gateway_group
    elif draft.gateway_list:
        kind, target = BroadcastKind.GATEWAY_LIST, draft.gateway_list
    footer = marketing.footer_for(workspace) if draft.marketing else ""
    clean_sent_length(draft.body, footer)
    # The workspace's merge fields, read once for the broadcast and its recipients; a text
    # without braces has none, whatever the workspace calls its fields.
    tags = merge_tags(workspace) if "{" in draft.body else BUILT_IN_TAGS
    with transaction.atomic():
        broadcast = Broadcast(
            workspace=workspace,
            created_by=user,
            kind=kind,
            **body_fields(
                draft.body, tags, draft.track_links and kind == BroadcastKind.DIRECT, footer
            ),
            marketing=draft.marketing,
            source=draft.source,
            gateway_target=target,
            recipients_spec={},
            opt_out_exempt=draft.opt_out_exempt,
            is_reply=draft.is_reply,
            is_test=draft.is_test,
            schedule_at=draft.schedule_at,
            validity_seconds=draft.validity_seconds,
            idempotency_key=idempotency_key,
            retry_of=retry_of,
        )
        if kind == BroadcastKind.DIRECT:
            # The rows are written from the text as sent: the footer is part of every one.
            _write_messages(broadcast, replace(draft, body=broadcast.text_as_sent), tags)
        else:
            broadcast.save(force_insert=True)
        broadcast.written_now = True
        if draft.repeat is not None:
            zone = ZoneInfo(workspace.time_zone)
            spec = {
                **broadcast.recipients_spec,
                "repeat": {
                    "rule": clean_repeat(draft.repeat, draft.schedule_at, zone),
                    "choices": repeat_choices(draft.repeat),
                },
            }
            Broadcast.objects.filter(pk=broadcast.pk).update(recipients_spec=spec)
            broadcast.recipients_spec = spec
    return broadcast


class CreditEstimate:
    """Credits for a send, recipient by recipient (a body's parts are counted once)."""

    def __init__(self) -> None:
        self.credits = 0
        self._parts: dict[str, int] = {}

    def add(self, text: str, destination: str) -> None:
        parts = self._parts.get(text)
        if parts is None:
            parts = self._parts[text] = segments(text).parts
        self.credits += parts * credits_per_part(gateway_number(destination))


@dataclass
class Breakdown:
    """Where a broadcast's recipients came from and what will happen to them, for the review page
    (kept as the broadcast's `recipients_spec`)."""

    typed: int = 0
    typed_duplicates: int = 0
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # skipped typed lines
    selection: dict = field(default_factory=dict)  # what was picked, to change the draft later
    contacts: int = 0
    groups: list[tuple[str, int]] = field(default_factory=list)  # (name, members)
    duplicates: int = 0  # the same number picked in more than one way, sent once
    recipients: int = 0
    opted_out: int = 0  # skipped at dispatch, never charged (suppressed numbers included)
    suppressed: int = 0  # of those, numbers suppressed for failing permanently
    follow_up: list = field(default_factory=list)  # [broadcast label, clicked?, recipients]
    empty_fields: dict[str, int] = field(default_factory=dict)  # field -> recipients left blank
    empty_example: str = ""  # one recipient's text with a field left blank

    @classmethod
    def stored(cls, spec: dict) -> Breakdown:
        known = {name: spec[name] for name in cls.__dataclass_fields__ if name in spec}
        return cls(**known)

    @property
    def to_send(self) -> int:
        return self.recipients - self.opted_out

    @property
    def opted_out_only(self) -> int:
        """Skipped because they opted out (not for a suppression)."""
        return self.opted_out - self.suppressed


def _breakdown(workspace: Workspace, draft: Draft) -> Breakdown:
    groups = (
        list(
            Group.objects.for_workspace(workspace)
            .filter(pk__in=draft.group_ids)
            .annotate(members=Count("groupmembership"))
            .values_list("name", "members")
        )
        if draft.group_ids
        else []
    )
    follow_up = []
    if draft.follow_up is not None:
        label, clicked = draft.follow_up
        count = len(draft.follow_up_contact_ids) + len(draft.follow_up_numbers)
        follow_up = [label, clicked, count]
    return Breakdown(
        follow_up=follow_up,
        typed=len(draft.numbers),
        typed_duplicates=draft.typed_duplicates,
        invalid=[list(line) for line in draft.typed_invalid[:50]],
        contacts=len(draft.contact_ids),
        groups=groups,
        selection={
            "numbers": draft.numbers,
            "contact_ids": draft.contact_ids,
            "group_ids": draft.group_ids,
        },
    )


def draft_initial(broadcast: Broadcast) -> dict:
    """The composer's fields as they were for this draft (to change it before it is sent)."""
    selection = broadcast.recipients_spec.get("selection", {})
    schedule = None
    if broadcast.schedule_at:
        zone = ZoneInfo(broadcast.workspace.time_zone)
        schedule = timezone.localtime(broadcast.schedule_at, zone).replace(tzinfo=None)
    return {
        "body": broadcast.body,
        "source": broadcast.source,
        "track_links": broadcast.track_links,
        "marketing": broadcast.marketing,
        "numbers": "\n".join(selection.get("numbers", [])),
        "groups": list(
            Group.objects.for_workspace(broadcast.workspace).filter(
                pk__in=selection.get("group_ids", [])
            )
        ),
        "gateway_group": broadcast.gateway_target
        if broadcast.kind == BroadcastKind.GATEWAY_GROUP
        else "",
        "gateway_list": broadcast.gateway_target
        if broadcast.kind == BroadcastKind.GATEWAY_LIST
        else "",
        "schedule_at": schedule,
        "validity_seconds": broadcast.validity_seconds,
    }


def draft_contacts(broadcast: Broadcast) -> list[Contact]:
    ids = broadcast.recipients_spec.get("selection", {}).get("contact_ids", [])
    return list(Contact.objects.for_workspace(broadcast.workspace).filter(pk__in=ids))


def _write_messages(broadcast: Broadcast, draft: Draft, tags: dict[str, str]) -> None:
    """Save the (unsaved) broadcast and one outbox row per recipient. When the recipients fit in
    one batch (most API sends), the broadcast is inserted with its counts and its rows after it;
    else it is inserted first, its rows batch by batch, and its counts at the end."""
    workspace = broadcast.workspace
    breakdown = _breakdown(workspace, draft)
    estimate = CreditEstimate()
    empty: Counter[str] = Counter()
    batch: list[Message] = []

    made: list[list[tuple[str, str]]] = []  # each message's short links, when tracked

    def tally() -> None:
        opted_out = opted_out_numbers(workspace, {m.destination for m in batch})
        breakdown.opted_out += sum(m.destination in opted_out for m in batch)
        if opted_out:
            suppressed = suppressed_numbers(workspace, opted_out)
            breakdown.suppressed += sum(m.destination in suppressed for m in batch)
        for message in batch:
            if message.destination not in opted_out:  # skipped at dispatch: never charged
                estimate.add(message.body or draft.body, message.destination)

    def write() -> None:
        Message.objects.bulk_create(batch)
        if broadcast.track_links:
            links.links_store(batch, made)
            made.clear()
        batch.clear()

    found = recipients(
        workspace,
        body=draft.body,
        numbers=[*draft.numbers, *draft.follow_up_numbers],
        contact_ids=[*draft.contact_ids, *draft.follow_up_contact_ids],
        group_ids=draft.group_ids,
        tags=tags,
    )
    first = list(islice(found, INSERT_BATCH + 1))
    one_batch = len(first) <= INSERT_BATCH
    if not one_batch:
        broadcast.save(force_insert=True)
    for recipient in chain(first, found):
        breakdown.recipients += 1
        if recipient.empty:
            empty.update(recipient.empty)
            breakdown.empty_example = breakdown.empty_example or recipient.body
        body = recipient.body
        if broadcast.track_links:
            body, pairs = links.rewrite(body or draft.body)
            made.append(pairs)
        batch.append(
            Message(
                workspace_id=broadcast.workspace_id,
                broadcast=broadcast,
                contact_id=recipient.contact_id,
                destination=recipient.destination,
                body=body,
            )
        )
        if not one_batch and len(batch) >= INSERT_BATCH:
            tally()
            write()
    if batch:
        tally()
    if breakdown.recipients == 0:
        raise ValidationError(_("Add at least one recipient."))
    picked = breakdown.typed + breakdown.contacts + sum(n for _, n in breakdown.groups)
    picked += breakdown.follow_up[2] if breakdown.follow_up else 0
    breakdown.duplicates = max(0, picked - breakdown.recipients)
    breakdown.empty_fields = dict(empty.most_common())
    broadcast.recipient_count, broadcast.estimated_credits = breakdown.recipients, estimate.credits
    broadcast.recipients_spec = asdict(breakdown)
    if one_batch:
        broadcast.save(force_insert=True)
    else:
        Broadcast.objects.filter(pk=broadcast.pk).update(
            recipient_count=broadcast.recipient_count,
            estimated_credits=broadcast.estimated_credits,
            recipients_spec=broadcast.recipients_spec,
        )
    write()


def _gateway(workspace: Workspace) -> GatewayConnection | None:
    return workspace_row(
        workspace, "gateway", lambda: GatewayConnection.objects.for_workspace(workspace).first()
    )


def cached_balance(workspace: Workspace) -> Decimal | None:
    connection = _gateway(workspace)
    return connection.balance if connection else None


def sending_blocker(workspace: Workspace) -> str | None:
    """Why this workspace cannot send at all (no gateway, a token the gateway refused, a URL the
    operator no longer allows, a suspension), in words; None when it can."""
    if workspace.is_suspended:
        return _("This workspace is suspended: sending is stopped.")
    connection = _gateway(workspace)
    if connection is None or not connection.token:
        return _("No gateway account is connected to this workspace yet.")
    if not api_url_allowed(connection.effective_api_url):
        return _("The workspace's gateway URL is no longer allowed on this portal.")
    if connection.check_state == CheckState.FAILED and _refused_token(connection.check_error):
        return _("The gateway refused this workspace's token: %(error)s") % {
            "error": gateway_error_text(*split_code(connection.check_error))
        }
    return None


def _refused_token(check_error: str) -> bool:
    code, _sep, _rest = check_error.partition(":")
    try:
        return isinstance(error_for_code(int(code)), AuthenticationError)
    except ValueError:
        return False


def check_affordable(broadcast: Broadcast) -> None:
    """Refuse before queueing when the cached balance is known and does not cover the estimate."""
    balance = cached_balance(broadcast.workspace)
    if balance is not None and broadcast.estimated_credits > balance:
        raise ValidationError(
            f"This needs about {broadcast.estimated_credits:,} credits and the balance is "
            f"{balance:,.0f}. Top up, or send to fewer recipients."
        )


def dispatch_parallelism(broadcast: Broadcast) -> int:
    batches = -(-broadcast.recipient_count // batch_size(broadcast))
    return max(1, min(settings.MESSAGING_DISPATCH_PARALLELISM, batches))


def broadcast_confirm(
    *,
    broadcast: Broadcast,
    user: User | None,
    request=None,  # noqa: ANN001
    quiet_override_reason: str = "",
) -> Broadcast:
    """Draft -> scheduled (beat sends it when due) or queued (dispatched once committed); or
    awaiting approval, when the workspace's policy asks for it. An admin may override quiet hours
    for this one broadcast, with a reason."""
    from .controls import approval_request, needs_approval

    workspace = broadcast.workspace
    if (blocker := sending_blocker(workspace)) is not None:
        raise ValidationError(blocker)
    if broadcast.kind == BroadcastKind.DIRECT:
        check_affordable(broadcast)
    if broadcast.schedule_at:
        clean_schedule(broadcast.schedule_at)
    with transaction.atomic():
        overridden = bool(quiet_override_reason.strip())
        if overridden:
            Broadcast.objects.filter(pk=broadcast.pk, status=BroadcastStatus.DRAFT).update(
                quiet_override_reason=quiet_override_reason.strip()[:300], quiet_override_by=user
            )
            reason = quiet_override_reason.strip()[:300]
            audit_record("quiet_hours_overridden", request=request, workspace=workspace,
                         actor=user, obj=broadcast, reason=reason)  # fmt: skip
        if needs_approval(broadcast):
            approval_request(broadcast=broadcast, user=user, request=request)
            current = False
        else:  # when it claimed the draft, the instance is brought up to date
            current = broadcast_release(broadcast=broadcast, user=user, request=request)
    if overridden or not current:
        broadcast.refresh_from_db()
    return broadcast


def broadcast_release(
    *,
    broadcast: Broadcast,
    user: User | None,
    request=None,  # noqa: ANN001
    from_status: str = BroadcastStatus.DRAFT,
) -> bool:
    """A draft (or an approved broadcast) goes out as composed: scheduled, or queued at once.
    False when another click got there first."""
    from ..tasks import broadcast_dispatch_task

    now = timezone.now()
    if broadcast.schedule_at and broadcast.schedule_at > now:
        new_status, fields = BroadcastStatus.SCHEDULED, {}
    else:
        new_status, fields = BroadcastStatus.QUEUED, {"queued_at": now}
    claimed = Broadcast.objects.filter(pk=broadcast.pk, status=from_status).update(
        status=new_status, **fields
    )
    if claimed != 1:  # a double click: the first one queued it
        return False
    broadcast.status = new_status
    for name, value in fields.items():
        setattr(broadcast, name, value)
    audit_record(
        "broadcast_scheduled" if new_status == BroadcastStatus.SCHEDULED else "broadcast_sent",
        request=request,
        workspace=broadcast.workspace,
        actor=user,
        obj=broadcast,
        recipients=broadcast.recipient_count,
    )
    if new_status == BroadcastStatus.QUEUED:
        # Several workers may share a large send: each claims its own batches.
        for _task in range(dispatch_parallelism(broadcast)):
            transaction.on_commit(lambda: broadcast_dispatch_task.delay(broadcast.pk))
    return True


def default_source(workspace: Workspace) -> str:
    sender = SenderID.objects.for_workspace(workspace).order_by("-is_default", "value").first()
    return sender.value if sender else FALLBACK_SOURCE


def send_now(
    *,
    workspace: Workspace,
    body: str,
    destinations: list[str],
    source: str | None = None,
    user: User | None = None,
    contact_ids: list[int] | None = None,
    idempotency_key: uuid.UUID | None = None,
    opt_out_exempt: bool = False,
    is_reply: bool = False,
    is_test: bool = False,
) -> Broadcast:
    """Compose and queue at once (replies, auto-replies): the same exactly-once pipeline; a second
    call with the same idempotency key returns the first broadcast and sends nothing more."""
    draft = Draft(
        body=clean_body(body),
        source=clean_source(source or default_source(workspace)),
        numbers=destinations,
        contact_ids=contact_ids or [],
        opt_out_exempt=opt_out_exempt,
        is_reply=is_reply,
        is_test=is_test,
    )
    broadcast = broadcast_create(
        workspace=workspace, user=user, draft=draft, idempotency_key=idempotency_key or uuid.uuid4()
    )
    return broadcast_confirm(broadcast=broadcast, user=user)
