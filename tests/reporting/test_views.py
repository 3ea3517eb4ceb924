"""The report pages, downloads, schedules and the dashboard, with the gateway's answer faked."""

import io
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import textconnect
from accounts.models import GatewayConnection
from inbound.models import Conversation
from messaging.models import Broadcast, Message
from reporting.dashboard import dashboard_figures
from reporting.models import BalancePoint, ReportSnapshot, ScheduledReport
from reporting.services import snapshots
from reporting.services.balance import balance_points_record
from reporting.services.schedules import scheduled_reports_send
from textconnect.advice import ADVICE

from .conftest import messages_csv

pytestmark = pytest.mark.django_db
INBOUND = (
    '"MessageID","From","Number","Message","Received Date","Status"\n'
    '"1","447700900111","447700900999","=HYPERLINK(""x"")","02/01/2026 12:00:00","Received"\n'
)


@pytest.fixture
def answer(workspace, monkeypatch, eager_tasks, django_capture_on_commit_callbacks):  # noqa: ANN001, ANN201
    """Set what the gateway's Report answers (text, or an exception to raise)."""
    GatewayConnection.objects.create(workspace=workspace, token="t" * 20)
    state = {"body": messages_csv(3), "commit": django_capture_on_commit_callbacks}

    def fake_body(client, report_type, start, end):  # noqa: ANN001, ANN202
        if isinstance(state["body"], Exception):
            raise state["body"]
        return state["body"]

    monkeypatch.setattr(snapshots, "report_body", fake_body)
    return state


def url(name: str, workspace, **kwargs) -> str:  # noqa: ANN001
    return reverse(f"reporting:{name}", kwargs={"slug": workspace.slug, **kwargs})


def request_report(client, workspace, answer=None, **data):  # noqa: ANN001, ANN003, ANN201
    """Post the request form; with `answer`, the fetch it queues runs at once."""
    form = {"report_type": "Messages", "preset": "yesterday", **data}
    if answer is None:
        return client.post(url("reports", workspace), form)
    with answer["commit"](execute=True):
        return client.post(url("reports", workspace), form)


def test_a_viewer_requests_a_report_and_sees_its_rows(client_for, viewer, workspace, answer):
    client = client_for(viewer)
    response = request_report(client, workspace, answer)
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"447700900002" in page.content and b"Fetched from the gateway" in page.content
    assert b'id="chart-data"' in page.content and b"Show as a table" in page.content


def test_the_progress_polls_while_working_and_reloads_when_done(
    client_for, viewer, workspace, answer
):
    client = client_for(viewer)
    page_url = request_report(client, workspace).url  # queued: its fetch never runs here
    htmx = {"HX-Request": "true", "HX-Target": "report-live"}
    polled = client.get(page_url, headers=htmx)
    assert b'hx-trigger="every 1s"' in polled.content and b"Queued" in polled.content
    ReportSnapshot.objects.update(state="ready", fetched_at=timezone.now())
    assert client.get(page_url, headers=htmx).headers["HX-Refresh"] == "true"


def test_opening_a_stale_report_of_today_fetches_it_again(
    client_for, viewer, workspace, answer, settings
):
    client = client_for(viewer)
    page_url = request_report(client, workspace, answer, preset="today").url
    old = timezone.now() - timedelta(seconds=settings.REPORTING_TTL_SECONDS + 1)
    ReportSnapshot.objects.update(fetched_at=old)
    with answer["commit"](execute=True):
        client.get(page_url)
    assert ReportSnapshot.objects.get().fetch_count == 2


def test_an_end_before_the_start_is_refused(client_for, viewer, workspace, answer):
    response = request_report(
        client_for(viewer), workspace, preset="custom", first="2026-02-10", last="2026-02-01"
    )
    assert response.status_code == 400 and b"end date is before the start" in response.content
    assert not ReportSnapshot.objects.exists()


def test_a_range_over_a_year_is_refused(client_for, viewer, workspace, answer):
    response = request_report(
        client_for(viewer), workspace, preset="custom", first="2024-01-01", last="2025-06-01"
    )
    assert response.status_code == 400 and b"at most 366 days" in response.content


