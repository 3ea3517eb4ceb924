"""Report ranges: presets in the workspace's time zone, as aware datetimes."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings

PRESETS = {
    "today": "Today",
    "yesterday": "Yesterday",
    "last_7_days": "Last 7 days",
    "this_month": "This month",
    "last_month": "Last month",
    "custom": "Custom",
}


class RangeError(ValueError):
    """A range the portal refuses (end before start, longer than the limit)."""


@dataclass(frozen=True)
class ReportRange:
    """Whole days `first`..`last` (inclusive) in a time zone, as [start, end] instants.

    `end` is the last second of `last` (23:59:59), since the gateway's `To` is inclusive.
    """

    first: date
    last: date
    tz: str

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, zoneinfo.ZoneInfo(self.tz))

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last, time(23, 59, 59), zoneinfo.ZoneInfo(self.tz))

    def label(self) -> str:
        return dates_label(self.first, self.last)


def dates_label(first: date, last: date) -> str:
    """'18–24 Nov 2026', '28 Nov – 3 Dec 2026' or '1 Dec 2025 – 5 Jan 2026'."""
    if first == last:
        return f"{last:%-d %b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%-d}–{last:%-d %b %Y}"
    if first.year == last.year:
        return f"{first:%-d %b} – {last:%-d %b %Y}"
    return f"{first:%-d %b %Y} – {last:%-d %b %Y}"


def today_in(tz: str, now: datetime) -> date:
    return now.astimezone(zoneinfo.ZoneInfo(tz)).date()


def preset_range(
    preset: str,
    *,
    tz: str,
    now: datetime,
    first: date | None = None,
    last: date | None = None,
) -> ReportRange:
    """The range a preset names on the day `now` falls on in `tz` (custom: `first`..`last`)."""
    today = today_in(tz, now)
    month_start = today.replace(day=1)
    if preset == "today":
        return ReportRange(today, today, tz)
    if preset == "yesterday":
        day = today - timedelta(days=1)
        return ReportRange(day, day, tz)
    if preset == "last_7_days":
        return ReportRange(today - timedelta(days=6), today, tz)
    if preset == "this_month":
        return ReportRange(month_start, today, tz)
    if preset == "last_month":
        last_day = month_start - timedelta(days=1)
        return ReportRange(last_day.replace(day=1), last_day, tz)
    if preset == "custom":
        return custom_range(first, last, tz=tz)
    raise RangeError(f"Unknown range {preset!r}.")


def custom_range(first: date | None, last: date | None, *, tz: str) -> ReportRange:
    """A custom range, checked: both ends given, end not before start, at most the day limit."""
    if first is None or last is None:
        raise RangeError("Give both a start and an end date.")
    if last < first:
        raise RangeError("The end date is before the start date.")
    days = (last - first).days + 1
    if days > settings.REPORTING_MAX_RANGE_DAYS:
        raise RangeError(
            f"A report covers at most {settings.REPORTING_MAX_RANGE_DAYS} days; this range has "
            f"{days}. Request it in parts (for example one month at a time)."
        )
    return ReportRange(first, last, tz)
