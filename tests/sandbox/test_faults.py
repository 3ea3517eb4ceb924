"""Fault injection: what a client sees, and what the gateway did behind it."""

import time

import pytest
import requests

from sandbox.faults import clear_faults, set_faults
from sandbox.models import Faults, Message


def test_next_two_calls_answer_500_then_the_third_succeeds(gateway):
    set_faults(gateway.account, http_500_rate=1, calls=2)
    statuses = [gateway.post("CheckCredits").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_http_500_is_answered_before_processing(gateway):
    set_faults(gateway.account, http_500_rate=1)
    assert (
        gateway.post(
            "Send", DestinationAddress="447700900100", SourceAddress="A", Body="x"
        ).status_code
        == 500
    )
    assert not Message.objects.exists()


def test_limited_faults_clear_themselves(gateway):
    set_faults(gateway.account, maintenance=True, calls=1)
    gateway.call("CheckCredits")
    assert not Faults.objects.get(account=gateway.account).active


def test_maintenance_answers_511(gateway):
    set_faults(gateway.account, maintenance=True)
    assert gateway.call("CheckCredits", ShowErrorMessage="1") == (
        "-511\nThe system is down for maintenance"
    )


def test_database_errors_answer_300_and_change_nothing(gateway):
    set_faults(gateway.account, db_error_rate=1)
    assert gateway.send() == "-300"
    assert not Message.objects.exists()


def test_clear_faults_restores_normal_answers(gateway):
    set_faults(gateway.account, maintenance=True)
    clear_faults(gateway.account)
    assert gateway.credits() == "1000"


def test_faults_of_one_account_leave_others_alone(gateway, sandbox_account):
    set_faults(sandbox_account(), maintenance=True)
    assert gateway.credits() == "1000"


def test_latency_before_delays_the_answer(gateway):
    set_faults(gateway.account, latency_before=0.3)
    started = time.monotonic()
    gateway.call("CheckCredits")
    assert time.monotonic() - started >= 0.3


def test_latency_after_leaves_an_accepted_send_behind_a_client_timeout(gateway):
    set_faults(gateway.account, latency_after=1.0, calls=1)
    with pytest.raises(requests.Timeout):
        gateway.session.post(
            gateway.url,
            data={
                "Token": gateway.account.token,
                "Action": "Send",
                "DestinationAddress": "447700900100",
                "SourceAddress": "A",
                "Body": "x",
            },
            timeout=0.3,
        )
    # The server goes on after the client gave up: the send is stored (on a loaded machine the
    # request may still be on its way in when the client's 0.3 s are over).
    stored = Message.objects.filter(account=gateway.account)
    deadline = time.monotonic() + 10
    while not stored.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stored.count() == 1


def test_drop_before_closes_the_connection_and_does_nothing(gateway):
    set_faults(gateway.account, drop_before_rate=1, calls=1)
    with pytest.raises(requests.ConnectionError):
        gateway.send()
    assert not Message.objects.exists()


def test_drop_after_closes_the_connection_after_sending(gateway):
    set_faults(gateway.account, drop_after_rate=1, calls=1)
    with pytest.raises(requests.ConnectionError):
        gateway.send()
    assert Message.objects.count() == 1
    assert gateway.credits() == "999"


def test_rates_outside_zero_to_one_are_refused(gateway):
    with pytest.raises(ValueError, match="between 0 and 1"):
        set_faults(gateway.account, http_500_rate=1.5)
