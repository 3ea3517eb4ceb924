"""Report downloads: the gateway's CSV (formula-safe), the filtered view as CSV, and XLSX."""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator

import xlsxwriter
from django.http import FileResponse, HttpRequest, StreamingHttpResponse

from accounts.csv_export import csv_response, export_audit, safe_cell

from .columns import columns_for, row_values
from .models import ReportSnapshot
from .selectors import RowQuery, ordered_rows

XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header


def _filename(snapshot: ReportSnapshot, suffix: str) -> str:
    return (
        f"{snapshot.report_type}-{snapshot.range_start:%Y%m%d}-{snapshot.range_end:%Y%m%d}{suffix}"
    )


def original_csv(snapshot: ReportSnapshot, request: HttpRequest) -> StreamingHttpResponse:
    """The gateway's CSV as it came, record by record, with every cell made formula-safe."""

    def records() -> Iterator[list[str]]:
        with snapshot.raw_file.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
            yield from csv.reader(text)

    rows = iter(records())
    header = next(rows, [])
    return csv_response(
        _filename(snapshot, ".csv"),
        [safe_cell(c) for c in header],
        rows,
        request=request,
        what=f"{snapshot.report_type} report",
    )


def _view_rows(snapshot: ReportSnapshot, query: RowQuery) -> Iterable[list]:
    columns = columns_for(snapshot.report_type)
    for row in ordered_rows(snapshot, query).iterator(chunk_size=5000):
        yield row_values(row, columns)


def view_csv(
    snapshot: ReportSnapshot, query: RowQuery, request: HttpRequest
) -> StreamingHttpResponse:
    header = [c.label for c in columns_for(snapshot.report_type)]
    return csv_response(
        _filename(snapshot, "-view.csv"),
        header,
        _view_rows(snapshot, query),
        request=request,
        what=f"{snapshot.report_type} report, filtered",
    )


def view_xlsx(snapshot: ReportSnapshot, query: RowQuery, request: HttpRequest) -> FileResponse:
    """The filtered view as a workbook, written in constant memory to a temporary file."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book = xlsxwriter.Workbook(
        spool, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(snapshot.report_type[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [c.label for c in columns_for(snapshot.report_type)], bold)
    written = 0
    for index, values in enumerate(_view_rows(snapshot, query), start=1):
        if index > XLSX_MAX_ROWS:
            break
        sheet.write_row(index, 0, [safe_cell(v) if isinstance(v, str) else v for v in values])
        written = index
    book.close()
    export_audit(
        request,
        f"{snapshot.report_type} report, filtered",
        _filename(snapshot, "-view.xlsx"),
        written,
    )
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=_filename(snapshot, "-view.xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
