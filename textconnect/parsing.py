"""Parsers for the gateway's answers: numbers, status words, ID lists, CSV, line results, JSON.

Every parser takes the page body as text. All of them accept ``\\r\\n`` line ends, a trailing
newline, and an error answer of a negative code optionally followed by the vendor's text on the
following lines (``ShowErrorMessage``); such an answer raises the matching ``TextConnectError``.
An answer in none of the expected shapes raises ``TransportError`` (it may have reached the
gateway, so the action may have run).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from textconnect.errors import (
    TextConnectError,
    TransportError,
    UnexpectedAnswer,
    error_for_code,
)
from textconnect.limits import (
    API_DATETIME_FORMAT,
    INBOUND_DATETIME_FORMAT,
    REPORT_DATETIME_FORMAT,
    VENDOR_TIME_ZONE,
)
from textconnect.types import (
    BackgroundMessage,
    ImportResult,
    InboundRow,
    MessageRow,
    MessageStatus,
    OutboxRow,
    RawRow,
    ReportRow,
    ReportType,
    SendResult,
    UsageRow,
)

VENDOR_ZONE = ZoneInfo(VENDOR_TIME_ZONE)

# Codes a multi-destination send puts in a destination's place instead of its ID.
PER_DESTINATION_CODES = frozenset({-100, -401, -406, -411, -412})

_CODE = re.compile(r"-\d+")
_NUMBER = re.compile(r"\d+(\.\d+)?")
_WORD = re.compile(r"[^\W\d][\w -]{0,63}")
_ID = re.compile(r"[0-9A-Za-z]+")
# Separators that may join the part IDs of one destination inside its comma-separated place.
_PART_SEPARATORS = re.compile(r"[|;: ]+")
_LINE_RESULT = re.compile(r"\s*(\d+)\s*:\s*(.*?)\s*")


def split_lines(text: str) -> list[str]:
    """The answer's lines without line ends; a trailing newline adds no empty line."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    return normalised.split("\n") if normalised else []


def is_code(value: str) -> bool:
    """True for a gateway error code: a negative integer."""
    return _CODE.fullmatch(value.strip()) is not None


def _unexpected(what: str, text: str) -> UnexpectedAnswer:
    sample = text[:80].replace("\n", "\\n")
    return UnexpectedAnswer(f"unexpected answer to {what}: {sample!r}")


def error_in(text: str) -> TextConnectError | None:
    """The error an answer carries (first line a negative code), else None.

    The text of every following line is kept whole as the error's text (CreateUser explains
    several problems over several lines).
    """
    lines = split_lines(text)
    if not lines or not is_code(lines[0]):
        return None
    detail = "\n".join(lines[1:]).strip()
    return error_for_code(int(lines[0].strip()), detail or None)


def raise_for_error(text: str) -> None:
    """Raise the error an answer carries, if any."""
    error = error_in(text)
    if error is not None:
        raise error


def _first_line(text: str, what: str) -> str:
    raise_for_error(text)
    lines = split_lines(text)
    if not lines or not lines[0].strip():
        raise _unexpected(what, text)
    return lines[0].strip()


def parse_credits(text: str) -> Decimal:
    """CheckCredits: the balance, which may carry decimals."""
    first = _first_line(text, "CheckCredits")
    if not _NUMBER.fullmatch(first):
        raise _unexpected("CheckCredits", text)
    return Decimal(first)


def parse_status(text: str) -> MessageStatus:
    """CheckMessageStatus: the status word as written."""
    first = _first_line(text, "CheckMessageStatus")
    if not _WORD.fullmatch(first):
        raise _unexpected("CheckMessageStatus", text)
    return MessageStatus(first)


def parse_ok(text: str, what: str) -> None:
    """Actions that answer ``1`` on success."""
    if _first_line(text, what) != "1":
        raise _unexpected(what, text)


def parse_ids(text: str, what: str) -> list[str]:
    """A comma-separated list of IDs (background-send IDs of a group or list send)."""
    items = [item.strip() for item in _first_line(text, what).split(",")]
    if not all(_ID.fullmatch(item) for item in items):
        raise _unexpected(what, text)
    return items


