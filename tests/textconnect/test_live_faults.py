"""Retry rules proven against the sandbox's fault injection over real HTTP.

A fault limited to the next N calls is used up one call at a time, so the calls left on it count
exactly how many attempts the client made.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from sandbox import workers
from sandbox.faults import set_faults
from sandbox.models import Faults, Message
from textconnect import (
    GeneralDatabaseError,
    MaintenanceMode,
    RetryPolicy,
    TransportError,
    UnknownBackgroundSendID,
)

pytestmark = pytest.mark.django_db(transaction=True)

RETRY_3 = RetryPolicy(attempts=3, backoff_base=0.01, backoff_max=0.02)


def calls_left(account) -> int:
    return Faults.objects.get(account=account).calls_remaining


def messages(account) -> int:
    workers.wait_idle(5)
    return Message.objects.filter(account=account).count()


@pytest.fixture
def fast(live_factory):
    return live_factory(timeout=0.4, retry=RETRY_3)


# -- read-only calls retry ----------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        {"http_500_rate": 1},
        {"drop_before_rate": 1},
        {"drop_after_rate": 1},
        {"latency_before": 0.8},
        {"maintenance": True},
        {"db_error_rate": 1},
    ],
    ids=["http-500", "drop-before", "drop-after", "latency", "maintenance", "db-error"],
)
def test_read_retries_through_two_faulty_calls(fast, fault):
    set_faults(fast.account, calls=2, **fault)
    assert fast.client.check_credits() == Decimal(1000)
    assert calls_left(fast.account) == 0


def test_status_report_and_background_reads_retry_too(fast):
    [sent] = fast.client.send(["447700900100"], "Acme", "Hi")
    set_faults(fast.account, http_500_rate=1, calls=2)
    assert fast.client.check_message_status(sent.message_id).word == "Delivered"
    set_faults(fast.account, maintenance=True, calls=2)
    assert fast.client.report("Outbox") == []
    set_faults(fast.account, db_error_rate=1, calls=2)
    with pytest.raises(UnknownBackgroundSendID):
        fast.client.background_send_messages("999999")
    assert calls_left(fast.account) == 0


def test_read_retries_are_bounded(fast):
    set_faults(fast.account, http_500_rate=1, calls=10)
    with pytest.raises(TransportError) as caught:
        fast.client.check_credits()
    assert caught.value.status_code == 500
    assert calls_left(fast.account) == 10 - RETRY_3.attempts


def test_read_gives_up_in_lasting_maintenance(fast):
    set_faults(fast.account, maintenance=True, calls=10)
    with pytest.raises(MaintenanceMode):
        fast.client.check_credits()
    assert calls_left(fast.account) == 10 - RETRY_3.attempts


# -- Send and the other writes are attempted exactly once ----------------------------------


def test_send_past_the_timeout_is_attempted_once_and_sent_once(fast):
    set_faults(fast.account, latency_before=0.8, calls=5)
    with pytest.raises(TransportError) as caught:
        fast.client.send(["447700900100"], "Acme", "Hi")
    assert caught.value.may_have_reached
    time.sleep(0.6)  # the sandbox finishes the call the client gave up on
    assert calls_left(fast.account) == 4
    assert messages(fast.account) == 1


def test_send_answered_500_is_attempted_once(fast):
    set_faults(fast.account, http_500_rate=1, calls=5)
    with pytest.raises(TransportError) as caught:
        fast.client.send(["447700900100", "447700900101"], "Acme", "Hi")
    assert caught.value.may_have_reached
    assert calls_left(fast.account) == 4
    assert messages(fast.account) == 0


def test_send_dropped_before_processing_is_attempted_once(fast):
    set_faults(fast.account, drop_before_rate=1, calls=5)
    with pytest.raises(TransportError):
        fast.client.send(["447700900100"], "Acme", "Hi")
    assert calls_left(fast.account) == 4
    assert messages(fast.account) == 0


def test_send_dropped_after_processing_may_have_reached_and_is_not_repeated(fast):
    set_faults(fast.account, drop_after_rate=1, calls=5)
    with pytest.raises(TransportError) as caught:
        fast.client.send(["447700900100"], "Acme", "Hi")
    assert caught.value.may_have_reached
    assert calls_left(fast.account) == 4
    assert messages(fast.account) == 1


def test_send_in_maintenance_raises_after_one_attempt(fast):
    set_faults(fast.account, maintenance=True, calls=5)
    with pytest.raises(MaintenanceMode):
        fast.client.send(["447700900100"], "Acme", "Hi")
    assert calls_left(fast.account) == 4


def test_send_on_database_error_raises_after_one_attempt(fast):
    set_faults(fast.account, db_error_rate=1, calls=5)
    with pytest.raises(GeneralDatabaseError):
        fast.client.send(["447700900100"], "Acme", "Hi")
    assert calls_left(fast.account) == 4


WRITES = {
    "create_user": lambda c: c.create_user(
        "kid", "pw", first_name="A", last_name="B", email="a@example.com"
    ),
    "update_credits": lambda c: c.update_credits("kid", 1),
    "import_contacts": lambda c: c.import_contacts([("Ann", "447700900100")]),
    "delete_all_contacts": lambda c: c.delete_all_contacts(),
    "delete_all_groups": lambda c: c.delete_all_groups(),
    "empty_group": lambda c: c.empty_group("g"),
    "delete_group": lambda c: c.delete_group("g"),
    "send_to_group": lambda c: c.send_to_group("g", "Acme", "Hi"),
}


@pytest.mark.parametrize("name", WRITES)
def test_other_writes_are_attempted_once_on_500(live_factory, name):
    live = live_factory(admin=True, timeout=2, retry=RETRY_3)
    set_faults(live.account, http_500_rate=1, calls=5)
    with pytest.raises(TransportError):
        WRITES[name](live.client)
    assert calls_left(live.account) == 4
