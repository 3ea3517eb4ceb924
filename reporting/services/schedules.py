"""Scheduled reports: a report type e-mailed as CSV to chosen members on a period."""

import csv
import io
import logging
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.csv_export import safe_cell
from accounts.models import Membership, User, Workspace

from ..columns import columns_for, row_values
from ..models import Frequency, ReportSnapshot, ScheduledReport, SnapshotState
from ..ranges import ReportRange
from .snapshots import snapshot_fetch, snapshot_request

logger = logging.getLogger(__name__)
SEND_HOUR = time(6, 0)


def next_run(frequency: str, tz: str, after: datetime) -> datetime:
    """The next 06:00 (workspace time) after `after` that starts a period: daily, Mondays, 1sts."""
    zone = zoneinfo.ZoneInfo(tz)
    day = after.astimezone(zone).date() + timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        day += timedelta(days=(7 - day.weekday()) % 7)
    elif frequency == Frequency.MONTHLY:
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1) if day.day != 1 else day
    return datetime.combine(day, SEND_HOUR, zone)


def period_range(frequency: str, tz: str, now: datetime) -> ReportRange:
    """The period a run covers: yesterday, the 7 days up to yesterday, or last month."""
    yesterday = now.astimezone(zoneinfo.ZoneInfo(tz)).date() - timedelta(days=1)
    if frequency == Frequency.DAILY:
        return ReportRange(yesterday, yesterday, tz)
    if frequency == Frequency.WEEKLY:
        return ReportRange(yesterday - timedelta(days=6), yesterday, tz)
    last_day = now.astimezone(zoneinfo.ZoneInfo(tz)).date().replace(day=1) - timedelta(days=1)
    return ReportRange(last_day.replace(day=1), last_day, tz)


def scheduled_report_create(
    *,
    workspace: Workspace,
    report_type: str,
    frequency: str,
    recipients: list[User],
    user: User | None,
    now: datetime | None = None,
) -> ScheduledReport:
    now = now or timezone.now()
    schedule = ScheduledReport.objects.create(
        workspace=workspace,
        report_type=report_type,
        frequency=frequency,
        created_by=user,
        next_run_at=next_run(frequency, workspace.time_zone, now),
    )
    schedule.recipients.set(recipients)
    audit_record(
        "scheduled_report_created",
        workspace=workspace,
        actor=user,
        obj=schedule,
        report_type=report_type,
        frequency=frequency,
        recipients=[r.email for r in recipients],
    )
    return schedule


def scheduled_report_delete(*, schedule: ScheduledReport, user: User | None) -> None:
    audit_record("scheduled_report_deleted", workspace=schedule.workspace, actor=user, obj=schedule)
    schedule.delete()


def workspaces_with_reports_due(*, now: datetime | None = None) -> list[int]:
    """Workspaces with a scheduled report due (beat queues one task for each)."""
    now = now or timezone.now()
    return list(
        ScheduledReport.objects.filter(next_run_at__lte=now)
        .order_by()
        .values_list("workspace_id", flat=True)
        .distinct()
    )


def scheduled_reports_send(*, now: datetime | None = None, workspace_id: int | None = None) -> int:
    """Send every due schedule (of one workspace, or all) once: the claim moves `next_run_at` on
    before anything is sent."""
    now = now or timezone.now()
    sent = 0
    due = ScheduledReport.objects.filter(next_run_at__lte=now).select_related("workspace")
    if workspace_id is not None:
        due = due.filter(workspace_id=workspace_id)
    for schedule in list(due[:500]):
        following = next_run(schedule.frequency, schedule.workspace.time_zone, now)
        claimed = ScheduledReport.objects.filter(
            pk=schedule.pk, next_run_at=schedule.next_run_at
        ).update(next_run_at=following)
        if claimed and scheduled_report_send(schedule=schedule, now=now):
            sent += 1
    return sent


def scheduled_report_send(*, schedule: ScheduledReport, now: datetime) -> bool:
    """Fetch (or reuse) the period's snapshot and mail it to the recipients still members."""
    workspace = schedule.workspace
    rng = period_range(schedule.frequency, workspace.time_zone, now)
    with transaction.atomic():
        snapshot = snapshot_request(
            workspace=workspace, report_type=schedule.report_type, rng=rng, now=now, enqueue=False
        )
    if snapshot.state == SnapshotState.QUEUED:
        snapshot = snapshot_fetch(snapshot_id=snapshot.pk) or snapshot
    snapshot.refresh_from_db()
    if snapshot.state != SnapshotState.READY:
        error = snapshot.error_text or f"The report was still {snapshot.get_state_display()}."
        ScheduledReport.objects.filter(pk=schedule.pk).update(last_error=error[:500])
        return False
    members = Membership.objects.for_workspace(workspace).values_list("user_id", flat=True)
    emails = list(
        schedule.recipients.filter(pk__in=members, is_active=True).values_list("email", flat=True)
    )
    if not emails:
        return False
    _mail(schedule, snapshot, rng, emails)
    ScheduledReport.objects.filter(pk=schedule.pk).update(last_sent_at=now, last_error="")
    return True


def snapshot_csv_text(snapshot: ReportSnapshot, limit: int) -> tuple[str, bool]:
    """The snapshot's rows as formula-safe CSV text (at most `limit` rows); and whether cut."""
    columns = columns_for(snapshot.report_type)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label for c in columns])
    rows = snapshot.rows.order_by("seq")[: limit + 1]
    cut = False
    for index, row in enumerate(rows.iterator(chunk_size=2000)):
        if index >= limit:
            cut = True
            break
        writer.writerow([safe_cell(value) for value in row_values(row, columns)])
    return out.getvalue(), cut


def _mail(schedule: ScheduledReport, snapshot: ReportSnapshot, rng: ReportRange, to: list) -> None:
    text, cut = snapshot_csv_text(snapshot, settings.REPORTING_EMAIL_MAX_ROWS)
    kwargs = {"slug": schedule.workspace.slug, "snapshot_id": snapshot.public_id}
    url = settings.SITE_URL.rstrip("/") + reverse("reporting:snapshot", kwargs=kwargs)
    context = {
        "schedule": schedule,
        "snapshot": snapshot,
        "workspace": schedule.workspace,
        "range_label": rng.label(),
        "url": url,
        "cut": cut,
        "limit": settings.REPORTING_EMAIL_MAX_ROWS,
    }
    subject = render_to_string("reporting/email/scheduled_report_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("reporting/email/scheduled_report.txt", context),
        to=to,
    )
    message.attach_alternative(
        render_to_string("reporting/email/scheduled_report.html", context), "text/html"
    )
    name = f"{schedule.report_type}-{rng.first:%Y%m%d}-{rng.last:%Y%m%d}.csv"
    message.attach(name, text, "text/csv")
    message.send()
