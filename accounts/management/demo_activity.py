"""What makes the demo workspace look used, made through the feature apps' own services.

Every step goes the way a person's action would: contacts are saved and pushed to the gateway's
address book, a CSV file is imported, broadcasts are composed, confirmed and sent through the
sandbox (their outcomes tracked from its reports), handsets text the demo VMN and the portal's
endpoint receives them, a reply goes back, and the Usage report is fetched and kept. Each step
looks for what it made before, so a second run makes nothing twice.

Only `seed_demo` imports this: it is an edge of the portal, like a view, not part of accounts.
"""

import contextlib
import time
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.utils import timezone

from accounts import sandbox_gateway
from accounts.models import Workspace
from contacts.consent import Origin
from contacts.models import Contact, ContactImport, DuplicatePolicy, Group
from contacts.phone import normalise_number
from contacts.services.address_book import contact_save, group_create
from contacts.services.importing import guess_mapping, import_start, import_upload
from inbound.models import Conversation, InboundMessage
from inbound.services.conversations import conversation_reply
from messaging.models import Broadcast, BroadcastStatus, Message, MessageState, SenderID
from messaging.services.compose import Draft, broadcast_confirm, broadcast_create, parse_numbers
from messaging.services.schedule import broadcast_cancel
from messaging.services.tracking import track_workspace
from reporting.models import ReportType
from reporting.ranges import preset_range
from reporting.services.snapshots import snapshot_request

SENDER_ID = "DemoSalon"
# Ofcom's drama range (07700 900xxx); the sandbox decides a destination's fate by its last three
# digits: 002 ends Failed, 009 is refused as blacklisted (-412), the rest are delivered.
CONTACTS = [
    ("Alice Baker", "07700 900210", "alice@example.com", ["Customers"]),
    ("Ben Carter", "07700 900211", "", ["Customers"]),
    ("Chloe Davies", "07700 900212", "chloe@example.com", ["Customers", "Newsletter"]),
    ("Dan Evans", "07700 900213", "", ["Customers"]),
    ("Ella Fisher", "07700 900214", "ella@example.com", ["Customers", "Newsletter"]),
    ("Finn Green", "07700 900215", "", ["Customers"]),
    ("Grace Hall", "07700 900216", "grace@example.com", ["Staff"]),
    ("Harry Irwin", "07700 900217", "", ["Staff"]),
]
IMPORT_NAME = "newsletter-signups.csv"
IMPORT_CSV = (
    "Name,Mobile,Email,Group\n"
    "Isla Jones,07700 900220,isla@example.com,Newsletter\n"
    "Jack King,07700 900221,,Newsletter\n"
    "Katie Lewis,07700 900222,katie@example.com,Newsletter\n"
    "Leo Morgan,07700 900223,,Newsletter\n"
    "Mia Norris,not a number,mia@example.com,Newsletter\n"
)
QUESTION = ("07700 900213", "Hi, can I move my appointment on Friday to 3pm?")
REPLY = "Of course, Dan: you're booked for 3pm on Friday. See you then!"
STOPPER = ("07700 900215", "STOP")


