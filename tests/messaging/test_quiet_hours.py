"""Quiet hours: a window on the workspace's clock; sends in it are held and released at its end,
replies are never held, an admin may override one broadcast with a reason."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from messaging.models import DispatchRun, QuietHours
from messaging.services import dispatch, schedule
from messaging.services.forecast import send_forecast
from messaging.services.quiet import Window, clean_window
from sandbox.models import Message as SandboxMessage

from .conftest import many, uk

pytestmark = pytest.mark.django_db(transaction=True)
LONDON = ZoneInfo("Europe/London")
EVENINGS_AND_SUNDAY = Window(time(21), time(8), frozenset({6}), LONDON)


@pytest.mark.parametrize(
    ("moment", "release"),
    [
        (datetime(2027, 6, 9, 21, 30), datetime(2027, 6, 10, 8, 0)),  # Wed night -> Thu 08:00
        (datetime(2027, 6, 10, 7, 59), datetime(2027, 6, 10, 8, 0)),
        (datetime(2027, 6, 12, 22, 0), datetime(2027, 6, 14, 8, 0)),  # Sat night, all Sunday
        (datetime(2027, 6, 13, 12, 0), datetime(2027, 6, 14, 8, 0)),
        (datetime(2027, 3, 27, 23, 0), datetime(2027, 3, 29, 8, 0)),  # over the clock change
        (datetime(2027, 6, 10, 12, 0), None),  # Thursday noon: not quiet
    ],
)
def test_the_window_holds_until_its_end(moment, release):
    held = EVENINGS_AND_SUNDAY.release(moment.replace(tzinfo=LONDON))
    expected = release.replace(tzinfo=LONDON) if release else None
    assert held == expected


@pytest.mark.parametrize(
    ("start", "end", "days", "message"),
    [
        (time(9), time(9), [], "same time"),
        (None, None, [0, 1, 2, 3, 4, 5, 6], "nothing could ever be sent"),
        (time(21), None, [], "both the start and the end"),
    ],
)
def test_quiet_hours_that_leave_no_time_to_send_are_refused(start, end, days, message):
    with pytest.raises(ValidationError, match=message):
        clean_window(start, end, days)


def quiet_now(workspace, *, until_in: timedelta = timedelta(hours=1)) -> None:  # noqa: ANN001
    now = timezone.localtime(timezone.now(), ZoneInfo(workspace.time_zone))
    QuietHours.objects.create(
        workspace=workspace,
        enabled=True,
        start=(now - timedelta(minutes=30)).time(),
        end=(now + until_in).time(),
    )


def test_a_send_in_quiet_hours_is_held_and_released_at_their_end(gateway, compose, workspace):
    quiet_now(workspace)
    broadcast = compose([uk(190), uk(191)])
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    broadcast.refresh_from_db()
    assert not SandboxMessage.objects.exists()
    assert "Held by quiet hours until" in broadcast.status_reason
    assert broadcast.next_attempt_at is not None
    QuietHours.objects.filter(workspace=workspace).update(enabled=False)  # the window has ended
    assert broadcast.pk in schedule.dispatch_due(now=broadcast.next_attempt_at)
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    assert SandboxMessage.objects.count() == 2


def test_replies_to_a_text_just_received_are_never_held(gateway, workspace):
    from messaging.services.compose import send_now

    quiet_now(workspace)
    reply = send_now(workspace=workspace, body="Yes, we open at 9", destinations=[uk(192)],
                     is_reply=True)  # fmt: skip
    dispatch.broadcast_dispatch(broadcast_id=reply.pk)
    assert SandboxMessage.objects.count() == 1


def test_an_admin_overrides_quiet_hours_for_one_broadcast_with_a_reason(
    gateway, compose, workspace, owner, client_for
):
    quiet_now(workspace)
    broadcast = compose([uk(193)], confirm=False)
    client = client_for(owner)
    url = f"/w/{workspace.slug}/send/{broadcast.public_id}/confirm/"
    page = client.get(url).content.decode()
    assert "held until" in page
    refused = client.post(url, {"override_quiet": "1"})
    assert "Give the reason" in refused.content.decode()
    client.post(url, {"override_quiet": "1", "quiet_override_reason": "Gas leak warning"})
    broadcast.refresh_from_db()
    assert broadcast.quiet_override_reason == "Gas leak warning"
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    assert SandboxMessage.objects.count() == 1
    event = AuditEvent.objects.get(action="quiet_hours_overridden")
    assert event.detail["reason"] == "Gas leak warning"


def test_the_review_says_how_many_would_go_after_the_window_starts(gateway, compose, workspace):
    now = timezone.now()
    DispatchRun.objects.create(workspace=workspace, broadcast=compose([uk(194)], confirm=False),
                               started_at=now - timedelta(seconds=100),
                               alive_until=now, ended_at=now, rows=1000)  # 10 a second  # fmt: skip
    local = timezone.localtime(now, ZoneInfo(workspace.time_zone))
    QuietHours.objects.create(workspace=workspace, enabled=True,
                              start=(local + timedelta(seconds=30)).time(),
                              end=(local + timedelta(hours=2)).time())  # fmt: skip
    broadcast = compose(many(500, start=3000), confirm=False)
    forecast = send_forecast(broadcast, now=now)
    assert 180 <= forecast.held <= 220  # 30 s at 10 a second go before the window: 200 held
    assert forecast.held_from is not None and forecast.released_at > forecast.held_from


@pytest.mark.worker
def test_a_held_send_is_released_by_beat_when_the_window_ends(
    gateway, compose, workspace, start_worker, start_beat, wait_for
):
    start_worker()
    start_beat()
    local = timezone.localtime(timezone.now(), ZoneInfo(workspace.time_zone))
    QuietHours.objects.create(workspace=workspace, enabled=True,
                              start=(local - timedelta(minutes=1)).time(),
                              end=(local + timedelta(seconds=8)).time())  # fmt: skip
    broadcast = compose([uk(206), uk(207)])
    held = broadcast.__class__.objects.filter(pk=broadcast.pk, status_reason__contains="Held")
    wait_for(held.exists, timeout=20)
    assert not SandboxMessage.objects.exists()  # nothing goes inside the window
    wait_for(lambda: SandboxMessage.objects.count() == 2, timeout=40)  # beat releases it after
