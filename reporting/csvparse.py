"""A streaming reader of the gateway's report CSV: typed rows from a file, one at a time.

The textconnect client parses a report in memory; a snapshot keeps the raw body as a file and
reads it back here, so a 1,000,000-row report is stored without holding it whole.
"""

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from zoneinfo import ZoneInfo

from textconnect.limits import VENDOR_TIME_ZONE
from textconnect.parsing import REPORT_COLUMNS, VENDOR_ZONE, normalise_header
from textconnect.types import ReportType as GatewayReportType

from .models import ReportType

# The order of the values in every parsed row (the ReportRow columns after workspace/snapshot/seq).
FIELDS = (
    "message_id",
    "username",
    "destination",
    "source",
    "status",
    "scheduled_at",
    "sent_at",
    "delivered_at",
    "body",
    "count",
)
_INDEX = {name: i for i, name in enumerate(FIELDS)}
DATE_FIELDS = frozenset({"scheduled_at", "sent_at", "delivered_at"})

# Which columns each report has, and in what order, is textconnect's table (REPORT_COLUMNS);
# where each column goes in a parsed row (FIELDS) is this reader's own.
_FIELD_OF_COLUMN = {
    "messageid": "message_id",
    "username": "username",
    "destination": "destination",
    "source": "source",
    "status": "status",
    "scheduledate": "scheduled_at",
    "sentdate": "sent_at",
    "deliverydate": "delivered_at",
    "messages": "count",
    "from": "source",
    "number": "destination",
    "message": "body",
    "receiveddate": "sent_at",
}
# Documented columns per report type, normalised header -> row field, in the vendor's order.
COLUMNS: dict[str, dict[str, str]] = {
    report_type: {
        name: _FIELD_OF_COLUMN[name] for name in REPORT_COLUMNS[GatewayReportType(report_type)]
    }
    for report_type in ReportType
}
_LIMITS = {"message_id": 40, "username": 100, "destination": 40, "source": 40, "status": 40}


class ReportParseError(Exception):
    """The body is not a report of the expected shape (malformed, truncated, an error page)."""


@lru_cache(maxsize=65_536)
def vendor_datetime(value: str) -> datetime | None:
    """`dd/MM/yyyy HH:mm:ss` in the vendor's local time, as an aware datetime (blank: None)."""
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) == 19 and value[2] == "/" and value[5] == "/":
            return datetime(
                int(value[6:10]),
                int(value[3:5]),
                int(value[0:2]),
                int(value[11:13]),
                int(value[14:16]),
                int(value[17:19]),
                tzinfo=VENDOR_ZONE,
            )
        return datetime.fromisoformat(value).replace(tzinfo=VENDOR_ZONE)
    except ValueError:
        raise ReportParseError(f"Unreadable date {value[:30]!r}.") from None


def iter_rows(lines: Iterable[str], report_type: str) -> Iterator[list]:
    """Parse CSV lines into value lists in FIELDS order; raise ReportParseError on bad shape."""
    return _read(lines, report_type, _typed_row)


def iter_copy_rows(lines: Iterable[str], report_type: str) -> Iterator[tuple]:
    """iter_rows for COPY on PostgreSQL: the same rows and errors, as tuples, but a date in the
    gateway's own form (`dd/MM/yyyy HH:mm:ss`, on a day without a clock change) stays its text,
    which PostgreSQL reads as the vendor's local time under COPY_SETTINGS. Only other dates are
    read here, and each row is cut by item getters rather than a converter per column.
    """
    return _read(lines, report_type, _copy_row)


def _read(
    lines: Iterable[str], report_type: str, row_maker: Callable[[list[str | None]], Callable]
) -> Iterator:
    columns = COLUMNS[report_type]
    reader = csv.reader(lines, strict=True)
    build: Callable | None = None
    width = 0
    try:
        for record in reader:
            if not record or (not record[0].strip() and not "".join(record).strip()):
                continue  # a blank line
            if build is None:
                header = [normalise_header(cell) for cell in record]
                if set(header) & set(columns):
                    missing = [name for name in columns if name not in header]
                    if missing:
                        raise ReportParseError(
                            f"The {report_type} report lacks the column(s) {', '.join(missing)}."
                        )
                    build = row_maker([columns.get(name) for name in header])
                    width = len(header)
                    continue
                # No header: the documented column order (as the textconnect client assumes).
                build = row_maker(list(columns.values()))
                width = len(columns)
            if len(record) != width:
                raise ReportParseError(
                    f"Line {reader.line_num} has {len(record)} fields where the header has "
                    f"{width}: the report is malformed or truncated."
                )
            yield build(record)
    except csv.Error as exc:
        raise ReportParseError(f"Malformed CSV near line {reader.line_num}: {exc}.") from None


def _typed_row(fields: list[str | None]) -> Callable[[list[str]], list]:
    plan = _plan(fields)

    def build(record: list[str]) -> list:
        values: list = ["", "", "", "", "", None, None, None, "", None]
        for position, index, convert in plan:
            values[index] = convert(record[position])
        return values

    return build


