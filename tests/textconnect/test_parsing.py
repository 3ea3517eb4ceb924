"""Parsers of the gateway's answers, on the shapes the vendor and the spec describe."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from textconnect import (
    BackgroundSendNotFinished,
    ErrorCreatingUser,
    InboundRow,
    MessageRow,
    NotEnoughCredits,
    NumberBlacklisted,
    OutboxRow,
    RawRow,
    SendResult,
    TransportError,
    UnknownBackgroundSendID,
    UnknownUsernamePassword,
    UsageRow,
)
from textconnect.parsing import (
    parse_background,
    parse_credits,
    parse_ids,
    parse_import,
    parse_ok,
    parse_report,
    parse_send,
    parse_status,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234", "1234"), ("1234.5\n", "1234.5"), ("0\r\n", "0"), ("17.25", "17.25")],
)
def test_credits_accept_decimals_and_line_ends(text, expected):
    assert parse_credits(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "lots", "12 credits", "1,234"])
def test_credits_refuse_anything_but_a_number(text):
    with pytest.raises(TransportError):
        parse_credits(text)


def test_error_with_show_error_message_line_keeps_vendor_text():
    with pytest.raises(UnknownUsernamePassword) as caught:
        parse_credits("-501\r\nUnknown Username/Password\r\n")
    assert caught.value.code == -501
    assert caught.value.text == "Unknown Username/Password"


def test_bare_error_code_gets_table_text():
    with pytest.raises(UnknownUsernamePassword) as caught:
        parse_ok("-501", "DeleteGroup")
    assert caught.value.text == "Unknown Username/Password"


def test_create_user_multiline_error_is_kept_whole():
    text = "-508\nError Creating User\nUsername taken\nEmail missing\n"
    with pytest.raises(ErrorCreatingUser) as caught:
        parse_ok(text, "CreateUser")
    assert caught.value.text == "Error Creating User\nUsername taken\nEmail missing"


def test_status_keeps_unfamiliar_word_and_is_not_final():
    status = parse_status("Queued_At_Carrier\n")
    assert status.word == "Queued_At_Carrier"
    assert status.known is None
    assert not status.is_final


@pytest.mark.parametrize(
    ("word", "final"),
    [
        ("Pending", False),
        ("Sent", False),
        ("Unknown", False),
        ("Delivered", True),
        ("Undeliverable", True),
        ("Expired", True),
        ("Failed", True),
        ("Command_Rejected", True),
        ("Command_Failed", True),
    ],
)
def test_status_finality_follows_the_spec(word, final):
    assert parse_status(word).is_final is final


def test_send_maps_ids_and_codes_to_destinations_in_order():
    results = parse_send("101,-412,103\n", ["447700900001", "447700900009", "447700900003"])
    assert [r.message_ids for r in results] == [["101"], [], ["103"]]
    assert isinstance(results[1].error, NumberBlacklisted)
    assert [r.ok for r in results] == [True, False, True]


def test_send_single_per_destination_code_is_a_result_not_an_exception():
    [result] = parse_send("-412", ["447700900009"])
    assert isinstance(result.error, NumberBlacklisted)


def test_send_to_one_number_is_a_message_id_result_never_a_success_flag():
    assert parse_send("3509592", ["447700900001"]) == [SendResult("447700900001", ["3509592"])]


def test_send_to_one_refused_number_keeps_the_text_shown_beneath_its_code():
    [result] = parse_send("-412\nNumber is blacklisted\n", ["447700900009"])
    assert (result.message_ids, result.error.code, result.error.text) == (
        [],
        -412,
        "Number is blacklisted",
    )


def test_send_single_code_for_many_destinations_fails_the_call():
    with pytest.raises(NotEnoughCredits):
        parse_send("-100\nNot Enough Credits", ["447700900001", "447700900002"])


def test_send_call_level_code_for_one_destination_fails_the_call():
    with pytest.raises(UnknownUsernamePassword):
        parse_send("-501\nUnknown Username/Password", ["447700900001"])


def test_send_all_part_ids_as_consecutive_places():
    results = parse_send("1,2,3,-401,7,8,9", ["44a", "bad", "44c"], parts=3)
    assert [r.message_ids for r in results] == [["1", "2", "3"], [], ["7", "8", "9"]]


def test_send_all_part_ids_joined_inside_one_place():
    results = parse_send("1|2,3|4", ["44a", "44b"], parts=2)
    assert [r.message_ids for r in results] == [["1", "2"], ["3", "4"]]


@pytest.mark.parametrize("text", ["1,2", "1,2,3,4", "", "OK", "<html>"])
def test_send_answer_of_wrong_shape_is_a_transport_error(text):
    with pytest.raises(TransportError):
        parse_send(text, ["44a", "44b", "44c"])


def test_send_pairs_error_texts_with_error_places():
    results = parse_send("-401,5,-412\nInvalid number\nBlacklisted", ["x", "44b", "44c"])
    assert [r.error.text for r in results if r.error] == ["Invalid number", "Blacklisted"]


def test_background_send_ids_are_a_comma_list():
    assert parse_ids("12,13\n", "Send") == ["12", "13"]


def test_import_results_with_reasons_after_blank_line():
    text = (
        "1 : Success\n2 : Success\n3 : Success\n4 : Failed\n5 : Failed\n\n"
        "4 : No name\n5 : Invalid number (mynumber)\n"
    )
    results = parse_import(text)
    assert [(r.line, r.result, r.reason) for r in results[3:]] == [
        (4, "Failed", "No name"),
        (5, "Failed", "Invalid number (mynumber)"),
    ]
    assert [r.ok for r in results] == [True, True, True, False, False]


def test_import_duplicates_and_partial():
    results = parse_import(
        "1 : Duplicate Name\r\n2 : Partial\r\n\r\n2 : Could not add to group\r\n"
    )
    assert results[0].result == "Duplicate Name" and not results[0].ok
    assert results[1].partial and results[1].reason == "Could not add to group"


def test_background_messages_from_json_array():
    text = '[{"MessageID":"3509592","Destination":"447777777777","Status":"Sent"}]'
    [message] = parse_background(text)
    assert (message.message_id, message.destination, message.status.word) == (
        "3509592",
        "447777777777",
        "Sent",
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"error":"-521","message":"Unknown Background SendID"}', UnknownBackgroundSendID),
        ('{"error":"-522","message":"Background Send Not Finished"}', BackgroundSendNotFinished),
        ("-501\nUnknown Username/Password", UnknownUsernamePassword),
    ],
)
def test_background_errors_from_json_object_or_plain_code(text, error):
    with pytest.raises(error):
        parse_background(text)


def test_background_garbage_is_a_transport_error():
    with pytest.raises(TransportError):
        parse_background("not json")


MESSAGES_CSV = (
    '"MessageID","Username","Destination","Source","Status","Schedule Date","Sent Date",'
    '"Delivery Date"\n'
    '"101","acme","447700900123","Acme","Delivered","",'
    '"01/07/2026 09:00:00","01/07/2026 09:00:05"\n'
)


def test_messages_report_parses_rows_and_london_dates():
    [row] = parse_report(MESSAGES_CSV, "Messages")
    assert isinstance(row, MessageRow)
    assert (row.message_id, row.source, row.status.word) == ("101", "Acme", "Delivered")
    assert row.schedule_date is None
    assert row.sent_date == datetime(2026, 7, 1, 9, 0, tzinfo=LONDON)
    assert row.sent_date.utcoffset().total_seconds() == 3600


def test_report_tolerates_crlf_and_missing_header():
    body = MESSAGES_CSV.split("\n", 1)[1].replace("\n", "\r\n")
    [row] = parse_report(body, "FailedMessages")
    assert isinstance(row, MessageRow) and row.destination == "447700900123"


def test_outbox_usage_and_inbound_reports_give_their_row_types():
    outbox = (
        '"MessageID","Username","Destination","Status","Schedule Date","Sent Date",'
        '"Delivery Date"\n"5","a","4477","Pending","02/07/2026 10:00:00","",""\n'
    )
    usage = '"Status","Messages"\n"Delivered","12"\n"Failed","1"\n'
    inbound = (
        '"MessageID","From","Number","Message","Received Date","Status"\n'
        '"9","447700900555","447700900100","Hi, there\nsecond line",'
        '"01/07/2026 12:00:00","Unread"\n'
    )
    assert isinstance(parse_report(outbox, "Outbox")[0], OutboxRow)
    assert parse_report(usage, "Usage") == [
        UsageRow(parse_status("Delivered"), 12),
        UsageRow(parse_status("Failed"), 1),
    ]
    [row] = parse_report(inbound, "InboundMessages")
    assert isinstance(row, InboundRow)
    assert row.message == "Hi, there\nsecond line"


def test_report_of_unknown_type_gives_raw_rows():
    [row] = parse_report('"A","B"\n"1","2"\n', "Future")
    assert row == RawRow({"A": "1", "B": "2"})


def test_empty_report_gives_no_rows():
    assert parse_report("", "Messages") == []
    assert parse_report(MESSAGES_CSV.split("\n")[0] + "\n", "Messages") == []
