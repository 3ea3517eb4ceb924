"""Reading uploaded CSV files: encoding and delimiter detection, and a streamed record reader.

Nothing here reads a whole file: detection looks at the first `SAMPLE_BYTES`, and `records()`
decodes and parses through a small buffer, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

from django.utils.translation import gettext as _

from accounts.csv_export import safe_cell

SAMPLE_BYTES = 64 * 1024
PREVIEW_RECORDS = 10
DELIMITERS = (",", ";", "\t", "|")
MAX_FIELD_CHARS = 100_000  # a longer cell is a broken file, not a contact
MAX_COLUMNS = 100

csv.field_size_limit(MAX_FIELD_CHARS)


class UnreadableFile(ValueError):
    """A file that is not CSV text, with a message fit for the upload page."""


class Record(NamedTuple):
    """One CSV record: the file line it starts on, the line it ends on, and its cells.

    (A named tuple: made once per row of a file, it costs a third of a frozen dataclass.)
    """

    line: int
    end_line: int
    fields: list[str]
    error: str = ""


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM, or by its zero bytes), else Windows-1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4 and sample.count(0) > len(sample) // 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > 2 * even:
            return "utf-16-le"
        if even > 2 * odd:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode_sample(sample: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)


def check_text(sample: bytes, encoding: str) -> str:
    """The decoded sample; UnreadableFile for an empty or binary file."""
    if not sample:
        raise UnreadableFile("The file is empty.")
    if sample.startswith(b"PK\x03\x04") or sample.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            "This is a spreadsheet workbook, not CSV. Save it as “CSV (comma delimited)” first."
        )
    text = decode_sample(sample, encoding)
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise UnreadableFile("This file is not text (it looks binary). Upload a CSV file.")
    if not text.strip():
        raise UnreadableFile("The file is empty.")
    return text


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, and most even, columns."""
    lines = text.splitlines()[:20]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut short
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def text_stream(raw: BinaryIO, encoding: str) -> io.TextIOWrapper:
    """Decode as it reads; undecodable bytes become U+FFFD rather than stopping the import."""
    return io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")


class LineTooLong(Exception):
    """A physical line over MAX_FIELD_CHARS, read to its end and dropped."""


class _LineCounter:
    """Feeds the csv module line by line and counts physical lines (for `N : reason`).

    A line over the limit is read to its end and never given to the csv module (whose pieces
    would otherwise parse as rows of their own); LineTooLong ends the record it was part of.
    """

    def __init__(self, text: io.TextIOBase) -> None:
        self.text = text
        self.lines = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_FIELD_CHARS + 1)
        if not line:
            raise StopIteration
        self.lines += 1
        if len(line) > MAX_FIELD_CHARS and not line.endswith(("\n", "\r")):
            while (rest := self.text.readline(MAX_FIELD_CHARS + 1)) and not rest.endswith(
                ("\n", "\r")
            ):
                pass
            raise LineTooLong
        return line


def records(text: io.TextIOBase, delimiter: str, skip: int = 0) -> Iterator[Record]:
    """Every CSV record with its line numbers; a record the csv module refuses is an error record.

    `skip` records are read and dropped (resuming a job).
    """
    counter = _LineCounter(text)
    reader = csv.reader(counter, delimiter=delimiter, strict=False)
    index = 0
    start = 1
    while True:
        try:
            fields = next(reader)
            error = ""
        except StopIteration:
            return
        except LineTooLong:  # the csv module starts afresh at the next line
            fields, error = (
                [],
                _("Line longer than %(limit)s characters") % {"limit": f"{MAX_FIELD_CHARS:,}"},
            )
        except csv.Error as exc:
            fields, error = [], f"Unreadable row ({exc})"
        index += 1
        end = max(counter.lines, start)
        if index > skip:
            if error == "" and len(fields) > MAX_COLUMNS:
                error = f"Too many columns ({len(fields)}; at most {MAX_COLUMNS})"
                fields = fields[:MAX_COLUMNS]
            yield Record(start, end, fields, error)
        start = end + 1


def unguard(cell: str) -> str:
    """A cell without the quote that an export's formula guard (`safe_cell`) put before it.

    Only a quote the guard would have added goes: one before `=`, `+`, `-`, `@` and the like.
    Any other leading quote (`'Tis`) is part of the value.
    """
    if cell[:1] == "'" and safe_cell(cell[1:]) != cell[1:]:
        return cell[1:]
    return cell


def head_records(
    sample: bytes, encoding: str, delimiter: str, limit: int = PREVIEW_RECORDS
) -> list[Record]:
    """The first records of a file's first bytes, read as the whole file will be."""
    found = []
    for record in records(io.StringIO(decode_sample(sample, encoding), newline=""), delimiter):
        found.append(record)
        if len(found) > limit:
            return found[:limit]  # a record follows, so these are whole
    if len(sample) >= SAMPLE_BYTES and len(found) > 1:
        found = found[:-1]  # the sample's end may cut the last one short
    return found


def preview(sample: bytes) -> tuple[str, str, list[list[str]]]:
    """Encoding, delimiter and the first rows of a file's first bytes."""
    encoding = detect_encoding(sample)
    text = check_text(sample, encoding)
    delimiter = detect_delimiter(text)
    rows = [record.fields for record in head_records(sample, encoding, delimiter)]
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise UnreadableFile("The file is empty.")
    return encoding, delimiter, rows
