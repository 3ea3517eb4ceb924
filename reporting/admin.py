"""Operator admin for reporting: snapshots and rows read-only, schedules and balance points."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import BalancePoint, ReportRow, ReportSnapshot, ScheduledReport


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(ReadOnlyAdmin):
    list_display = (
        "report_type", "workspace", "range_start", "range_end", "state", "row_count", "fetched_at",
    )  # fmt: skip
    list_filter = ("state", "report_type")
    search_fields = ("workspace__slug", "public_id")
    list_select_related = ("workspace",)
    exclude = ("summary",)


@admin.register(ReportRow)
class ReportRowAdmin(ReadOnlyAdmin):
    list_display = ("snapshot", "seq", "message_id", "destination", "status", "sent_at")
    search_fields = ("message_id", "destination")
    raw_id_fields = ("snapshot", "workspace")
    show_full_result_count = False


@admin.register(ScheduledReport)
class ScheduledReportAdmin(admin.ModelAdmin):
    list_display = ("report_type", "frequency", "workspace", "next_run_at", "last_sent_at")
    list_filter = ("frequency", "report_type")
    raw_id_fields = ("workspace", "created_by")
    filter_horizontal = ("recipients",)


@admin.register(BalancePoint)
class BalancePointAdmin(ReadOnlyAdmin):
    list_display = ("workspace", "balance", "checked_at")
    list_select_related = ("workspace",)
