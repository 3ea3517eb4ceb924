"""Streamed CSV downloads that spreadsheets cannot execute (formula-injection safe)."""

import csv
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse

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


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """Stream rows as CSV; every cell goes through safe_cell."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
