"""Reading uploaded files: encodings, delimiters, quoting, and files that are not CSV."""

import codecs
import io

import pytest

from contacts import csvread

ROWS = "name,number\nZoë Brontë,07700 900123\nRené,07700 900124\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROWS.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ROWS.encode("utf-8"), "utf-8-sig"),
        (ROWS.encode("utf-16"), "utf-16"),
        (ROWS.encode("utf-16-le"), "utf-16-le"),
        (ROWS.encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le-no-bom", "windows-1252"],
)
def test_it_detects_the_encoding_and_reads_the_names(data, encoding):
    detected, delimiter, rows = csvread.preview(data)
    assert (detected, delimiter) == (encoding, ",")
    assert rows[1] == ["Zoë Brontë", "07700 900123"]


def test_a_bom_never_sticks_to_the_first_header():
    _, _, rows = csvread.preview(codecs.BOM_UTF8 + b"name,number\nA,1\n")
    assert rows[0] == ["name", "number"]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_it_detects_the_delimiter(delimiter):
    text = f"name{delimiter}number{delimiter}group\nAnn{delimiter}0770{delimiter}A, B\n"
    assert csvread.preview(text.encode())[1] == delimiter


def test_quoted_commas_and_newlines_stay_in_their_field_and_lines_are_counted():
    text = 'name,number\n"Smith, John",07700900123\n"Two\nlines",07700900124\nLast,07700900125\n'
    found = list(csvread.records(io.StringIO(text, newline=""), ","))
    assert [(r.line, r.fields[0]) for r in found] == [
        (1, "name"), (2, "Smith, John"), (3, "Two\nlines"), (5, "Last"),
    ]  # fmt: skip


def test_a_row_of_400_columns_is_an_error_record():
    line = ",".join(["x"] * 400)
    (record,) = csvread.records(io.StringIO(line), ",")
    assert record.error == "Too many columns (400; at most 100)"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (bytes(range(256)) * 20, "This file is not text"),
        (b"PK\x03\x04" + b"\x00" * 100, "spreadsheet workbook"),
    ],
    ids=["empty", "blank-lines", "binary", "xlsx"],
)
def test_files_that_are_not_csv_get_a_clear_message(data, message):
    with pytest.raises(csvread.UnreadableFile, match=message):
        csvread.preview(data)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_an_overlong_line_is_one_error_record_and_the_lines_after_it_keep_their_numbers(ending):
    long = "z" * (csvread.MAX_FIELD_CHARS * 2 + 7)
    text = io.StringIO(ending.join(["a,1", long, '"b', 'c",2', "d,3"]) + ending, newline="")
    found = [(r.line, r.end_line, r.fields, bool(r.error)) for r in csvread.records(text, ",")]
    assert found == [
        (1, 1, ["a", "1"], False),
        (2, 2, [], True),
        (3, 4, ["b" + ending + "c", "2"], False),
        (5, 5, ["d", "3"], False),
    ]
