"""Recurring broadcasts: a rule on the workspace's wall clock, each occurrence made once by beat,
recipients resolved at each occurrence, and refusals that say why."""

import threading
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Group
from messaging.models import Broadcast, Series
from messaging.services import recurring
from messaging.services.compose import Draft, broadcast_create
from messaging.services.recurring import Repeat

from .conftest import uk

pytestmark = pytest.mark.django_db(transaction=True)
LONDON = ZoneInfo("Europe/London")


def test_a_weekly_series_stays_at_nine_across_both_clock_changes_of_2027():
    starts = datetime(2027, 3, 16, 9, 0, tzinfo=LONDON)  # a Tuesday
    rule = Repeat("weekly", days=(1,)).rule()
    dates = recurring.occurrences(rule, starts, LONDON, limit=36)
    assert {d.astimezone(LONDON).strftime("%a %H:%M") for d in dates} == {"Tue 09:00"}
    utc_hours = {d.date(): d.hour for d in dates}
    assert utc_hours[date(2027, 3, 23)] == 9  # GMT, before 28 March
    assert utc_hours[date(2027, 3, 30)] == 8  # BST after it
    assert utc_hours[date(2027, 10, 26)] == 8
    assert utc_hours[date(2027, 11, 2)] == 9  # GMT again after 31 October


def test_last_friday_and_weekdays_and_a_count():
    starts = datetime(2027, 1, 1, 18, 30, tzinfo=LONDON)
    last_friday = Repeat("monthly_weekday", ordinal=-1, weekday=4, count=3).rule()
    dates = recurring.occurrences(last_friday, starts, LONDON, limit=10)
    assert [d.astimezone(LONDON).date() for d in dates] == [
        date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26)
    ]  # fmt: skip
    weekdays = recurring.occurrences(Repeat("weekdays").rule(), starts, LONDON, limit=5)
    assert [d.astimezone(LONDON).strftime("%a") for d in weekdays] == [
        "Fri", "Mon", "Tue", "Wed", "Thu"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("repeat", "message"),
    [
        (Repeat("monthly_day", month_day=30, until=date(2027, 2, 28)), "never happens"),
        (Repeat("daily", until=date(2027, 1, 31)), "end date is before the first"),
        (Repeat("weekly"), "days of the week"),
    ],
    ids=["no-occurrence", "ends-before-it-starts", "weekly-without-days"],
)
def test_a_repetition_that_cannot_be_used_is_refused_with_the_reason(repeat, message):
    starts = datetime(2027, 2, 1, 9, 0, tzinfo=LONDON)
    with pytest.raises(Exception, match=message):
        recurring.clean_repeat(repeat, starts, LONDON)


def series_of(workspace, owner, **draft) -> Series:  # noqa: ANN001, ANN003
    starts = timezone.now() + timedelta(hours=1)
    fields = {"body": "Weekly offer", "source": "Acme", "schedule_at": starts,
              "repeat": Repeat("daily"), **draft}  # fmt: skip
    broadcast = broadcast_create(
        workspace=workspace, user=owner, draft=Draft(**fields), idempotency_key=uuid.uuid4()
    )
    return recurring.series_create(broadcast=broadcast, user=owner)


def test_beat_running_the_due_step_twice_at_once_makes_one_occurrence(gateway, workspace, owner):
    series = series_of(workspace, owner, numbers=[uk(180)])
    at = series.next_at + timedelta(seconds=1)
    start = threading.Barrier(2)

    def beat() -> None:
        start.wait()
        try:
            recurring.series_due(now=at)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recurring.series_due(now=at)  # and a third time, late
    assert Broadcast.objects.filter(series=series).count() == 1
    series.refresh_from_db()
    assert series.occurrences_made == 1 and series.next_at > at


def test_each_occurrence_sends_to_the_group_as_it_is_then(gateway, workspace, owner):
    group = Group.objects.create(workspace=workspace, name="Club")
    group.contacts.add(Contact.objects.create(workspace=workspace, number=uk(181)))
    series = series_of(workspace, owner, group_ids=[group.pk])
    group.contacts.add(Contact.objects.create(workspace=workspace, number=uk(182)))
    first = recurring.series_due(now=series.next_at)
    assert Broadcast.objects.get(pk=first[0]).recipient_count == 2


def test_an_occurrence_that_cannot_be_paid_for_is_skipped_with_a_mail_and_the_series_goes_on(
    gateway, workspace, owner, mailoutbox
):
    from accounts.models import GatewayConnection

    series = series_of(workspace, owner, numbers=[uk(183)])
    GatewayConnection.objects.filter(workspace=workspace).update(balance=0)
    due = series.next_at
    [broadcast_id] = recurring.series_due(now=due)
    broadcast = Broadcast.objects.get(pk=broadcast_id)
    assert broadcast.status == "failed" and "credits" in broadcast.status_reason
    assert "Skipped" in Series.objects.get(pk=series.pk).last_note
    assert any("was not sent" in mail.subject for mail in mailoutbox)
    assert Series.objects.get(pk=series.pk).next_at > due  # the next one is still to come


def test_a_series_pauses_resumes_and_ends(gateway, workspace, owner, client_for):
    series = series_of(workspace, owner, numbers=[uk(184)])
    client = client_for(owner)
    base = f"/w/{workspace.slug}/messages/repeating/{series.public_id}/"
    client.post(base + "pause/")
    assert recurring.series_due(now=series.next_at + timedelta(minutes=1)) == []
    client.post(base + "resume/")
    assert Series.objects.get(pk=series.pk).status == "active"
    client.post(base + "end/")
    series.refresh_from_db()
    assert (series.status, series.next_at) == ("ended", None)
    page = client.get(reverse("messaging:series_list", kwargs={"slug": workspace.slug}))
    assert "Weekly offer" in page.content.decode()


def test_the_list_shows_the_next_occurrence_as_a_weekday_and_time(
    gateway, workspace, owner, client_for
):
    series = series_of(workspace, owner, numbers=[uk(185)])
    label = recurring.occurrence_label(series)
    page = client_for(owner).get(reverse("messaging:series_list", kwargs={"slug": workspace.slug}))
    assert f"next: {label}" in page.content.decode()