_TEXT_FIELDS = FIELDS[:5]
_TEXT_LIMITS = tuple(_LIMITS[name] for name in _TEXT_FIELDS)
_VENDOR_FORM = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}")
# " HH" and ":MM:SS" of every valid time of day, as the gateway writes them.
_HOURS = frozenset(f" {hour:02d}" for hour in range(24))
_MINUTES_SECONDS = frozenset(
    f":{minute:02d}:{second:02d}" for minute in range(60) for second in range(60)
)
# The session settings under which PostgreSQL reads a date left as text as vendor_datetime would.
COPY_SETTINGS = {"datestyle": "ISO, DMY", "timezone": VENDOR_TIME_ZONE}


def _copy_row(fields: list[str | None]) -> Callable[[list[str]], tuple]:
    where = {field: position for position, field in enumerate(fields) if field is not None}
    dates = [where[name] for name in FIELDS[5:8] if name in where]
    if len(where) != len([f for f in fields if f is not None]) or dates != sorted(dates):
        # A column twice, or dates out of their usual order: read as iter_rows reads, so the
        # first bad value in the row is still the one named.
        typed = _typed_row(fields)
        return lambda record: tuple(typed(record))
    blank = len(fields)  # the index of the "" each record gets appended
    texts = itemgetter(*(where.get(name, blank) for name in _TEXT_FIELDS))
    moments = itemgetter(*(where.get(name, blank) for name in FIELDS[5:8]))
    body = where.get("body", blank)
    count = where.get("count")
    id_limit, user_limit, destination_limit, source_limit, status_limit = _TEXT_LIMITS
    date = _date_reader()

    def build(record: list[str]) -> tuple:
        record.append("")
        message_id, username, destination, source, status = texts(record)
        scheduled, sent, delivered = moments(record)
        return (
            message_id.strip()[:id_limit],
            username.strip()[:user_limit],
            destination.strip()[:destination_limit],
            source.strip()[:source_limit],
            status.strip()[:status_limit],
            date(scheduled),
            date(sent),
            date(delivered),
            _body(record[body]),
            None if count is None else _count(record[count]),
        )

    return build


def _date_reader() -> Callable[[str], str | datetime | None]:
    """A date cell as COPY should get it: its own text when PostgreSQL reads it as
    vendor_datetime does, else vendor_datetime's value. The days already found plain are
    remembered, so a day of the report is read once, not once per row; the time of day is
    checked against every valid " HH" and ":MM:SS"."""
    days: set[str] = set()

    def read(cell: str) -> str | datetime | None:
        if not cell:
            return None
        if cell[:10] in days and cell[10:13] in _HOURS and cell[13:] in _MINUTES_SECONDS:
            return cell
        value = vendor_datetime(cell)  # raises ReportParseError for an unreadable date
        if value is None or not _VENDOR_FORM.fullmatch(cell):
            return value
        if _plain_day(value):
            days.add(cell[:10])
            return cell
        return value

    return read


def _plain_day(moment: datetime) -> bool:
    """A day in the years of the zone's recorded rules whose offset does not change: each of its
    times is one moment, the same to PostgreSQL and to zoneinfo (at a clock change they choose
    differently for the repeated hour)."""
    if not 1972 <= moment.year <= 2037:
        return False
    start = moment.replace(hour=0, minute=0, second=0)
    return start.utcoffset() == moment.replace(hour=23, minute=59, second=59).utcoffset()


def _plan(fields: list[str | None]) -> list[tuple[int, int, Callable[[str], object]]]:
    """For each CSV column we keep: its position, its place in FIELDS and its converter."""
    plan = []
    for position, field in enumerate(fields):
        if field is None:
            continue
        if field in DATE_FIELDS:
            convert: Callable[[str], object] = vendor_datetime
        elif field == "count":
            convert = _count
        elif field == "body":
            convert = _body
        else:
            convert = _text(_LIMITS[field])
        plan.append((position, _INDEX[field], convert))
    return plan


def _text(limit: int) -> Callable[[str], str]:
    def convert(cell: str) -> str:
        return cell.strip()[:limit]

    return convert


def _body(cell: str) -> str:
    return cell.replace("\x00", "")


def _count(cell: str) -> int:
    count = cell.strip()
    if not count.isdigit():
        raise ReportParseError(f"The count {count[:20]!r} is not a number.")
    return int(count)


class Summary:
    """Figures for the charts, gathered while the rows stream past (nothing re-read)."""

    def __init__(self, report_type: str, tz: str) -> None:
        self.report_type = report_type
        self.zone = ZoneInfo(tz)
        self.by_status: dict[str, int] = {}
        self.days: dict[str, list[int]] = {}  # day -> [rows, delivered]

    def add(self, values: list) -> None:
        status = values[4]
        if self.report_type == ReportType.USAGE:
            self.by_status[status] = self.by_status.get(status, 0) + (values[9] or 0)
            return
        self.by_status[status] = self.by_status.get(status, 0) + 1
        moment = values[6] or values[5]
        if moment is None:
            return
        day = moment.astimezone(self.zone).date().isoformat()
        counts = self.days.setdefault(day, [0, 0])
        counts[0] += 1
        if status.lower() == "delivered":
            counts[1] += 1

    def as_dict(self) -> dict:
        return {
            "by_status": self.by_status,
            "days": dict(sorted(self.days.items())),
        }
