"""Charts from a snapshot's summary: drawn by static/js/reports.js, with a table fallback."""

import zoneinfo
from datetime import date, timedelta

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
        return [
            {
                "id": "volume",
                "kind": "bar",
                "title": "Inbound messages per day",
                "labels": list(days),
                "series": [{"label": "Messages", "data": volume}],
            }
        ]
    charts = []
    if kind == ReportType.MESSAGES and days:
        charts.append(
            {
                "id": "delivery",
                "kind": "line",
                "title": "Delivery rate per day (%)",
                "percent": True,
                "labels": list(days),
                "series": [
                    {
                        "label": "Delivered %",
                        "data": [round(100 * v[1] / v[0], 1) if v else None for v in days.values()],
                    }
                ],
            }
        )
    charts.append(_status_chart(summary, "Messages by status"))
    return charts


def _every_day(snapshot: ReportSnapshot, days: dict) -> dict:
    """Day label -> [rows, delivered] for each day of the range (None on days without rows)."""
    zone = zoneinfo.ZoneInfo(snapshot.workspace.time_zone)
    first = snapshot.range_start.astimezone(zone).date()
    last = snapshot.range_end.astimezone(zone).date()
    if (last - first).days >= MAX_DAYS:
        keys = [date.fromisoformat(day) for day in days]
    else:
        keys = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return {f"{day:%-d %b}": days.get(day.isoformat()) for day in keys}