def parse_send(text: str, destinations: Sequence[str], parts: int = 1) -> list[SendResult]:
    """Send: one result per destination, in order.

    Each destination's place holds its message ID, or a negative code when that number failed.
    With ``GetAllMessageIDs`` a destination may have several IDs: either joined inside its
    place, or as consecutive comma-separated places (then ``parts``, the message's part count,
    says how many belong to each accepted destination). A single code answering a send to
    several numbers, or any code that is not about one number, fails the whole call.
    """
    lines = split_lines(text)
    if not lines or not lines[0].strip():
        raise _unexpected("Send", text)
    items = [item.strip() for item in lines[0].split(",")]
    details = [line.strip() for line in lines[1:] if line.strip()]
    if len(items) == 1 and is_code(items[0]):
        code = int(items[0])
        if len(destinations) != 1 or code not in PER_DESTINATION_CODES:
            raise error_for_code(code, "\n".join(details) or None)
    if not all(is_code(item) or _all_ids(item) for item in items):
        raise _unexpected("Send", text)
    places = _group_places(items, len(destinations), parts)
    if places is None:
        raise _unexpected("Send", text)
    error_count = sum(1 for place in places if is_code(place[0]))
    texts = iter(details if len(details) == error_count else [])
    return [
        _send_result(destination, place, next(texts, None) if is_code(place[0]) else None)
        for destination, place in zip(destinations, places, strict=True)
    ]


def _all_ids(item: str) -> bool:
    return all(_ID.fullmatch(part) for part in _PART_SEPARATORS.split(item))


def _group_places(items: list[str], count: int, parts: int) -> list[list[str]] | None:
    if len(items) == count:
        return [[item] for item in items]
    if len(items) < count or parts < 2:
        return None
    places, position = [], 0
    for _ in range(count):
        if position >= len(items):
            return None
        width = 1 if is_code(items[position]) else parts
        places.append(items[position : position + width])
        position += width
    return places if position == len(items) else None


def _send_result(destination: str, place: list[str], text: str | None) -> SendResult:
    if is_code(place[0]):
        return SendResult(destination, [], error_for_code(int(place[0]), text))
    ids = [part for item in place for part in _PART_SEPARATORS.split(item) if part]
    return SendResult(destination, ids, None)


def parse_import(text: str) -> list[ImportResult]:
    """ImportContactsCSV: ``N : Result`` per line, then after a blank line ``N : reason``."""
    raise_for_error(text)
    lines = split_lines(text)
    if not lines:
        return []
    try:
        blank = next(i for i, line in enumerate(lines) if not line.strip())
    except StopIteration:
        blank = len(lines)
    results = [_LINE_RESULT.fullmatch(line) for line in lines[:blank]]
    if not all(results):
        raise _unexpected("ImportContactsCSV", text)
    reasons: dict[int, list[str]] = {}
    for line in lines[blank + 1 :]:
        match = _LINE_RESULT.fullmatch(line)
        if match:
            reasons.setdefault(int(match[1]), []).append(match[2])
    return [
        ImportResult(
            int(m[1]), m[2], "; ".join(reasons[int(m[1])]) if int(m[1]) in reasons else None
        )
        for m in results
        if m is not None
    ]


def parse_background(text: str) -> list[BackgroundMessage]:
    """GetBGMessages: a JSON array of messages, or a JSON error object."""
    raise_for_error(text)
    try:
        data = json.loads(text)
    except ValueError:
        raise _unexpected("GetBGMessages", text) from None
    if isinstance(data, dict) and "error" in data:
        code = str(data["error"]).strip()
        if not is_code(code):
            raise _unexpected("GetBGMessages", text)
        raise error_for_code(int(code), str(data.get("message") or "") or None)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise _unexpected("GetBGMessages", text)
    return [_background_message(item) for item in data]


def _background_message(item: dict[str, object]) -> BackgroundMessage:
    fields = {key.lower(): "" if value is None else str(value) for key, value in item.items()}
    return BackgroundMessage(
        message_id=fields.get("messageid", ""),
        destination=fields.get("destination", ""),
        status=MessageStatus(fields.get("status", "")),
    )


