"""Template filters of the report pages."""

import zoneinfo

from django import template

from reporting.models import ReportSnapshot, ReportType
from reporting.ranges import dates_label

register = template.Library()


@register.filter
def range_label(snapshot: ReportSnapshot, tz: str) -> str:
    """'18–24 Nov 2026', '28 Nov – 3 Dec 2026' or '1 Dec 2025 – 5 Jan 2026', in `tz`."""
    if snapshot.report_type == ReportType.OUTBOX:
        return "Messages not sent yet"
    zone = zoneinfo.ZoneInfo(tz)
    return dates_label(
        snapshot.range_start.astimezone(zone).date(), snapshot.range_end.astimezone(zone).date()
    )
