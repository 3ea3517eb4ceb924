"""Charts from a snapshot's summary: drawn by static/js/reports.js, with a table fallback."""

from .models import ReportSnapshot, ReportType


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
    days = summary.get("days", {})
    if kind == ReportType.INBOUND:
        return [
            {
                "id": "volume",
                "kind": "bar",
                "title": "Inbound messages per day",
                "labels": list(days),
                "series": [{"label": "Messages", "data": [v[0] for v in days.values()]}],
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
                        "data": [round(100 * v[1] / v[0], 1) if v[0] else 0 for v in days.values()],
                    }
                ],
            }
        )
    charts.append(_status_chart(summary, "Messages by status"))
    return charts