def parse_vendor_datetime(value: str) -> datetime | None:
    """A date from a report (``dd/MM/yyyy HH:mm:ss``, vendor local time) as an aware datetime.

    Blank values give None; ISO-like and ``YYYYMMDDHHMMSS`` forms are accepted too.
    """
    value = value.strip()
    if not value:
        return None
    for fmt in (REPORT_DATETIME_FORMAT, INBOUND_DATETIME_FORMAT, API_DATETIME_FORMAT):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=VENDOR_ZONE)
        except ValueError:
            continue
    return None


# The documented columns of each report, by normalised header name (``normalise_header``), in
# the vendor's order. The one table of report columns: the portal's streaming reader uses it too.
_MESSAGE_COLUMNS = (
    "messageid",
    "username",
    "destination",
    "source",
    "status",
    "scheduledate",
    "sentdate",
    "deliverydate",
)
REPORT_COLUMNS: dict[ReportType, tuple[str, ...]] = {
    ReportType.MESSAGES: _MESSAGE_COLUMNS,
    ReportType.FAILED_MESSAGES: _MESSAGE_COLUMNS,
    ReportType.OUTBOX: tuple(name for name in _MESSAGE_COLUMNS if name != "source"),
    ReportType.USAGE: ("status", "messages"),
    ReportType.INBOUND_MESSAGES: (
        "messageid",
        "from",
        "number",
        "message",
        "receiveddate",
        "status",
    ),
}


_ALL_COLUMNS = frozenset(name for columns in REPORT_COLUMNS.values() for name in columns)


def normalise_header(header: str) -> str:
    """A report header as the tables name it: ``Schedule Date`` and ``schedule_date`` are
    ``scheduledate``."""
    return re.sub(r"[\s_]", "", header).lower()


def parse_report(text: str, report_type: ReportType | str) -> list[ReportRow]:
    """Report: the CSV as typed rows (raw rows for an unfamiliar report type).

    Columns are matched by header name; when the first row is not a header, the vendor's
    documented column order is assumed.
    """
    raise_for_error(text)
    if text.lstrip().startswith("<"):
        raise _unexpected("Report", text)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    rows = [row for row in csv.reader(io.StringIO(normalised)) if any(cell.strip() for cell in row)]
    if not rows:
        return []
    kind = _known_report_type(report_type)
    header = [normalise_header(cell) for cell in rows[0]]
    data = rows[1:]
    if kind is not None and not set(header) & _ALL_COLUMNS:
        header, data = list(REPORT_COLUMNS[kind]), rows
    if kind is None:
        return [RawRow(dict(zip(rows[0], row, strict=False))) for row in data]
    return [_typed_row(kind, dict(zip(header, row, strict=False))) for row in data]


def _known_report_type(report_type: ReportType | str) -> ReportType | None:
    for kind in ReportType:
        if kind.value.lower() == str(report_type).lower():
            return kind
    return None


def _typed_row(kind: ReportType, row: dict[str, str]) -> ReportRow:
    get = row.get
    if kind == ReportType.USAGE:
        count = (get("messages") or "0").strip()
        if not count.isdigit():
            raise TransportError(f"unexpected Usage count {count[:20]!r}")
        return UsageRow(MessageStatus((get("status") or "").strip()), int(count))
    if kind == ReportType.INBOUND_MESSAGES:
        return InboundRow(
            message_id=(get("messageid") or "").strip(),
            from_number=(get("from") or "").strip(),
            number=(get("number") or "").strip(),
            message=get("message") or "",
            received_date=parse_vendor_datetime(get("receiveddate") or ""),
            status=(get("status") or "").strip(),
        )
    common = {
        "message_id": (get("messageid") or "").strip(),
        "username": (get("username") or "").strip(),
        "destination": (get("destination") or "").strip(),
        "status": MessageStatus((get("status") or "").strip()),
        "schedule_date": parse_vendor_datetime(get("scheduledate") or ""),
        "sent_date": parse_vendor_datetime(get("sentdate") or ""),
        "delivery_date": parse_vendor_datetime(get("deliverydate") or ""),
    }
    if kind == ReportType.OUTBOX:
        return OutboxRow(**common)
    return MessageRow(source=(get("source") or "").strip(), **common)
