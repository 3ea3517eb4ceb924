"""A streaming reader of the gateway's report CSV: typed rows from a file, one at a time.

The textconnect client parses a report in memory; a snapshot keeps the raw body as a file and
reads it back here, so a 1,000,000-row report is stored without holding it whole.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

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
    columns = COLUMNS[report_type]
    reader = csv.reader(lines, strict=True)
    plan: list[tuple[int, int, Callable[[str], object]]] | None = None
    width = 0
    try:
        for record in reader:
            if not record or (not record[0].strip() and not "".join(record).strip()):
                continue  # a blank line
            if plan is None:
                header = [normalise_header(cell) for cell in record]
                if set(header) & set(columns):
                    missing = [name for name in columns if name not in header]
                    if missing:
                        raise ReportParseError(
                            f"The {report_type} report lacks the column(s) {', '.join(missing)}."
                        )
                    plan = _plan([columns.get(name) for name in header])
                    width = len(header)
                    continue
                # No header: the documented column order (as the textconnect client assumes).
                plan = _plan(list(columns.values()))
                width = len(plan)
            if len(record) != width:
                raise ReportParseError(
                    f"Line {reader.line_num} has {len(record)} fields where the header has "
                    f"{width}: the report is malformed or truncated."
                )
            values: list = ["", "", "", "", "", None, None, None, "", None]
            for position, index, convert in plan:
                values[index] = convert(record[position])
            yield values
    except csv.Error as exc:
        raise ReportParseError(f"Malformed CSV near line {reader.line_num}: {exc}.") from None


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
        self._day_of: dict[datetime, str] = {}

    def add(self, values: list) -> None:
        status = values[4]
        if self.report_type == ReportType.USAGE:
            self.by_status[status] = self.by_status.get(status, 0) + (values[9] or 0)
            return
        self.by_status[status] = self.by_status.get(status, 0) + 1
        moment = values[6] or values[5]
        if moment is None:
            return
        hour = moment.replace(minute=0, second=0)
        day = self._day_of.get(hour)
        if day is None:
            day = self._day_of[hour] = moment.astimezone(self.zone).date().isoformat()
        counts = self.days.setdefault(day, [0, 0])
        counts[0] += 1
        if status.lower() == "delivered":
            counts[1] += 1

    def as_dict(self) -> dict:
        return {
            "by_status": self.by_status,
            "days": dict(sorted(self.days.items())),
        }
