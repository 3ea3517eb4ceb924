"""Writing a snapshot's rows: COPY on PostgreSQL, batched bulk_create elsewhere."""

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import connection

from ..csvparse import FIELDS
from ..models import ReportRow, ReportSnapshot

COPY_COLUMNS = ("workspace_id", "snapshot_id", "seq", *FIELDS)


def rows_store(*, snapshot: ReportSnapshot, rows: Iterable[list]) -> int:
    """Replace the snapshot's rows with `rows` (value lists in FIELDS order); the row count.

    Call inside a transaction so a failure part-way leaves the previous rows in place.
    """
    ReportRow.objects.filter(workspace_id=snapshot.workspace_id, snapshot=snapshot).delete()
    numbered = _numbered(snapshot, rows)
    if connection.vendor == "postgresql":
        return _copy(numbered)
    return _bulk_create(numbered)


def _numbered(snapshot: ReportSnapshot, rows: Iterable[list]) -> Iterator[tuple]:
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
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


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
