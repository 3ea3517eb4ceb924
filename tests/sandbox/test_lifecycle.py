"""The delivery lifecycle: Pending, Sent, then the outcome the destination's last digits ask for."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone as dj_timezone

from sandbox.models import Message
from sandbox.rules import LONDON
from sandbox.sending import timeline

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("number", "status"),
    [
        ("447700900000", "Undeliverable"),
        ("447700900001", "Expired"),
        ("447700900002", "Failed"),
        ("447700900003", "Sent"),
        ("447700900123", "Delivered"),
    ],
)
def test_last_three_digits_choose_the_outcome(gateway, number, status):
    message_id = gateway.send(number)
    assert gateway.call("CheckMessageStatus", MessageID=message_id) == status


def test_message_is_pending_until_the_clock_moves(gateway, settings):
    settings.SANDBOX_DELIVERY_SECONDS = 30
    message_id = gateway.send()
    assert gateway.call("CheckMessageStatus", MessageID=message_id) == "Pending"


def test_status_follows_the_clock_when_read(gateway, settings):
    settings.SANDBOX_DELIVERY_SECONDS = 30
    message = Message.objects.get(pk=int(gateway.send()))
    Message.objects.filter(pk=message.pk).update(sent_at=dj_timezone.now() - timedelta(seconds=1))
    assert gateway.call("CheckMessageStatus", MessageID=str(message.pk)) == "Sent"


def test_timeline_moves_pending_sent_delivered():
    sent_at, final_at, status = timeline(START, "447700900123", 86400, 3)
    assert (sent_at - START, final_at - START, status) == (
        timedelta(seconds=1),
        timedelta(seconds=3),
        "Delivered",
    )


def test_zero_delivery_seconds_reaches_the_final_status_at_once():
    assert timeline(START, "447700900123", 86400, 0) == (START, START, "Delivered")


def test_003_never_gets_a_final_status():
    assert timeline(START, "447700900003", 86400, 3)[1:] == (None, "")


def test_validity_shorter_than_delivery_expires_the_message():
    sent_at, final_at, status = timeline(START, "447700900123", 2, 3)
    assert (final_at - START, status) == (timedelta(seconds=2), "Expired")


def test_history_lists_each_status_with_its_time(gateway):
    message = Message.objects.get(pk=int(gateway.send()))
    assert [step for step, _ in message.history()] == ["Pending", "Sent", "Delivered"]


def london(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%Y%m%d%H%M%S")


def test_scheduled_message_stays_pending_until_its_time(gateway):
    message_id = gateway.send(ScheduleDate=london(dj_timezone.now() + timedelta(days=30)))
    assert gateway.call("CheckMessageStatus", MessageID=message_id) == "Pending"


def test_schedule_date_is_uk_local_time(gateway):
    now = dj_timezone.now()
    summer = now.year + 1 if now.month >= 7 else now.year
    message = Message.objects.get(pk=int(gateway.send(ScheduleDate=f"{summer}0701120000")))
    assert message.scheduled_at == datetime(summer, 7, 1, 11, 0, tzinfo=UTC)


def test_past_schedule_date_sends_at_once(gateway):
    message_id = gateway.send(ScheduleDate="20200101000000")
    assert gateway.call("CheckMessageStatus", MessageID=message_id) == "Delivered"


def test_unknown_message_id_answers_503(gateway):
    assert gateway.call("CheckMessageStatus", MessageID="123456789") == "-503"


def test_non_numeric_message_id_answers_503(gateway):
    assert gateway.call("CheckMessageStatus", MessageID="abc") == "-503"


def test_message_of_another_account_answers_503(gateway, sandbox_account, sandbox_api_url, http):
    from .conftest import Gateway

    other = Gateway(sandbox_api_url, sandbox_account(), http)
    assert gateway.call("CheckMessageStatus", MessageID=other.send()) == "-503"


def test_validity_period_shorter_than_delivery_ends_expired(gateway, settings):
    settings.SANDBOX_DELIVERY_SECONDS = 30
    message = Message.objects.get(pk=int(gateway.send(ValidityPeriod="5")))
    later = message.submitted_at + timedelta(seconds=6)
    assert (message.status_at(), message.status_at(later)) == ("Pending", "Expired")


def test_delivery_seconds_apply_to_later_messages_only(gateway, settings):
    settings.SANDBOX_DELIVERY_SECONDS = 30
    first = gateway.send()
    settings.SANDBOX_DELIVERY_SECONDS = 0
    second = gateway.send("447700900101")
    assert gateway.call("CheckMessageStatus", MessageID=first) == "Pending"
    assert gateway.call("CheckMessageStatus", MessageID=second) == "Delivered"