def _key(name: str) -> uuid.UUID:
    """The same idempotency key on every run: a second run finds the first run's broadcast."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"text-connect-portal:seed_demo:{name}")


@dataclass
class Demo:
    workspace: Workspace
    request: HttpRequest  # the demo owner, as the services expect a person's request
    say: Callable[[str], None]

    @property
    def user(self):  # noqa: ANN201
        return self.request.user

    def number(self, raw: str) -> str:
        return normalise_number(raw, self.workspace.default_country)


def contacts_and_groups(demo: Demo) -> None:
    ws = demo.workspace
    SenderID.objects.get_or_create(workspace=ws, value=SENDER_ID, defaults={"is_default": True})
    groups = {g.name: g for g in Group.objects.for_workspace(ws)}
    for name in {g for *_rest, names in CONTACTS for g in names} - set(groups):
        groups[name] = group_create(workspace=ws, name=name)
    made = 0
    for name, raw, email, group_names in CONTACTS:
        number = demo.number(raw)
        if Contact.objects.for_workspace(ws).filter(number=number).exists():
            continue
        contact = Contact(workspace=ws, name=name, number=number, email=email)
        origin = Origin.of_request(demo.request)  # typed in by the demo's owner
        contact_save(contact=contact, groups=[groups[g] for g in group_names], origin=origin)
        made += 1
    if made:
        demo.say(f"{made} contacts in {len(groups)} groups.")


def finished_import(demo: Demo) -> None:
    imports = ContactImport.objects.for_workspace(demo.workspace)
    if imports.filter(original_name=IMPORT_NAME).exists():
        return
    upload = SimpleUploadedFile(IMPORT_NAME, IMPORT_CSV.encode(), content_type="text/csv")
    job = import_upload(workspace=demo.workspace, user=demo.user, uploaded=upload)
    header = IMPORT_CSV.splitlines()[0].split(",")
    import_start(
        contact_import=job,
        mapping=guess_mapping(demo.workspace, header, True),
        policy=DuplicatePolicy.REFUSE,
        has_header=True,
        header=header,
    )  # runs at once: the command runs tasks eagerly
    job.refresh_from_db()
    demo.say(f"Import {IMPORT_NAME}: {job.get_state_display().lower()}.")


def _broadcast(demo: Demo, name: str, draft: Draft) -> Broadcast:
    broadcast = broadcast_create(
        workspace=demo.workspace, user=demo.user, draft=draft, idempotency_key=_key(name)
    )
    if broadcast.status == BroadcastStatus.DRAFT:
        broadcast = broadcast_confirm(broadcast=broadcast, user=demo.user, request=demo.request)
    return broadcast


def _group_ids(demo: Demo, *names: str) -> list[int]:
    return list(
        Group.objects.for_workspace(demo.workspace)
        .filter(name__in=names)
        .values_list("pk", flat=True)
    )


def _tomorrow_at(demo: Demo, hour: int) -> datetime:
    local = timezone.localtime(timezone.now(), timezone=_zone(demo))
    day = local.date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=_zone(demo))


def _zone(demo: Demo) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(demo.workspace.time_zone)


def broadcasts(demo: Demo) -> None:
    """Delivered, partly failed, scheduled and cancelled."""
    source = SENDER_ID
    _broadcast(demo, "delivered", Draft(
        body="Hi {first_name}, our spring offer is on: 20% off all treatments this week. "
        "Book at demosalon.example",
        source=source, group_ids=_group_ids(demo, "Customers"),
    ))  # fmt: skip
    typed = parse_numbers("07700 900002\n07700 900009", demo.workspace.default_country).numbers
    _broadcast(demo, "partly-failed", Draft(
        body="Reminder: the salon is closed on Monday for staff training.",
        source=source, group_ids=_group_ids(demo, "Staff", "Newsletter"), numbers=typed,
    ))  # fmt: skip
    _broadcast(demo, "scheduled", Draft(
        body="Good morning {first_name}! A reminder that late opening starts tonight until 9pm.",
        source=source, group_ids=_group_ids(demo, "Customers"),
        schedule_at=_tomorrow_at(demo, 9),
    ))  # fmt: skip
    cancelled = _broadcast(demo, "cancelled", Draft(
        body="Flash sale this Saturday only!", source=source,
        group_ids=_group_ids(demo, "Newsletter"), schedule_at=_tomorrow_at(demo, 12),
    ))  # fmt: skip
    if cancelled.status == BroadcastStatus.SCHEDULED:
        with contextlib.suppress(ValidationError):  # cancelled already
            broadcast_cancel(broadcast=cancelled, request=demo.request)


def inbox(demo: Demo, vmn: str) -> None:
    """A customer's question and its reply, and someone opting out, texted to the demo VMN."""
    ws = demo.workspace
    for raw, text in (QUESTION, STOPPER):
        number = demo.number(raw)
        if not InboundMessage.objects.for_workspace(ws).filter(source=number, body=text).exists():
            sandbox_gateway.handset_text(to=vmn, sender=number.lstrip("+"), text=text)
    if not sandbox_gateway.sandbox_idle(15):
        demo.say("The sandbox is still forwarding texts; they arrive in the inbox shortly.")
    conversation = Conversation.objects.for_workspace(ws).filter(number=demo.number(QUESTION[0]))
    if (conversation := conversation.first()) is not None:
        conversation_reply(
            conversation=conversation, body=REPLY, user=demo.user, idempotency_key=_key("reply")
        )


def outcomes(demo: Demo, *, patience: float = 10) -> None:
    """Wait until the messages sent are due for their first check, then learn their outcomes
    from the gateway's report, as the tracking sweep does."""
    waiting = Message.objects.for_workspace(demo.workspace).filter(state=MessageState.SUBMITTED)
    due = waiting.order_by("-next_check_at").values_list("next_check_at", flat=True).first()
    if due is None:
        return
    pause = (due - timezone.now()).total_seconds()
    time.sleep(min(max(pause, 0), patience))
    track_workspace(workspace=demo.workspace)


def usage_report(demo: Demo) -> None:
    """The last 7 days' Usage report, fetched and kept, as the dashboard shows it."""
    rng = preset_range("last_7_days", tz=demo.workspace.time_zone, now=timezone.now())
    snapshot = snapshot_request(
        workspace=demo.workspace, report_type=ReportType.USAGE, rng=rng, user=demo.user,
        refresh=True,
    )  # fmt: skip
    if snapshot.state != "ready":
        demo.say(f"The Usage report is {snapshot.get_state_display().lower()}.")