@pytest.mark.parametrize("code", [-504, -505, -601])
def test_a_gateway_error_is_shown_with_what_to_do_and_its_code(
    client_for, viewer, workspace, answer, code
):
    answer["body"] = textconnect.error_for_code(code, "Refused by the gateway")
    client = client_for(viewer)
    page = client.get(request_report(client, workspace, answer).url).content.decode()
    advice = ADVICE[code]
    assert f"{advice.what}: {advice.do} (Refused by the gateway)".replace("'", "&#x27;") in page
    assert f'title="The gateway&#x27;s code">{code}</small>' in page and "Try again" in page


def test_a_malformed_report_is_shown_as_failed(client_for, viewer, workspace, answer):
    answer["body"] = messages_csv(2)[:-10]
    client = client_for(viewer)
    page = client.get(request_report(client, workspace, answer).url)
    assert b"truncated" in page.content and b"kept for support" in page.content


def snapshot_of(client, workspace, answer, body) -> ReportSnapshot:  # noqa: ANN001
    answer["body"] = body
    request_report(client, workspace, answer)
    return ReportSnapshot.objects.get()


def test_the_table_filters_sorts_and_pages(client_for, viewer, workspace, answer):
    client = client_for(viewer)
    body = messages_csv(60) + messages_csv(5, status="Failed", start=100).split("\n", 1)[1]
    snapshot = snapshot_of(client, workspace, answer, body)
    page_url = url("snapshot", workspace, snapshot_id=snapshot.public_id)
    failed = client.get(page_url, {"status": "Failed", "sort": "destination", "dir": "desc"})
    assert failed.content.count(b'<td class="nowrap">4477009001') == 5
    first = client.get(page_url)
    cursor = first.context["page"].next_cursor
    second = client.get(page_url, {"cursor": cursor})
    assert len(second.context["table"]) == 15
    assert client.get(page_url, {"cursor": "forged"}).context["table"][0][0][0] == "1"


def test_the_table_page_makes_a_bounded_number_of_queries(
    client_for, viewer, workspace, answer, django_assert_max_num_queries
):
    client = client_for(viewer)
    snapshot = snapshot_of(client, workspace, answer, messages_csv(120))
    with django_assert_max_num_queries(12):
        client.get(url("snapshot", workspace, snapshot_id=snapshot.public_id), {"sort": "sent_at"})


def test_the_csv_downloads_are_formula_safe(client_for, viewer, workspace, answer):
    client = client_for(viewer)
    answer["body"] = INBOUND
    request_report(client, workspace, answer, report_type="InboundMessages")
    snapshot = ReportSnapshot.objects.get()
    original = client.get(url("original", workspace, snapshot_id=snapshot.public_id))
    text = b"".join(original.streaming_content).decode()
    assert "'=HYPERLINK" in text and "MessageID" in text
    view = client.get(url("view_csv", workspace, snapshot_id=snapshot.public_id), {"q": "4477"})
    assert "'=HYPERLINK" in b"".join(view.streaming_content).decode()


def test_the_xlsx_download_is_a_workbook_of_the_view(client_for, viewer, workspace, answer):
    client = client_for(viewer)
    snapshot = snapshot_of(client, workspace, answer, messages_csv(3))
    response = client.get(url("view_xlsx", workspace, snapshot_id=snapshot.public_id))
    book = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    strings = book.read("xl/worksheets/sheet1.xml").decode()
    assert "447700900003" in strings and "Delivered" in strings


def test_the_raw_answer_is_for_admins(client_for, viewer, admin, workspace, answer):
    snapshot = snapshot_of(client_for(viewer), workspace, answer, messages_csv(1))
    raw = url("raw", workspace, snapshot_id=snapshot.public_id)
    assert client_for(viewer).get(raw).status_code == 403
    assert b"".join(client_for(admin).get(raw).streaming_content) == messages_csv(1).encode()


def test_a_final_report_is_not_refreshed(client_for, viewer, workspace, answer):
    client = client_for(viewer)
    snapshot = snapshot_of(client, workspace, answer, messages_csv(1))
    response = client.post(url("snapshot_refresh", workspace, snapshot_id=snapshot.public_id))
    assert response.status_code == 302
    assert ReportSnapshot.objects.get().fetch_count == 1


def test_a_new_workspace_sees_a_useful_empty_dashboard(client_for, viewer, workspace):
    page = client_for(viewer).get(url("dashboard", workspace))
    assert page.status_code == 200
    assert b"Getting started" in page.content and b"Nothing sent yet" in page.content
    assert b"nothing has gone wrong" in page.content
    assert b"No delivery reports in the last 7 days" in page.content


