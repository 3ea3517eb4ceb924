"""Template filters of the report pages."""

import zoneinfo

from django import template

from reporting.models import ReportSnapshot, ReportType

register = template.Library()


@register.filter
def range_label(snapshot: ReportSnapshot, tz: str) -> str:
    """'18–24 Nov 2026', '28 Nov – 3 Dec 2026' or '1 Dec 2025 – 5 Jan 2026', in `tz`."""
    if snapshot.report_type == ReportType.OUTBOX:
        return "Messages not sent yet"
    zone = zoneinfo.ZoneInfo(tz)
    first = snapshot.range_start.astimezone(zone).date()
    last = snapshot.range_end.astimezone(zone).date()
    if first == last:
        return f"{last:%-d %b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%-d}–{last:%-d %b %Y}"
    if first.year == last.year:
        return f"{first:%-d %b} – {last:%-d %b %Y}"
    return f"{first:%-d %b %Y} – {last:%-d %b %Y}"
