"""Each report type's CSV, as the gateway documents it, read into typed rows; bad bodies fail
clearly and keep the raw answer."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from reporting.columns import COLUMNS, SORT_FIELDS
from reporting.csvparse import ReportParseError, iter_rows, vendor_datetime
from reporting.models import ReportRow
from reporting.selectors import RowQuery
from textconnect.parsing import parse_report

from .conftest import HEADER, messages_csv

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def rows(text: str, report_type: str) -> list[list]:
    return list(iter_rows(text.splitlines(keepends=True), report_type))


def test_messages_rows_have_the_documented_columns_and_uk_dates():
    text = HEADER + '"101","acme","447700900123","Acme","Delivered","","15/07/2026 09:30:00",""\n'
    [row] = rows(text, "Messages")
    assert row[:5] == ["101", "acme", "447700900123", "Acme", "Delivered"]
    assert row[5] is None and row[7] is None
    assert row[6] == datetime(2026, 7, 15, 9, 30, tzinfo=LONDON)
    assert row[6].utcoffset().total_seconds() == 3600  # BST


def test_outbox_has_no_source_column():
    text = (
        '"MessageID","Username","Destination","Status","Schedule Date","Sent Date",'
        '"Delivery Date"\n"7","acme","447700900123","Pending","01/12/2026 08:00:00","",""\n'
    )
    [row] = rows(text, "Outbox")
    assert row[0] == "7" and row[3] == "" and row[4] == "Pending"
    assert row[5] == datetime(2026, 12, 1, 8, 0, tzinfo=LONDON)


def test_usage_rows_are_counts_per_status():
    text = '"Status","Messages"\n"Delivered","12"\n"Failed","3"\n'
    assert [(r[4], r[9]) for r in rows(text, "Usage")] == [("Delivered", 12), ("Failed", 3)]


def test_inbound_bodies_keep_commas_quotes_and_line_breaks():
    text = (
        '"MessageID","From","Number","Message","Received Date","Status"\n'
        '"9","447700900111","447700900999","Yes, ""please"" call\nme","02/01/2026 12:00:00",'
        '"Received"\n'
    )
    [row] = rows(text, "InboundMessages")
    assert row[8] == 'Yes, "please" call\nme'
    assert (row[3], row[2]) == ("447700900111", "447700900999")


def test_failed_messages_read_like_messages():
    text = HEADER + '"5","acme","447700900002","Acme","Failed","","01/01/2026 10:00:00",""\n'
    assert rows(text, "FailedMessages")[0][4] == "Failed"


def test_an_empty_report_has_no_rows(make_snapshot):
    assert rows("", "Messages") == []
    snapshot = make_snapshot(HEADER)
    assert snapshot.state == "ready" and snapshot.row_count == 0


def test_a_header_less_body_is_read_in_the_documented_order():
    text = '"Delivered","4"\n'
    assert rows(text, "Usage")[0][9] == 4


def test_a_row_with_missing_fields_is_refused():
    with pytest.raises(ReportParseError, match="Line 2 has 3 fields"):
        rows(HEADER + '"1","acme","447700900123"\n', "Messages")


def test_an_unterminated_quote_is_refused():
    with pytest.raises(ReportParseError, match="Malformed CSV"):
        rows(HEADER + '"1","acme","4477\n', "Messages")


def test_a_missing_column_is_named():
    with pytest.raises(ReportParseError, match="deliverydate"):
        rows('"MessageID","Username","Destination","Source","Status","Schedule Date","Sent Date"\n',
             "Messages")  # fmt: skip


def test_an_unreadable_date_is_refused():
    with pytest.raises(ReportParseError, match="Unreadable date"):
        rows(HEADER + '"1","a","4477","Acme","Sent","","tomorrow",""\n', "Messages")


def test_a_truncated_body_fails_the_snapshot_and_keeps_the_raw_answer(make_snapshot):
    body = messages_csv(3)[:-20]
    snapshot = make_snapshot(body)
    assert snapshot.state == "failed"
    assert "truncated" in snapshot.error_text and "kept for support" in snapshot.error_text
    assert snapshot.raw_file.read().decode() == body
    assert not ReportRow.objects.filter(snapshot=snapshot).exists()


def test_a_malformed_body_fails_with_its_line(make_snapshot):
    snapshot = make_snapshot(HEADER + '"1","acme"\n')
    assert snapshot.state == "failed" and "Line 2" in snapshot.error_text


def test_stored_rows_are_typed_and_the_summary_counts_statuses(make_snapshot):
    snapshot = make_snapshot(messages_csv(4) + '"99","acme","4477","Acme","Failed","","",""\n')
    assert snapshot.state == "ready", snapshot.error_text
    assert snapshot.row_count == 5
    assert snapshot.summary["by_status"] == {"Delivered": 4, "Failed": 1}
    assert snapshot.summary["days"] == {"2026-01-01": [4, 4]}
    first = ReportRow.objects.get(snapshot=snapshot, seq=1)
    assert first.destination == "447700900001" and first.sent_at.year == 2026


def test_a_bad_refresh_drops_the_rows_of_the_answer_it_replaced(make_snapshot):
    from django.utils import timezone

    from reporting.services.snapshots import snapshot_store_body

    snapshot = make_snapshot(messages_csv(2))
    snapshot_store_body(snapshot=snapshot, body=messages_csv(2)[:-5], fetched_at=timezone.now())
    snapshot.refresh_from_db()
    assert (snapshot.state, snapshot.row_count, snapshot.fetched_at) == ("failed", 0, None)
    assert not ReportRow.objects.filter(snapshot=snapshot).exists()
    assert len(list(snapshot.raw_file.storage.listdir(f"reports/{snapshot.workspace_id}")[1])) == 1


def test_every_sortable_column_is_a_sort_the_table_accepts():
    """A column offered as sortable but not accepted would quietly sort by gateway order."""
    for report_type, columns in COLUMNS.items():
        for column in columns:
            if column.sortable:
                assert column.field in SORT_FIELDS, (report_type, column.field)
    assert RowQuery.from_params({"sort": "source"}).sort == "seq"


# One documented row per report type, in the vendor's column order, without a header row.
HEADERLESS = {
    "Messages": '"11","acme","447700900123","Acme","Delivered","","01/02/2026 10:00:00",""',
    "FailedMessages": '"12","acme","447700900002","Acme","Failed","","01/02/2026 10:00:00",""',
    "Outbox": '"13","acme","447700900123","Pending","01/02/2026 10:00:00","",""',
    "Usage": '"Delivered","4"',
    "InboundMessages": '"14","447700900111","447700900999","Hi","01/02/2026 10:00:00","Received"',
}


@pytest.mark.parametrize("report_type", sorted(HEADERLESS))
def test_streaming_reader_reads_a_headerless_report_as_the_client_does(report_type):
    [ours] = rows(HEADERLESS[report_type] + "\n", report_type)
    [client] = parse_report(HEADERLESS[report_type] + "\n", report_type)
    if report_type == "Usage":
        assert (ours[4], ours[9]) == (client.status.word, client.messages)
    elif report_type == "InboundMessages":
        assert [ours[0], ours[3], ours[2], ours[8], ours[6]] == [
            client.message_id,
            client.from_number,
            client.number,
            client.message,
            client.received_date,
        ]
    else:
        assert [ours[0], ours[2], ours[4], ours[5], ours[6]] == [
            client.message_id,
            client.destination,
            client.status.word,
            client.schedule_date,
            client.sent_date,
        ]


def stored(snapshot) -> list[ReportRow]:
    return list(ReportRow.objects.filter(snapshot=snapshot).order_by("seq"))


def test_dates_at_the_clock_changes_are_stored_as_the_vendor_datetime_reads_them(make_snapshot):
    """PostgreSQL reads the repeated hour of October as GMT and zoneinfo as BST: such days are
    read in Python, so the stored moment is the one vendor_datetime gives."""
    cells = ["25/10/2026 01:30:00", "29/03/2026 01:30:00", "25/10/2026 00:30:00"]
    text = HEADER + "".join(
        f'"{i}","acme","4477009000{i}","Acme","Sent","","{cell}",""\n'
        for i, cell in enumerate(cells)
    )
    snapshot = make_snapshot(text)
    assert snapshot.state == "ready", snapshot.error_text
    utc = ZoneInfo("UTC")
    assert [row.sent_at.astimezone(utc) for row in stored(snapshot)] == [
        datetime(2026, 10, 25, 0, 30, tzinfo=utc),  # BST: the first 01:30
        datetime(2026, 3, 29, 1, 30, tzinfo=utc),
        datetime(2026, 10, 24, 23, 30, tzinfo=utc),
    ]
    assert [row.sent_at.astimezone(utc) for row in stored(snapshot)] == [
        vendor_datetime(cell).astimezone(utc) for cell in cells
    ]


def test_stored_values_are_those_iter_rows_reads(make_snapshot):
    """COPY gets the gateway's dates as text and the rest cut by item getters; what is stored is
    still what iter_rows types: stripped and shortened texts, dates in other forms, blanks."""
    long_id = "9" * 50
    text = (
        '"Status","MessageID","Username","Destination","Source","Schedule Date","Sent Date",'
        '"Delivery Date","Extra"\n'
        f'" Delivered ","{long_id}"," acme ","447700900001 ","Acme","","2026-07-15 09:30:00",'
        '" 15/07/2026 09:30:04 ","x"\n'
        '"Sent","2","acme","447700900002","Acme","01/01/2027 00:00:00","31/12/2026 23:59:59",'
        '"","y"\n'
    )
    snapshot = make_snapshot(text)
    assert snapshot.state == "ready", snapshot.error_text
    expected = rows(text, "Messages")
    columns = ["message_id", "username", "destination", "source", "status", "scheduled_at",
               "sent_at", "delivered_at", "body", "count"]  # fmt: skip
    assert [[getattr(row, c) for c in columns] for row in stored(snapshot)] == expected
    assert stored(snapshot)[0].message_id == "9" * 40


def test_an_unreadable_date_fails_the_snapshot_with_its_value(make_snapshot):
    snapshot = make_snapshot(
        messages_csv(2) + '"3","a","4477","Acme","Sent","","31/02/2026 10:00:00",""\n'
    )
    assert snapshot.state == "failed"
    assert "Unreadable date '31/02/2026 10:00:00'" in snapshot.error_text


def test_each_row_counts_on_its_own_day_in_a_half_hour_time_zone(make_snapshot, workspace):
    """Two sends within one UK hour can fall either side of midnight in Kolkata (UTC+5:30)."""
    workspace.time_zone = "Asia/Kolkata"
    workspace.save(update_fields=["time_zone"])
    text = HEADER + (
        '"1","acme","447700900001","Acme","Delivered","","01/01/2026 18:10:00",""\n'
        '"2","acme","447700900002","Acme","Delivered","","01/01/2026 18:40:00",""\n'
    )
    snapshot = make_snapshot(text)
    assert snapshot.summary["days"] == {"2026-01-01": [1, 1], "2026-01-02": [1, 1]}


@pytest.mark.parametrize("report_type", sorted(HEADERLESS))
def test_every_report_type_is_stored_as_iter_rows_reads_it(report_type, make_snapshot):
    text = HEADERLESS[report_type] + "\n"
    snapshot = make_snapshot(text, report_type=report_type)
    assert snapshot.state == "ready", snapshot.error_text
    columns = ["message_id", "username", "destination", "source", "status", "scheduled_at",
               "sent_at", "delivered_at", "body", "count"]  # fmt: skip
    assert [[getattr(row, c) for c in columns] for row in stored(snapshot)] == rows(
        text, report_type
    )