def test_the_dashboard_reads_the_portals_own_tables(client_for, viewer, workspace):
    broadcast = Broadcast.objects.create(
        workspace=workspace, body="Sale", source="Acme", status="partly_failed",
        idempotency_key="00000000-0000-0000-0000-000000000001", queued_at=timezone.now(),
        sent_count=10, delivered_count=8, failed_count=2, recipient_count=10,
    )  # fmt: skip
    Message.objects.create(
        workspace=workspace, broadcast=broadcast, destination="+447700900123", state="unknown"
    )
    Conversation.objects.create(
        workspace=workspace, number="+447700900124", last_message_at=timezone.now(),
        unread_count=3,
    )  # fmt: skip
    page = client_for(viewer).get(url("dashboard", workspace))
    figures = page.context["figures"]
    assert (figures.sent_today, figures.delivery_rate, figures.unknown_count) == (10, 80.0, 1)
    assert figures.unread == 3  # the nav badge's count
    assert b"1 message needs a decision" in page.content and b"Getting started" not in page.content


def test_the_sent_figures_cover_today_the_month_and_the_week_in_one_query(viewer, workspace):
    now = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)  # a Tuesday: the week reaches into February
    for n, days_ago in enumerate([0, 2, 5, 9]):
        Broadcast.objects.create(
            workspace=workspace, body="Sale", source="Acme", status="sent",
            idempotency_key=uuid.uuid4(), queued_at=now - timedelta(days=days_ago),
            sent_count=10**n, delivered_count=10**n, failed_count=n, undeliverable_count=1,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        figures = dashboard_figures(workspace, None, now=now)
    assert (figures.sent_today, figures.sent_month) == (1, 11)
    assert (figures.delivered_7d, figures.failed_7d) == (111, 6)
    sums = [q for q in queries if "messaging_broadcast" in q["sql"] and "SUM(" in q["sql"]]
    assert len(sums) == 1


def test_balance_points_are_recorded_once_per_check(workspace):
    GatewayConnection.objects.create(
        workspace=workspace, token="t" * 20, balance=Decimal("12.50"),
        balance_checked_at=timezone.now(),
    )  # fmt: skip
    balance_points_record()
    balance_points_record()
    assert BalancePoint.objects.get().balance == Decimal("12.50")


def test_an_admin_schedules_a_report_and_a_viewer_cannot(client_for, admin, viewer, workspace):
    data = {"report_type": "Usage", "frequency": "weekly", "recipients": [viewer.pk]}
    assert client_for(viewer).post(url("schedule_create", workspace), data).status_code == 403
    client_for(admin).post(url("schedule_create", workspace), data)
    schedule = ScheduledReport.objects.get()
    assert schedule.next_run_at.weekday() == 0 and list(schedule.recipients.all()) == [viewer]


def test_scheduling_and_removing_a_report_are_audited(client_for, admin, viewer, workspace):
    from accounts.models import AuditEvent

    data = {"report_type": "Usage", "frequency": "weekly", "recipients": [viewer.pk]}
    client_for(admin).post(url("schedule_create", workspace), data)
    schedule = ScheduledReport.objects.get()
    client_for(admin).post(url("schedule_delete", workspace, schedule_id=schedule.public_id))
    assert not ScheduledReport.objects.exists()
    created = AuditEvent.objects.get(action="scheduled_report_created", workspace=workspace)
    assert created.detail["recipients"] == [viewer.email]
    assert AuditEvent.objects.filter(action="scheduled_report_deleted").count() == 1


def test_a_due_schedule_mails_the_csv_to_members_once(workspace, admin, outsider, answer):
    answer["body"] = INBOUND
    schedule = ScheduledReport.objects.create(
        workspace=workspace, report_type="InboundMessages", frequency="daily",
        next_run_at=timezone.now() - timedelta(minutes=1),
    )  # fmt: skip
    schedule.recipients.set([admin, outsider])
    assert scheduled_reports_send() == 1
    assert scheduled_reports_send() == 0
    [message] = mail.outbox
    assert message.to == [admin.email]
    name, content, _ = message.attachments[0]
    assert name.endswith(".csv") and "'=HYPERLINK" in content
