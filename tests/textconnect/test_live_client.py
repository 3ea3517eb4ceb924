"""Every client method against the sandbox over real HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sandbox import inbound
from sandbox.models import Contact as SandboxContact
from sandbox.models import DistributionList, Group, ListEntry, Message, SandboxAccount
from textconnect import (
    BackgroundSendNotFinished,
    Contact,
    InboundRow,
    MessageRow,
    OutboxRow,
    ReportType,
    TextConnectError,
    UsageRow,
    credits_needed,
)
from textconnect.__main__ import main

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime.now(UTC)
HOUR_AGO = NOW - timedelta(hours=1)


def later():
    return datetime.now(UTC) + timedelta(minutes=5)


def make_group(account, name, numbers):
    group = Group.objects.create(account=account, name=name)
    contacts = SandboxContact.objects.bulk_create(
        SandboxContact(account=account, name=f"c{n}", number=n) for n in numbers
    )
    group.contacts.add(*contacts)
    return group


def test_check_credits_answers_the_balance(live_factory):
    live = live_factory(credits=Decimal("1234.50"))
    assert live.client.check_credits() == Decimal("1234.5")


def test_send_returns_one_id_per_destination_and_charges_by_parts(live):
    numbers = ["447700900100", "447700900101", "33612345678"]
    body = "x" * 200
    results = live.client.send(numbers, source="Acme", body=body)
    assert [r.destination for r in results] == numbers
    assert all(r.ok and len(r.message_ids) == 1 for r in results)
    assert live.client.check_credits() == 1000 - credits_needed(body, numbers)


def test_send_all_part_ids_gives_every_part(live):
    [result] = live.client.send(["447700900100"], "Acme", "y" * 400, all_part_ids=True)
    assert len(result.message_ids) == 3
    assert Message.objects.filter(pk__in=result.message_ids).count() == 3


def test_send_per_destination_errors_are_results(live):
    results = live.client.send(
        ["447700900100", "447700900009", "mynumber", "447700900008"], "Acme", "Hi"
    )
    assert [r.ok for r in results] == [True, False, False, False]
    assert [r.error.code for r in results[1:]] == [-412, -401, -406]


def test_send_numeric_source_with_ton(live):
    [result] = live.client.send(["447700900100"], "447700900555", "Hi", source_ton=1)
    assert Message.objects.get(pk=result.message_id).source_ton == 1


def test_scheduled_send_waits_in_the_outbox_with_its_london_schedule(live):
    when = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    [result] = live.client.send(["447700900100"], "Acme", "Later", schedule=when)
    rows = live.client.report(ReportType.OUTBOX)
    [row] = [r for r in rows if r.message_id == result.message_id]
    assert isinstance(row, OutboxRow)
    assert row.schedule_date == when
    assert not live.client.check_message_status(result.message_id).is_final


def test_status_follows_the_sandbox_lifecycle(live):
    results = live.client.send(["447700900100", "447700900000", "447700900003"], "Acme", "Hi")
    statuses = [live.client.check_message_status(r.message_id) for r in results]
    assert [s.word for s in statuses] == ["Delivered", "Undeliverable", "Sent"]
    assert [s.is_final for s in statuses] == [True, True, False]


def test_messages_usage_and_failed_reports_are_typed(live):
    live.client.send(["447700900100", "447700900002"], "Acme", "Hi")
    messages = live.client.report("Messages", HOUR_AGO, later())
    assert {type(r) for r in messages} == {MessageRow}
    assert {(r.destination, r.status.word) for r in messages} == {
        ("447700900100", "Delivered"),
        ("447700900002", "Failed"),
    }
    assert all(r.sent_date and r.sent_date.tzinfo for r in messages)
    usage = live.client.report("Usage", HOUR_AGO, later())
    assert {(r.status.word, r.messages) for r in usage if isinstance(r, UsageRow)} == {
        ("Delivered", 1),
        ("Failed", 1),
    }
    failed = live.client.report("FailedMessages", HOUR_AGO, later())
    assert [r.destination for r in failed] == ["447700900002"]


def test_inbound_report_lists_received_messages(live_factory):
    live = live_factory(vmn="447700900500")
    inbound.receive(to="447700900500", sender="447700900321", text="Hello, back")
    [row] = live.client.report("InboundMessages", HOUR_AGO, later())
    assert isinstance(row, InboundRow)
    assert (row.from_number, row.number, row.message) == (
        "447700900321",
        "447700900500",
        "Hello, back",
    )
    assert row.received_date is not None


def test_group_send_with_background_id_and_its_messages(live):
    make_group(live.account, "Team", ["447700900100", "447700900101"])
    [bg_id] = live.client.send_to_group("Team", "Acme", "Hi", background_send_id=True)
    messages = live.client.background_send_messages(bg_id)
    assert sorted(m.destination for m in messages) == ["447700900100", "447700900101"]
    assert all(m.status.is_final for m in messages)


def test_group_send_without_background_id_returns_nothing(live):
    make_group(live.account, "Team", ["447700900100"])
    assert live.client.send_to_group("Team", "Acme", "Hi") == []
    assert Message.objects.filter(account=live.account).count() == 1


def test_list_send(live):
    dist_list = DistributionList.objects.create(account=live.account, name="Customers")
    ListEntry.objects.create(dist_list=dist_list, number="447700900101")
    [bg_id] = live.client.send_to_list("Customers", "Acme", "Hi", background_send_id=True)
    [message] = live.client.background_send_messages(bg_id)
    assert message.destination == "447700900101"


def test_large_group_is_sent_in_the_background(live):
    contacts = [Contact(f"C{i}", f"4477009{i:05d}", groups=("Big",)) for i in range(10, 211)]
    assert all(r.ok for r in live.client.import_contacts(contacts))
    [bg_id] = live.client.send_to_group("Big", "Acme", "Hi", background_send_id=True)
    deadline = time.monotonic() + 20
    while True:
        try:
            messages = live.client.background_send_messages(bg_id)
            break
        except BackgroundSendNotFinished:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert len(messages) == 201


def test_create_user_and_move_credits_both_ways(live_factory):
    live = live_factory(admin=True, credits=100)
    live.client.create_user(
        "child-one",
        "s3cret",
        first_name="Ann",
        last_name="Lee",
        email="ann@example.com",
        credits=10,
        telephone="447700900111",
        credit_reminder=5,
        alert=30,
    )
    live.client.update_credits("child-one", 15)
    live.client.update_credits("child-one", -5)
    child = SandboxAccount.objects.get(username="child-one")
    assert (child.credits, child.credit_reminder, child.inactivity_alert_days) == (20, 5, 30)
    assert live.client.check_credits() == 80


def test_import_contacts_reports_each_line(live):
    results = live.client.import_contacts(
        [
            Contact("Ann", "447700900101", groups=("g1",)),
            ("Bob", "447700900102", "", "g1", "g2"),
            Contact("", "447700900103"),
            Contact("Dan", "mynumber"),
            Contact("Eve", "447700900101"),
        ]
    )
    assert [r.result for r in results] == [
        "Success",
        "Success",
        "Failed",
        "Failed",
        "Duplicate Number",
    ]
    assert results[2].reason and results[3].reason


def test_import_with_ignore_dupes_allows_duplicates(live):
    live.client.import_contacts([Contact("Ann", "447700900101")])
    [result] = live.client.import_contacts([Contact("Ann", "447700900101")], ignore_dupes=True)
    assert result.ok
    assert SandboxContact.objects.filter(account=live.account).count() == 2


def test_import_with_overwrite_dupes_overwrites_the_number(live):
    live.client.import_contacts([Contact("Ann", "447700900101")])
    live.client.import_contacts([Contact("Annie", "447700900101")], overwrite_dupes=True)
    assert list(SandboxContact.objects.values_list("name", flat=True)) == ["Annie"]


def test_empty_group_delete_group_and_delete_alls(live):
    live.client.import_contacts(
        [Contact("Ann", "447700900101", groups=("g1", "g2")), Contact("Bob", "447700900102")]
    )
    live.client.empty_group("g1")
    assert Group.objects.get(account=live.account, name="g1").contacts.count() == 0
    live.client.delete_group("g1")
    assert list(Group.objects.values_list("name", flat=True)) == ["g2"]
    live.client.delete_all_groups()
    assert not Group.objects.exists()
    live.client.delete_all_contacts()
    assert not SandboxContact.objects.exists()


def test_command_line_sends_and_reads_status_on_the_sandbox(live, monkeypatch, capsys):
    monkeypatch.setenv("TEXTCONNECT_TOKEN", live.account.token)
    monkeypatch.setenv("TEXTCONNECT_API_URL", live.url)
    assert main(["send", "447700900100", "--from", "Acme", "--body", "Hi"]) == 0
    destination, message_id = capsys.readouterr().out.strip().split(",")
    assert main(["status", message_id]) == 0
    assert capsys.readouterr().out == f"{message_id},Delivered\n"
    assert main(["report", "Messages"]) == 0
    assert message_id in capsys.readouterr().out


def test_report_csv_returns_the_gateways_body_unparsed(live):
    live.client.send(["447700900123"], "Acme", 'Hello, "world"')
    now = datetime.now(UTC)
    text = live.client.report_csv("Messages", now - timedelta(minutes=5), now)
    assert text.splitlines()[0].startswith('"MessageID","Username","Destination"')
    assert '"447700900123"' in text


def test_report_csv_raises_the_gateways_error(live):
    now = datetime.now(UTC)
    with pytest.raises(TextConnectError) as raised:
        live.client.report_csv("Bogus", now - timedelta(minutes=5), now)
    assert raised.value.code == -601
