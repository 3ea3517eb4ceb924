"""Reads for the message pages: the filtered log with keyset pagination."""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core import signing
from django.db.models import QuerySet

from accounts.models import Workspace
from contacts.phone import InvalidNumber, normalise_number

from .models import IN_FLIGHT_STATES, Message

PAGE_SIZE = 50
CURSOR_SALT = "messaging.log.cursor"


@dataclass
class LogPage:
    rows: list[Message]
    next_cursor: str | None
    in_flight: bool


def encode_cursor(message_id: int) -> str:
    return signing.dumps(message_id, salt=CURSOR_SALT, compress=True)


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        return int(signing.loads(cursor, salt=CURSOR_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def filtered_messages(workspace: Workspace, filters: dict) -> QuerySet[Message]:
    messages = Message.objects.for_workspace(workspace)
    if filters.get("state"):
        messages = messages.filter(state=filters["state"])
    if filters.get("destination"):
        try:
            number = normalise_number(filters["destination"], workspace.default_country)
        except InvalidNumber:
            number = filters["destination"].strip()
        messages = messages.filter(destination=number)
    if filters.get("source"):
        messages = messages.filter(broadcast__source=filters["source"].strip())
    if filters.get("broadcast"):
        messages = messages.filter(broadcast__public_id=filters["broadcast"])
    tz = zoneinfo.ZoneInfo(workspace.time_zone)
    if filters.get("date_from"):
        messages = messages.filter(
            queued_at__gte=datetime.combine(filters["date_from"], time.min, tz)
        )
    if filters.get("date_to"):
        end = datetime.combine(filters["date_to"], time.min, tz) + timedelta(days=1)
        messages = messages.filter(queued_at__lt=end)
    return messages


def message_log(
    workspace: Workspace, filters: dict, cursor: str | None, size: int = PAGE_SIZE
) -> LogPage:
    """Newest first; the cursor is the last row's id, signed so it cannot be forged or read."""
    messages = filtered_messages(workspace, filters).select_related("broadcast")
    before = decode_cursor(cursor)
    if before is not None:
        messages = messages.filter(id__lt=before)
    rows = list(messages.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return LogPage(
        rows=rows,
        next_cursor=encode_cursor(rows[-1].id) if more else None,
        in_flight=any(row.state in IN_FLIGHT_STATES for row in rows),
    )
