"""Report: CSV columns, quoting, dates, windows and codes."""

import csv
import io
import re
from datetime import timedelta

from django.utils import timezone

from sandbox.models import InboundMessage, Message, VirtualNumber
from sandbox.rules import LONDON

WINDOW = {"From": "20000101000000", "To": "20991231235959"}


def rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_messages_report_has_the_documented_columns(gateway):
    gateway.send()
    text = gateway.call("Report", ReportType="Messages", **WINDOW)
    assert text.split("\n")[0] == (
        '"MessageID","Username","Destination","Source","Status",'
        '"Schedule Date","Sent Date","Delivery Date"'
    )


def test_messages_report_quotes_fields_and_uses_uk_dates(gateway):
    message_id = gateway.send()
    row = rows(gateway.call("Report", ReportType="Messages", **WINDOW))[1]
    assert row[:5] == [message_id, gateway.account.username, "447700900100", "Acme", "Delivered"]
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", row[7])


def test_report_lines_end_with_newline_only(gateway):
    gateway.send()
    text = gateway.call("Report", ReportType="Messages", **WINDOW)
    assert "\r" not in text
    assert text.endswith("\n")


def test_messages_report_respects_the_window(gateway):
    gateway.send()
    text = gateway.call("Report", ReportType="Messages", From="20000101000000", To="20000102000000")
    assert len(rows(text)) == 1


def test_outbox_lists_only_messages_not_yet_sent(gateway):
    gateway.send("447700900101")
    when = (timezone.now() + timedelta(days=30)).astimezone(LONDON).replace(microsecond=0)
    pending = gateway.send("447700900102", ScheduleDate=when.strftime("%Y%m%d%H%M%S"))
    table = rows(gateway.call("Report", ReportType="Outbox"))
    assert table[0] == [
        "MessageID",
        "Username",
        "Destination",
        "Status",
        "Schedule Date",
        "Sent Date",
        "Delivery Date",
    ]
    assert [r[0] for r in table[1:]] == [pending]
    assert table[1][4] == when.strftime("%d/%m/%Y %H:%M:%S")


def test_usage_report_counts_per_status(gateway):
    gateway.send("447700900101,447700900102,447700900000")
    table = rows(gateway.call("Report", ReportType="Usage", **WINDOW))
    assert table == [["Status", "Messages"], ["Delivered", "2"], ["Undeliverable", "1"]]


def test_failed_messages_report_lists_only_failures(gateway):
    gateway.send("447700900101,447700900000,447700900002")
    table = rows(gateway.call("Report", ReportType="FailedMessages", **WINDOW))
    assert [r[4] for r in table[1:]] == ["Undeliverable", "Failed"]


def test_inbound_messages_report(gateway):
    vmn = VirtualNumber.objects.create(account=gateway.account, number="447700900555")
    inbound = InboundMessage.objects.create(
        account=gateway.account, vmn=vmn, source="447700900100", body="Yes, please"
    )
    table = rows(gateway.call("Report", ReportType="InboundMessages", **WINDOW))
    assert table[0] == ["MessageID", "From", "Number", "Message", "Received Date", "Status"]
    assert table[1][:4] == [str(inbound.pk), "447700900100", "447700900555", "Yes, please"]


def test_report_type_is_case_insensitive(gateway):
    assert gateway.call("Report", ReportType="usage", **WINDOW).startswith('"Status"')


def test_unknown_report_type_answers_601(gateway):
    assert gateway.call("Report", ReportType="Everything", **WINDOW) == "-601"


def test_malformed_from_answers_504(gateway):
    assert (
        gateway.call("Report", ReportType="Messages", From="yesterday", To="20991231235959")
        == "-504"
    )


def test_malformed_to_answers_505(gateway):
    assert gateway.call("Report", ReportType="Messages", From="20000101000000", To="2099") == "-505"


def test_to_before_from_answers_505(gateway):
    answer = gateway.call(
        "Report", ReportType="Messages", From="20200101000000", To="20190101000000"
    )
    assert answer == "-505"


def test_admin_report_includes_child_users(admin_gateway, sandbox_account):
    child = sandbox_account(parent=admin_gateway.account)
    Message.objects.create(
        account=child,
        destination="447700900100",
        source="A",
        body="x",
        encoding="GSM-7",
        sent_at=timezone.now(),
        final_at=timezone.now(),
        final_status="Delivered",
    )
    table = rows(admin_gateway.call("Report", ReportType="Messages", **WINDOW))
    assert table[1][1] == child.username
