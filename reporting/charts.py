"""Charts from a snapshot's summary: drawn by static/js/reports.js, with a table fallback."""

import zoneinfo
from datetime import date, timedelta

from django.utils.translation import gettext as _

from .models import ReportSnapshot, ReportType

MAX_DAYS = 92  # longer ranges chart only the days that have rows


def _status_chart(summary: dict, title: str) -> dict:
    by_status = summary.get("by_status", {})
    return {
        "id": "status",
        "kind": "bar",
        "title": title,
        "labels": list(by_status),
        "series": [{"label": "Messages", "data": list(by_status.values())}],
        "tones": True,  # each bar in its status's colour (static/css/app.css)
    }


def snapshot_charts(snapshot: ReportSnapshot) -> list[dict]:
    """The charts a report type gets, each with `rows` for its table fallback."""
    charts = _charts(snapshot)
    for chart in charts:
        columns = [s["data"] for s in chart["series"]]
        chart["rows"] = [list(cells) for cells in zip(chart["labels"], *columns, strict=True)]
    return charts


def _charts(snapshot: ReportSnapshot) -> list[dict]:
    summary = snapshot.summary or {}
    if not summary.get("by_status"):
        return []
    kind = snapshot.report_type
    if kind == ReportType.USAGE:
        return [_status_chart(summary, "Messages by status")]
    days = _every_day(snapshot, summary.get("days", {}))
    if kind == ReportType.INBOUND:
        volume = [v[0] if v else 0 for v in days.values()]
        chart = {
            "id": "volume",
            "kind": "bar",
            "title": "Inbound messages per day",
            "labels": [label for label, _day in days],
            "x": [day.isoformat() for _label, day in days],
            "series": [{"label": "Messages", "data": volume}],
        }
        if len(days) == 1:
            chart |= {"kind": "figure", "figure": str(volume[0]), "note": _("messages that day")}
        return [chart]
    charts = []
    if kind == ReportType.MESSAGES and days:
        rates = [round(100 * v[1] / v[0], 1) if v else None for v in days.values()]
        chart = {
            "id": "delivery",
            "kind": "line",
            "title": "Delivery rate per day (%)",
            "percent": True,
            "tone": "delivered",
            "labels": [label for label, _day in days],
            "x": [day.isoformat() for _label, day in days],
            "series": [{"label": "Delivered %", "data": rates}],
        }
        if len(days) == 1:  # one day is a figure, not a line on an empty axis
            (rows, delivered) = next(iter(days.values())) or (0, 0)
            chart |= {
                "kind": "figure",
                "title": _("Delivery rate"),
                "figure": "—" if rates[0] is None else f"{rates[0]:g}%",
                "note": _("%(delivered)s of %(rows)s delivered")
                % {"delivered": delivered, "rows": rows},
            }
        charts.append(chart)
    charts.append(_status_chart(summary, "Messages by status"))
    return charts


def _every_day(snapshot: ReportSnapshot, days: dict) -> dict:
    """(Day label, date) -> [rows, delivered] for each day of the range (None on days without
    rows); ranges longer than MAX_DAYS keep only the days with rows, so the days are uneven."""
    zone = zoneinfo.ZoneInfo(snapshot.workspace.time_zone)
    first = snapshot.range_start.astimezone(zone).date()
    last = snapshot.range_end.astimezone(zone).date()
    if (last - first).days >= MAX_DAYS:
        keys = [date.fromisoformat(day) for day in days]
    else:
        keys = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return {(f"{day:%-d %b}", day): days.get(day.isoformat()) for day in sorted(keys)}
