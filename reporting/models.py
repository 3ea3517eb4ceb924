"""Cached gateway reports (snapshots and their rows), balance history and scheduled reports."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Workspace
from accounts.tenancy import WorkspaceScopedManager


class ReportType(models.TextChoices):
    MESSAGES = "Messages", _("Messages")
    OUTBOX = "Outbox", _("Outbox")
    USAGE = "Usage", _("Usage")
    INBOUND = "InboundMessages", _("Inbound messages")
    FAILED = "FailedMessages", _("Failed messages")


class SnapshotState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    FETCHING = "fetching", _("Fetching")
    PARSING = "parsing", _("Parsing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


WORKING_STATES = (SnapshotState.QUEUED, SnapshotState.FETCHING, SnapshotState.PARSING)


class ReportSnapshot(models.Model):
    """One report type over one range for one workspace: the raw CSV, its rows and a summary."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    report_type = models.CharField(max_length=20, choices=ReportType.choices)
    range_start = models.DateTimeField()
    range_end = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=SnapshotState.choices, default=SnapshotState.QUEUED
    )
    error_code = models.IntegerField(null=True, blank=True)
    error_text = models.CharField(max_length=500, blank=True)
    raw_file = models.FileField(upload_to="reports/", max_length=300, blank=True)
    raw_bytes = models.BigIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)  # chart figures, computed while parsing
    is_final = models.BooleanField(default=False)  # the range had ended before the fetch's day
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)  # when the gateway answered
    fetch_count = models.PositiveIntegerField(default=0)  # gateway calls spent on this snapshot
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="snapshot_recent_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "report_type", "range_start", "range_end"],
                name="snapshot_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_type} {self.range_start:%Y-%m-%d}..{self.range_end:%Y-%m-%d}"

    @property
    def is_working(self) -> bool:
        return self.state in WORKING_STATES


class ReportRow(models.Model):
    """A row of a snapshot, typed. Columns are shared by the report types (see reporting.columns).

    Inbound rows keep `From` in `source`, `Number` in `destination`, `Received Date` in `sent_at`
    and the text in `body`; Usage rows keep their count in `count`.
    """

    # No database FK constraints: checking two per row nearly doubled the time to store a million
    # rows. Rows are written only by rows_store and deleted with their snapshot (Django's cascade).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    snapshot = models.ForeignKey(
        ReportSnapshot,
        on_delete=models.CASCADE,
        related_name="rows",
        db_index=False,
        db_constraint=False,
    )
    seq = models.PositiveIntegerField()  # the row's place in the gateway's CSV
    message_id = models.CharField(max_length=40, blank=True)
    username = models.CharField(max_length=100, blank=True)
    destination = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=40, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    body = models.TextField(blank=True)
    count = models.IntegerField(null=True, blank=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["snapshot", "status", "seq"], name="reportrow_status_idx"),
            models.Index(fields=["snapshot", "destination", "seq"], name="reportrow_dest_idx"),
            models.Index(fields=["snapshot", "sent_at", "seq"], name="reportrow_sent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "snapshot", "seq"], name="reportrow_unique_seq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}#{self.seq}"


class BalancePoint(models.Model):
    """The credit balance as it was checked at a moment (the dashboard's trend)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    balance = models.DecimalField(max_digits=14, decimal_places=2)
    checked_at = models.DateTimeField()

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-checked_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "checked_at"], name="balance_point_unique")
        ]

    def __str__(self) -> str:
        return f"{self.balance} at {self.checked_at:%Y-%m-%d %H:%M}"


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily (yesterday)")
    WEEKLY = "weekly", _("Weekly (the last 7 days, on Mondays)")
    MONTHLY = "monthly", _("Monthly (last month, on the 1st)")


class ScheduledReport(models.Model):
    """A report type e-mailed as CSV to chosen members, daily, weekly or monthly."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    report_type = models.CharField(max_length=20, choices=ReportType.choices)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    next_run_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["report_type", "frequency"]
        indexes = [
            models.Index(fields=["workspace", "report_type"], name="schedreport_ws_idx"),
            models.Index(fields=["next_run_at"], name="schedreport_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.report_type} {self.frequency}"
