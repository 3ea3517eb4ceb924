"""Against the sandbox over HTTP: each report type fetched, kept and parsed; gateway errors."""

from datetime import timedelta

import pytest
from django.utils import timezone

import textconnect
from accounts.gateway import client_for
from reporting.gateway import report_body
from reporting.models import ReportRow
from reporting.ranges import ReportRange, today_in
from reporting.services.snapshots import snapshot_request
from sandbox.inbound import receive

pytestmark = pytest.mark.django_db


def fetch(workspace, report_type: str):  # noqa: ANN001, ANN201
    today = today_in(workspace.time_zone, timezone.now())
    rng = ReportRange(today - timedelta(days=1), today, workspace.time_zone)
    snapshot = snapshot_request(workspace=workspace, report_type=report_type, rng=rng)
    snapshot.refresh_from_db()
    assert snapshot.state == "ready", snapshot.error_text
    return snapshot


def test_messages_report_holds_every_part_with_its_status(workspace, send, eager_tasks):
    send(["+447700900123", "+447700900002"])
    snapshot = fetch(workspace, "Messages")
    assert snapshot.row_count == 2
    assert snapshot.summary["by_status"] == {"Delivered": 1, "Failed": 1}
    row = ReportRow.objects.get(snapshot=snapshot, destination="447700900123")
    assert row.source == "Acme" and row.sent_at is not None and row.delivered_at is not None
    assert snapshot.raw_file.read().startswith(b'"MessageID","Username"')


def test_failed_messages_report_has_only_failures(workspace, send, eager_tasks):
    send(["+447700900123", "+447700900002"])
    snapshot = fetch(workspace, "FailedMessages")
    assert list(ReportRow.objects.filter(snapshot=snapshot).values_list("status", flat=True)) == [
        "Failed"
    ]


def test_usage_report_counts_per_status(workspace, send, eager_tasks):
    send(["+447700900123", "+447700900124", "+447700900002"])
    snapshot = fetch(workspace, "Usage")
    assert snapshot.summary["by_status"] == {"Delivered": 2, "Failed": 1}


def test_outbox_report_lists_scheduled_messages(workspace, gateway, eager_tasks):
    later = timezone.now() + timedelta(days=2)
    client_for(workspace).send(["+447700900123"], "Acme", "Later", schedule=later)
    snapshot = fetch(workspace, "Outbox")
    assert snapshot.row_count == 1
    assert ReportRow.objects.get(snapshot=snapshot).status == "Pending"


def test_inbound_report_keeps_commas_and_quotes(workspace, gateway, eager_tasks):
    receive(
        to="447700900999", sender="447700900555", text='Yes, "please", call', start_forwarding=False
    )
    snapshot = fetch(workspace, "InboundMessages")
    row = ReportRow.objects.get(snapshot=snapshot)
    assert row.body == 'Yes, "please", call' and row.source == "447700900555"


def test_an_empty_report_is_ready_with_no_rows(workspace, gateway, eager_tasks):
    snapshot = fetch(workspace, "Messages")
    assert snapshot.row_count == 0 and snapshot.summary["by_status"] == {}


def test_an_end_before_the_start_is_refused_before_any_call(workspace, gateway):
    now = timezone.now()
    with pytest.raises(ValueError, match="end must not be before start"):
        report_body(client_for(workspace), "Messages", now, now - timedelta(days=1))


def test_the_gateway_refuses_an_unknown_report_type(workspace, gateway):
    now = timezone.now()
    with pytest.raises(textconnect.TextConnectError) as raised:
        report_body(client_for(workspace), "Bogus", now - timedelta(days=1), now)
    assert raised.value.code == -601
