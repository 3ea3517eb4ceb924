"""Writing a snapshot's rows: COPY on PostgreSQL, batched bulk_create elsewhere."""

from collections.abc import Iterable, Iterator, Sequence

from django.conf import settings
from django.db import connection, transaction

from ..csvparse import COPY_SETTINGS, FIELDS
from ..models import ReportRow, ReportSnapshot, ReportType

COPY_COLUMNS = ("workspace_id", "snapshot_id", "seq", *FIELDS)


def rows_store(*, snapshot: ReportSnapshot, rows: Iterable[Sequence]) -> int:
    """Replace the snapshot's rows with `rows` (values in FIELDS order); the row count.

    On PostgreSQL a date may be the vendor's text (csvparse.iter_copy_rows): COPY reads it under
    COPY_SETTINGS. Call inside a transaction so a failure part-way leaves the previous rows in
    place.
    """
    ReportRow.objects.filter(workspace_id=snapshot.workspace_id, snapshot=snapshot).delete()
    numbered = _numbered(snapshot, rows)
    if connection.vendor == "postgresql":
        return _copy(numbered)
    return _bulk_create(numbered)


def _numbered(snapshot: ReportSnapshot, rows: Iterable[Sequence]) -> Iterator[tuple]:
    limit = settings.REPORTING_MAX_ROWS
    workspace_id, snapshot_id = snapshot.workspace_id, snapshot.pk
    for seq, values in enumerate(rows, start=1):
        if seq > limit:
            raise RowLimitExceeded(
                f"The report has more than {limit:,} rows, the most a snapshot keeps. "
                "Request a shorter range."
            )
        yield (workspace_id, snapshot_id, seq, *values)


class RowLimitExceeded(Exception):
    """The report is larger than REPORTING_MAX_ROWS."""


def _copy(rows: Iterator[tuple]) -> int:
    count = 0
    sql = f"COPY reporting_reportrow ({', '.join(COPY_COLUMNS)}) FROM STDIN"  # noqa: S608
    names = list(COPY_SETTINGS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in names))
        before = cursor.fetchone()
        _settings(cursor, dict(zip(names, COPY_SETTINGS.values(), strict=True)))
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        _settings(cursor, dict(zip(names, before, strict=True)))
    return count


def _settings(cursor: object, values: dict[str, str]) -> None:
    """Set session settings for the rest of the transaction (set_config's is_local)."""
    sql = "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in values)
    cursor.execute(sql, [item for pair in values.items() for item in pair])  # type: ignore[attr-defined]


def rows_summary(snapshot: ReportSnapshot) -> dict:
    """The chart figures of the stored rows (PostgreSQL): what csvparse.Summary gathers while
    parsing, from one aggregate over the rows instead of a step per row in Python."""
    sql = (
        "SELECT status, (coalesce(sent_at, scheduled_at) AT TIME ZONE %s)::date, count(*), "
        "coalesce(sum(count), 0) FROM reporting_reportrow "
        "WHERE workspace_id = %s AND snapshot_id = %s GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [snapshot.workspace.time_zone, snapshot.workspace_id, snapshot.pk])
        groups = cursor.fetchall()
    by_status: dict[str, int] = {}
    days: dict[str, list[int]] = {}
    usage = snapshot.report_type == ReportType.USAGE
    for status, day, rows, total in groups:
        by_status[status] = by_status.get(status, 0) + (total if usage else rows)
        if usage or day is None:
            continue
        counts = days.setdefault(day.isoformat(), [0, 0])
        counts[0] += rows
        if status.lower() == "delivered":
            counts[1] += rows
    return {"by_status": by_status, "days": dict(sorted(days.items()))}


def _bulk_create(rows: Iterator[tuple]) -> int:
    batch: list[ReportRow] = []
    count = 0
    for row in rows:
        batch.append(ReportRow(**dict(zip(COPY_COLUMNS, row, strict=True))))
        if len(batch) >= 2000:
            ReportRow.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    ReportRow.objects.bulk_create(batch)
    return count + len(batch)
