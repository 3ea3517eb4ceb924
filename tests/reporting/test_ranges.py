"""Range presets in the workspace's time zone, and the periods scheduled reports cover."""

from datetime import UTC, date, datetime

import pytest

from accounts.models import Workspace
from reporting.models import ReportSnapshot
from reporting.ranges import RangeError, dates_label, preset_range
from reporting.services.schedules import next_run, period_range
from reporting.services.snapshots import snapshot_is_final

# 23:30 UTC on 31 January is already 1 February in Auckland.
NOW = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("today", date(2026, 1, 31), date(2026, 1, 31)),
        ("yesterday", date(2026, 1, 30), date(2026, 1, 30)),
        ("last_7_days", date(2026, 1, 25), date(2026, 1, 31)),
        ("this_month", date(2026, 1, 1), date(2026, 1, 31)),
        ("last_month", date(2025, 12, 1), date(2025, 12, 31)),
    ],
)
def test_presets_are_whole_days_in_the_workspace_zone(preset, first, last):
    rng = preset_range(preset, tz="Europe/London", now=NOW)
    assert (rng.first, rng.last) == (first, last)
    assert rng.end.hour == 23 and rng.end.second == 59


def test_today_depends_on_the_workspace_zone():
    rng = preset_range("today", tz="Pacific/Auckland", now=NOW)
    assert rng.first == date(2026, 2, 1)
    assert rng.start == datetime(2026, 1, 31, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("preset", "report_type", "final"),
    [("yesterday", "Messages", True), ("today", "Messages", False),
     ("yesterday", "Outbox", False)],
)  # fmt: skip
def test_a_snapshot_is_final_once_its_range_ended_before_today(preset, report_type, final):
    """What the cache keeps for good (snapshot_is_final is the one rule; ranges have no other)."""
    rng = preset_range(preset, tz="Europe/London", now=NOW)
    workspace = Workspace(time_zone="Europe/London")
    snapshot = ReportSnapshot(
        workspace=workspace, report_type=report_type, range_start=rng.start, range_end=rng.end
    )
    assert snapshot_is_final(snapshot, NOW) is final


def test_custom_ranges_are_checked(settings):
    settings.REPORTING_MAX_RANGE_DAYS = 366
    with pytest.raises(RangeError, match="before the start"):
        preset_range("custom", tz="UTC", now=NOW, first=date(2026, 1, 2), last=date(2026, 1, 1))
    with pytest.raises(RangeError, match="at most 366 days"):
        preset_range("custom", tz="UTC", now=NOW, first=date(2024, 1, 1), last=date(2025, 1, 1))
    assert preset_range(
        "custom", tz="UTC", now=NOW, first=date(2025, 1, 1), last=date(2025, 12, 31)
    )


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("daily", datetime(2026, 2, 1, 6, 0, tzinfo=UTC)),
        ("weekly", datetime(2026, 2, 2, 6, 0, tzinfo=UTC)),  # the Monday after
        ("monthly", datetime(2026, 2, 1, 6, 0, tzinfo=UTC)),
    ],
)
def test_schedules_run_at_six_on_the_day_a_period_starts(frequency, expected):
    assert next_run(frequency, "UTC", datetime(2026, 1, 31, 12, 0, tzinfo=UTC)) == expected


def test_a_monthly_report_covers_last_month():
    rng = period_range("monthly", "UTC", datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
    assert (rng.first, rng.last) == (date(2026, 2, 1), date(2026, 2, 28))


def test_pages_and_mails_label_a_range_alike():
    rng = preset_range("last_7_days", tz="Europe/London", now=NOW)
    assert rng.label() == dates_label(rng.first, rng.last)
    assert dates_label(date(2026, 11, 18), date(2026, 11, 24)) == "18–24 Nov 2026"
    assert dates_label(date(2026, 11, 28), date(2026, 12, 3)) == "28 Nov – 3 Dec 2026"
    assert dates_label(date(2025, 12, 1), date(2026, 1, 5)) == "1 Dec 2025 – 5 Jan 2026"
