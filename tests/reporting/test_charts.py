"""Report charts: days on a time axis, one day as a single figure, statuses in their tones."""

from datetime import UTC, datetime

import pytest

from reporting.charts import snapshot_charts

from .conftest import HEADER, messages_csv

pytestmark = pytest.mark.django_db


def test_a_one_day_range_is_a_figure_not_an_empty_axis(make_snapshot):
    body = messages_csv(3) + messages_csv(1, status="Failed", start=4).removeprefix(HEADER)
    charts = {c["id"]: c for c in snapshot_charts(make_snapshot(body))}
    assert charts["delivery"]["kind"] == "figure"
    assert charts["delivery"]["figure"] == "75%"
    assert charts["delivery"]["note"] == "3 of 4 delivered"


def test_a_longer_range_puts_each_day_on_the_time_axis(make_snapshot):
    snapshot = make_snapshot(
        messages_csv(2), start=datetime(2025, 12, 30, tzinfo=UTC),
        end=datetime(2026, 1, 1, 23, 59, 59, tzinfo=UTC),
    )  # fmt: skip
    delivery = {c["id"]: c for c in snapshot_charts(snapshot)}["delivery"]
    assert delivery["kind"] == "line"
    assert delivery["x"] == ["2025-12-30", "2025-12-31", "2026-01-01"]
    assert delivery["series"][0]["data"] == [None, None, 100.0]


def test_the_status_bars_take_their_colours_from_the_status_tones(make_snapshot):
    status = {c["id"]: c for c in snapshot_charts(make_snapshot(messages_csv(1)))}["status"]
    assert status["tones"] is True
    assert status["labels"] == ["Delivered"]
