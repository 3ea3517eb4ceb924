"""Arguments the gateway would refuse are refused before any HTTP call, naming the argument."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from textconnect import Client, Contact

from .conftest import TOKEN

UK = "447700900123"
FUTURE = datetime.now(UTC) + timedelta(days=1)
PAST = datetime.now(UTC) - timedelta(minutes=1)

BAD_CALLS = {
    "body over 459": (lambda c: c.send([UK], "Acme", "a" * 460), "body"),
    "blank body": (lambda c: c.send([UK], "Acme", "  "), "body"),
    "alphanumeric source over 11": (lambda c: c.send([UK], "AcmeWidgets1", "Hi"), "source"),
    "long number with TON 5": (
        lambda c: c.send([UK], "447700900999", "Hi", source_ton=5),
        "source",
    ),
    "blank source": (lambda c: c.send([UK], "", "Hi"), "source"),
    "validity over 86400": (lambda c: c.send([UK], "Acme", "Hi", validity=86401), "validity"),
    "validity zero": (lambda c: c.send([UK], "Acme", "Hi", validity=0), "validity"),
    "schedule in the past": (lambda c: c.send([UK], "Acme", "Hi", schedule=PAST), "schedule"),
    "naive schedule": (
        lambda c: c.send([UK], "Acme", "Hi", schedule=datetime.now() + timedelta(days=1)),  # noqa: DTZ005
        "schedule",
    ),
    "bad source TON": (lambda c: c.send([UK], "Acme", "Hi", source_ton=3), "source_ton"),
    "empty destination list": (lambda c: c.send([], "Acme", "Hi"), "destinations"),
    "comma-joined destinations": (lambda c: c.send([f"{UK},{UK}"], "Acme", "Hi"), "destinations"),
    "group word as a number": (lambda c: c.send(["Group"], "Acme", "Hi"), "destinations"),
    "blank group": (lambda c: c.send_to_group(" ", "Acme", "Hi"), "GroupName"),
    "quantity zero": (lambda c: c.update_credits("kid", 0), "quantity"),
    "fractional quantity": (lambda c: c.update_credits("kid", 1.5), "quantity"),
    "blank child": (lambda c: c.update_credits("", 5), "child"),
    "negative starting credits": (
        lambda c: c.create_user("k", "p", first_name="A", last_name="B", email="e", credits=-1),
        "credits",
    ),
    "unknown access level": (
        lambda c: c.create_user(
            "k", "p", first_name="A", last_name="B", email="e", access_level="Root"
        ),
        "access_level",
    ),
    "no contacts": (lambda c: c.import_contacts([]), "contacts"),
    "comma in a contact field": (
        lambda c: c.import_contacts([Contact("Smith, Ann", UK)]),
        "contacts",
    ),
    "blank message id": (lambda c: c.check_message_status(""), "message_id"),
    "report without dates": (lambda c: c.report("Messages"), "start"),
    "naive report start": (
        lambda c: c.report("Messages", datetime(2026, 1, 1), FUTURE),  # noqa: DTZ001
        "start",
    ),
    "report end before start": (lambda c: c.report("Messages", FUTURE, PAST), "end"),
    "blank group to empty": (lambda c: c.empty_group(""), "name"),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_arguments_are_refused_before_any_request(server, client, case):
    call, argument = BAD_CALLS[case]
    with pytest.raises(ValueError, match=argument):
        call(client)
    assert server.received == []


def test_numeric_source_may_be_longer_than_eleven(server, client):
    server.answer("77")
    [result] = client.send([UK], "447700900999", "Hi")
    assert result.message_ids == ["77"]


def test_body_of_exactly_459_characters_is_sent(server, client):
    server.answer("77")
    client.send([UK], "Acme", "a" * 459)
    assert len(server.received[0].params["Body"]) == 459


def test_single_destination_string_is_one_destination(server, client):
    server.answer("77")
    [result] = client.send(UK, "Acme", "Hi")
    assert result.destination == UK


def test_outbox_report_needs_no_dates(server, client):
    server.answer('"MessageID","Username","Destination","Status"\n')
    assert client.report("Outbox") == []


def test_empty_token_is_refused():
    with pytest.raises(ValueError, match="token"):
        Client("  ")


def test_token_is_not_checked_for_shape(server):
    with Client(TOKEN.upper(), server.url) as tc:
        tc.check_credits()
    assert server.received[0].params["Token"] == TOKEN.upper()
