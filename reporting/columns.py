"""Which ReportRow columns each report type shows, under the gateway's own column names."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .models import ReportRow, ReportType


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    sortable: bool = False
    wide: bool = False


_MESSAGE = [
    Column("message_id", "MessageID"),
    Column("username", "Username"),
    Column("destination", "Destination", sortable=True),
    Column("source", "Source"),
    Column("status", "Status", sortable=True),
    Column("scheduled_at", "Schedule Date"),
    Column("sent_at", "Sent Date", sortable=True),
    Column("delivered_at", "Delivery Date"),
]
COLUMNS: dict[str, list[Column]] = {
    ReportType.MESSAGES: _MESSAGE,
    ReportType.FAILED: _MESSAGE,
    ReportType.OUTBOX: [c for c in _MESSAGE if c.field != "source"],
    ReportType.USAGE: [Column("status", "Status", sortable=True), Column("count", "Messages")],
    ReportType.INBOUND: [
        Column("message_id", "MessageID"),
        Column("source", "From"),
        Column("destination", "Number", sortable=True),
        Column("body", "Message", wide=True),
        Column("sent_at", "Received Date", sortable=True),
        Column("status", "Status", sortable=True),
    ],
}
# The sort keys a table accepts; each has an index starting (snapshot, field, seq).
SORT_FIELDS = ("seq", "status", "destination", "sent_at")


def columns_for(report_type: str) -> list[Column]:
    return COLUMNS[report_type]


def row_values(row: ReportRow, columns: list[Column]) -> list:
    """A row's cells in column order; dates as the gateway writes them (UK local time)."""
    return [_cell(getattr(row, c.field)) for c in columns]


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        from textconnect.parsing import VENDOR_ZONE

        return value.astimezone(VENDOR_ZONE).strftime("%d/%m/%Y %H:%M:%S")
    return "" if value is None else value


def table_cells(row: ReportRow, columns: list[Column], zone: ZoneInfo) -> list[tuple[str, str]]:
    """A row's cells for the page: (text, css class); dates in the workspace's time zone."""
    cells = []
    for column in columns:
        value = getattr(row, column.field)
        if isinstance(value, datetime):
            cells.append((f"{value.astimezone(zone):%d %b %Y %H:%M:%S}", "nowrap"))
        elif value is None:
            cells.append(("", ""))
        elif column.field == "count":
            cells.append(("" if value is None else str(value), "num"))
        elif column.wide:
            text = value if len(value) <= 160 else value[:159] + "…"
            cells.append((text, "body-cell"))
        else:
            cells.append((value, "nowrap" if column.field != "username" else ""))
    return cells
