"""Streamed CSV downloads that spreadsheets cannot execute (formula-injection safe)."""

import csv
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARACTERS = frozenset("=+-@")


def safe_cell(value: Any) -> str:
    """Neutralise a cell a spreadsheet would read as a formula by prefixing a quote.

    Spreadsheets skip leading white space (a line feed too) and read compatibility forms such as
    the full-width ＝ as their plain character, so the first visible character is what counts.
    """
    text = "" if value is None else str(value)
    visible = unicodedata.normalize("NFKC", text.lstrip()[:1])[:1]
    if text.startswith(FORMULA_PREFIXES) or visible in FORMULA_CHARACTERS:
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_audit(request: HttpRequest, what: str, filename: str, rows: int, **detail: Any) -> None:
    """Every download of workspace data is in the audit log: who, what, and how many rows."""
    from .audit import audit_record

    audit_record(
        "export_downloaded", request=request, what=what, file=filename, rows=rows, **detail
    )


def csv_response(
    filename: str,
    header: list[str],
    rows: Iterable[Iterable[Any]],
    *,
    request: HttpRequest,
    what: str,
) -> StreamingHttpResponse:
    """Stream rows as CSV; every cell goes through safe_cell. When the last row has gone, the
    download is audited with the number of rows it held (`what` names the data)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield writer.writerow(header)
        count = 0
        for row in rows:
            count += 1
            yield writer.writerow([safe_cell(cell) for cell in row])
        export_audit(request, what, filename, count)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
