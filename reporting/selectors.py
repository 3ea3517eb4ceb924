"""Reads for the report pages: a snapshot's rows, filtered and sorted, a page at a time."""

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import F, Q, QuerySet

from .columns import SORT_FIELDS
from .models import ReportRow, ReportSnapshot

PAGE_SIZE = 50
CURSOR_SALT = "reporting.rows.cursor"


@dataclass
class RowQuery:
    status: str = ""
    search: str = ""
    sort: str = "seq"
    descending: bool = False

    @classmethod
    def from_params(cls, params: dict) -> "RowQuery":
        sort = params.get("sort") or "seq"
        return cls(
            status=(params.get("status") or "").strip()[:40],
            search=(params.get("q") or "").strip()[:100],
            sort=sort if sort in SORT_FIELDS else "seq",
            descending=params.get("dir") == "desc",
        )


@dataclass
class RowPage:
    rows: list[ReportRow]
    next_cursor: str | None


def filtered_rows(snapshot: ReportSnapshot, query: RowQuery) -> QuerySet[ReportRow]:
    rows = ReportRow.objects.for_workspace(snapshot.workspace).filter(snapshot=snapshot)
    if query.status:
        rows = rows.filter(status=query.status)
    if query.search:
        rows = rows.filter(_search(snapshot, query.search))
    return rows


def _prefix(field: str, term: str) -> Q:
    """`field` starts with `term`, as a range the (snapshot, field, seq) index can answer."""
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    return Q(**{f"{field}__gte": term, f"{field}__lt": upper})


def _search(snapshot: ReportSnapshot, term: str) -> Q:
    """Numbers by prefix (the destination; for inbound, the sender), inbound text by content."""
    number = term.replace(" ", "").lstrip("+")
    if snapshot.report_type == "InboundMessages":
        match = Q(body__icontains=term)
        return match | _prefix("source", number) if number else match
    return _prefix("destination", number or term)


def ordered_rows(snapshot: ReportSnapshot, query: RowQuery) -> QuerySet[ReportRow]:
    rows = filtered_rows(snapshot, query)
    field = F(query.sort)
    if query.sort == "seq":
        return rows.order_by("-seq" if query.descending else "seq")
    if query.descending:
        return rows.order_by(field.desc(nulls_first=True), "-seq")
    return rows.order_by(field.asc(nulls_last=True), "seq")


def encode_cursor(row: ReportRow, sort: str) -> str:
    value = getattr(row, sort)
    if isinstance(value, datetime):
        value = value.isoformat()
    return signing.dumps([value, row.seq], salt=CURSOR_SALT, compress=True)


def decode_cursor(cursor: str | None, sort: str) -> tuple[object, int] | None:
    if not cursor:
        return None
    try:
        value, seq = signing.loads(cursor, salt=CURSOR_SALT)
        if sort == "sent_at" and value is not None:
            value = datetime.fromisoformat(value)
        return value, int(seq)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def _after(query: RowQuery, value: object, seq: int) -> Q:
    """Rows after (value, seq) in the page order (NULLs last ascending, first descending)."""
    name = query.sort
    if name == "seq":
        return Q(seq__lt=seq) if query.descending else Q(seq__gt=seq)
    if query.descending:
        if value is None:
            return Q(**{f"{name}__isnull": True, "seq__lt": seq}) | Q(**{f"{name}__isnull": False})
        return Q(**{f"{name}__lt": value}) | Q(**{name: value, "seq__lt": seq})
    if value is None:
        return Q(**{f"{name}__isnull": True, "seq__gt": seq})
    return (
        Q(**{f"{name}__gt": value})
        | Q(**{name: value, "seq__gt": seq})
        | Q(**{f"{name}__isnull": True})
    )


def snapshot_rows(
    snapshot: ReportSnapshot, query: RowQuery, cursor: str | None, size: int = PAGE_SIZE
) -> RowPage:
    """One page of rows after the signed cursor (keyset: the sort value and the row's seq)."""
    rows = ordered_rows(snapshot, query)
    after = decode_cursor(cursor, query.sort)
    if after is not None:
        rows = rows.filter(_after(query, *after))
    page = list(rows[: size + 1])
    more = len(page) > size
    page = page[:size]
    return RowPage(rows=page, next_cursor=encode_cursor(page[-1], query.sort) if more else None)
