"""The client over real HTTP against a scripted peer: requests, retries, transport failures."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from textconnect import (
    NO_RETRY,
    Client,
    Contact,
    MaintenanceMode,
    TextConnectError,
    TransportError,
    UnknownMessageID,
    __version__,
)

from .conftest import FAST_RETRY, TOKEN
from .scripted_server import Step

WRITE_CALLS = {
    "send": lambda c: c.send(["447700900123"], "Acme", "Hi"),
    "send_to_group": lambda c: c.send_to_group("Staff", "Acme", "Hi"),
    "send_to_list": lambda c: c.send_to_list("Staff", "Acme", "Hi"),
    "create_user": lambda c: c.create_user(
        "kid", "pw", first_name="A", last_name="B", email="a@example.com", credits=1
    ),
    "update_credits": lambda c: c.update_credits("kid", 5),
    "import_contacts": lambda c: c.import_contacts([Contact("Ann", "447700900123")]),
    "delete_all_contacts": lambda c: c.delete_all_contacts(),
    "delete_all_groups": lambda c: c.delete_all_groups(),
    "empty_group": lambda c: c.empty_group("Staff"),
    "delete_group": lambda c: c.delete_group("Staff"),
}
READ_CALLS = {
    "check_credits": (lambda c: c.check_credits(), "10"),
    "check_message_status": (lambda c: c.check_message_status("7"), "Sent"),
    "report": (
        lambda c: c.report("Usage", datetime(2026, 1, 1, tzinfo=UTC), datetime.now(UTC)),
        '"Status","Messages"\n"Delivered","3"\n',
    ),
    "background_send_messages": (
        lambda c: c.background_send_messages("9"),
        '[{"MessageID":"1","Destination":"447700900123","Status":"Sent"}]',
    ),
}


def test_every_call_posts_token_action_and_show_error_message(server, client):
    server.answer("12")
    client.check_credits()
    request = server.received[0]
    assert request.method == "POST"
    assert "?" not in request.path
    assert request.params == {"Token": TOKEN, "Action": "CheckCredits", "ShowErrorMessage": "1"}


def test_user_agent_names_package_and_version(server, client):
    client.check_credits()
    assert server.received[0].headers["User-Agent"].startswith(f"textconnect/{__version__}")


@pytest.mark.parametrize("name", READ_CALLS)
def test_read_actions_retry_after_http_500(server, client, name):
    call, answer = READ_CALLS[name]
    server.answer(Step("oops", status=500), Step(answer))
    call(client)
    assert len(server.received) == 2


def test_read_retries_maintenance_and_database_error(server, client):
    server.answer("-511\nThe system is down for maintenance", "-300\nGeneral Database Error", "7")
    assert client.check_credits() == Decimal(7)
    assert len(server.received) == 3


def test_read_gives_up_after_the_policy_attempts(server, client):
    server.default = Step("oops", status=503)
    with pytest.raises(TransportError) as caught:
        client.check_credits()
    assert len(server.received) == FAST_RETRY.attempts
    assert caught.value.status_code == 503


def test_read_does_not_retry_other_gateway_errors(server, client):
    server.answer("-503\nUnknown Message ID")
    with pytest.raises(UnknownMessageID):
        client.check_message_status("42")
    assert len(server.received) == 1


def test_garbled_answer_to_a_read_is_retried_as_transport_error(server, client):
    server.answer("Service Temporarily Unavailable", "3.5")
    assert client.check_credits() == Decimal("3.5")
    assert len(server.received) == 2


def test_no_retry_policy_makes_one_attempt(server):
    server.default = Step("oops", status=500)
    with Client(TOKEN, server.url, retry=NO_RETRY) as tc, pytest.raises(TransportError):
        tc.check_credits()
    assert len(server.received) == 1


@pytest.mark.parametrize("name", WRITE_CALLS)
def test_write_actions_are_attempted_once_on_http_500(server, client, name):
    server.default = Step("oops", status=500)
    with pytest.raises(TransportError) as caught:
        WRITE_CALLS[name](client)
    assert len(server.received) == 1
    assert caught.value.may_have_reached


@pytest.mark.parametrize("name", WRITE_CALLS)
def test_write_actions_are_attempted_once_in_maintenance(server, client, name):
    server.default = Step("-511\nThe system is down for maintenance")
    with pytest.raises(MaintenanceMode):
        WRITE_CALLS[name](client)
    assert len(server.received) == 1


def test_send_timeout_is_one_attempt_that_may_have_reached(server, client):
    server.answer(Step("123", delay=1.0))
    with pytest.raises(TransportError) as caught:
        client.send(["447700900123"], "Acme", "Hi")
    assert caught.value.may_have_reached
    assert len(server.received) == 1


def test_dropped_connection_may_have_reached(server, client):
    server.answer(Step(drop=True))
    with pytest.raises(TransportError) as caught:
        client.send(["447700900123"], "Acme", "Hi")
    assert caught.value.may_have_reached
    assert len(server.received) == 1


def test_refused_connection_did_not_reach():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        Client(TOKEN, f"http://127.0.0.1:{port}/api", retry=NO_RETRY) as tc,
        pytest.raises(TransportError) as caught,
    ):
        tc.send(["447700900123"], "Acme", "Hi")
    assert not caught.value.may_have_reached


def test_http_404_did_not_reach(server, client):
    server.answer(Step("Not Found", status=404))
    with pytest.raises(TransportError) as caught:
        client.send(["447700900123"], "Acme", "Hi")
    assert not caught.value.may_have_reached
    assert caught.value.status_code == 404


def test_read_is_not_retried_after_http_404(server, client):
    server.default = Step("Not Found", status=404)
    with pytest.raises(TransportError):
        client.check_credits()
    assert len(server.received) == 1


def test_read_is_retried_after_http_429(server, client):
    server.answer(Step("Slow down", status=429), "4")
    assert client.check_credits() == Decimal(4)


def test_redirect_is_not_followed(server, client):
    server.answer(Step("", status=302))
    with pytest.raises(TransportError):
        client.delete_all_groups()
    assert len(server.received) == 1


def test_html_page_is_a_transport_error(server, client):
    server.answer("<html><body>Bad gateway</body></html>")
    with pytest.raises(TransportError):
        client.delete_all_contacts()


@pytest.mark.parametrize(
    "step",
    [Step("oops", status=500), Step(drop=True), Step("1", delay=1.0), Step("<html>", status=200)],
)
def test_token_never_in_exception_or_logs(server, client, caplog, step):
    caplog.set_level(logging.DEBUG)
    server.default = step
    with pytest.raises(TextConnectError) as caught:
        client.check_credits()
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)
    assert TOKEN not in caplog.text


def test_repr_hides_token(client):
    assert TOKEN not in repr(client)
    assert TOKEN not in repr(vars(client))


def test_send_splits_destinations_into_batches(server):
    server.answer("1,2", "3,-401", "5")
    numbers = [f"44770090012{i}" for i in range(5)]
    with Client(TOKEN, server.url, batch_size=2) as tc:
        results = tc.send(numbers, "Acme", "Hi")
    assert [r.destination for r in results] == numbers
    assert [r.message_id for r in results] == ["1", "2", "3", None, "5"]
    assert [len(r.params["DestinationAddress"].split(",")) for r in server.received] == [2, 2, 1]


def test_failed_later_batch_carries_results_already_sent(server):
    server.answer("1,2", "-100\nNot Enough Credits")
    with Client(TOKEN, server.url, batch_size=2) as tc, pytest.raises(TextConnectError) as caught:
        tc.send([f"44770090012{i}" for i in range(4)], "Acme", "Hi")
    assert [r.message_id for r in caught.value.partial_results] == ["1", "2"]


def test_schedule_is_sent_in_london_time(server, client):
    server.answer("5")
    client.send(["447700900123"], "Acme", "Hi", schedule=datetime(2030, 7, 1, 12, 0, tzinfo=UTC))
    assert server.received[0].params["ScheduleDate"] == "20300701130000"


def test_report_dates_are_sent_in_london_time(server, client):
    server.answer('"Status","Messages"\n')
    client.report("Usage", datetime(2030, 1, 1, 0, 0, tzinfo=UTC), datetime(2030, 7, 1, tzinfo=UTC))
    params = server.received[0].params
    assert (params["From"], params["To"]) == ("20300101000000", "20300701010000")


def test_send_options_become_vendor_parameters(server, client):
    server.answer("5,6")
    client.send(["447700900123"], "Acme", "x" * 200, source_ton=5, validity=60, all_part_ids=True)
    params = server.received[0].params
    assert params["SourceTON"] == "5"
    assert params["ValidityPeriod"] == "60"
    assert params["GetAllMessageIDs"] == "1"


def test_group_send_returns_background_send_ids_when_asked(server, client):
    server.answer("88")
    assert client.send_to_group("Staff", "Acme", "Hi", background_send_id=True) == ["88"]
    params = server.received[0].params
    assert (params["DestinationAddress"], params["GroupName"], params["GetBGSendID"]) == (
        "Group",
        "Staff",
        "1",
    )


def test_latin1_answer_without_charset_is_decoded(server, client):
    server.answer(Step("Entregué", content_type="text/plain", encoding="latin-1"))
    assert client.check_message_status("1").word == "Entregué"


def test_report_end_is_rounded_up_to_the_whole_second(server, client):
    server.answer('"Status","Messages"\n')
    end = datetime(2030, 1, 1, 10, 0, 0, 500, tzinfo=UTC)
    client.report("Usage", end - timedelta(hours=1), end)
    assert server.received[0].params["To"] == "20300101100001"
