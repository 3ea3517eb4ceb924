from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import (
    ApprovalPolicy,
    Broadcast,
    DispatchRun,
    GatewayCallCount,
    LinkClick,
    LinkSettings,
    MarketingSettings,
    Message,
    MessageTemplate,
    QuietHours,
    SenderID,
    Series,
    TrackedLink,
)


@admin.register(Broadcast)
class BroadcastAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "workspace", "source", "kind", "status", "recipient_count",
                    "delivered_count", "failed_count"]  # fmt: skip
    list_filter = ["status", "kind", "marketing"]
    search_fields = ["public_id", "workspace__name", "source", "body", "bg_send_id"]
    date_hierarchy = "created_at"
    raw_id_fields = ["workspace", "created_by", "retry_of"]


class MessageEventInline(admin.TabularInline):
    from .models import MessageEvent

    model = MessageEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "state", "gateway_status", "note"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Searchable by number and by the gateway's message ID."""

    list_display = [
        "queued_at",
        "workspace",
        "destination",
        "state",
        "gateway_status",
        "gateway_id",
    ]
    list_filter = ["state"]
    search_fields = ["=destination", "=gateway_id", "=public_id"]
    raw_id_fields = ["workspace", "broadcast", "contact"]
    inlines = [MessageEventInline]
    show_full_result_count = False


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "updated_at"]
    search_fields = ["name", "workspace__name"]
    raw_id_fields = ["workspace"]


@admin.register(SenderID)
class SenderIDAdmin(admin.ModelAdmin):
    list_display = ["value", "workspace", "is_default"]
    search_fields = ["value", "workspace__name"]
    raw_id_fields = ["workspace"]


@admin.register(GatewayCallCount)
class GatewayCallCountAdmin(ReadOnlyAdmin):
    list_display = ["day", "workspace", "report_calls", "status_calls", "finals", "calls_per_final"]
    list_filter = ["day"]
    search_fields = ["workspace__name"]


@admin.register(DispatchRun)
class DispatchRunAdmin(ReadOnlyAdmin):
    """Dispatch runs and their leases: a run still alive holds its rows from the reconciler."""

    list_display = ["started_at", "workspace", "broadcast", "worker", "alive_until", "ended_at",
                    "rows"]  # fmt: skip
    search_fields = ["=public_id", "worker"]
    raw_id_fields = ["workspace", "broadcast"]
    date_hierarchy = "started_at"


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["created_at", "workspace", "rule", "status", "next_at", "occurrences_made"]
    list_filter = ["status"]
    search_fields = ["=public_id", "workspace__name", "body"]
    raw_id_fields = ["workspace", "created_by"]
    readonly_fields = ["occurrences_made", "last_note"]


@admin.register(QuietHours)
class QuietHoursAdmin(admin.ModelAdmin):
    list_display = ["workspace", "enabled", "start", "end", "quiet_days"]
    search_fields = ["workspace__name"]
    raw_id_fields = ["workspace"]


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(admin.ModelAdmin):
    list_display = ["workspace", "enabled", "recipients_over", "credits_over"]
    search_fields = ["workspace__name"]
    raw_id_fields = ["workspace"]


@admin.register(LinkSettings)
class LinkSettingsAdmin(admin.ModelAdmin):
    list_display = ["workspace", "expire_days"]
    search_fields = ["workspace__name"]


@admin.register(MarketingSettings)
class MarketingSettingsAdmin(admin.ModelAdmin):
    list_display = ["workspace", "opt_out_footer"]
    search_fields = ["workspace__name"]
    raw_id_fields = ["workspace"]


@admin.register(TrackedLink)
class TrackedLinkAdmin(ReadOnlyAdmin):
    list_display = ["code", "workspace", "url", "clicks", "other_hits", "expires_at"]
    search_fields = ["code", "url", "workspace__name"]


@admin.register(LinkClick)
class LinkClickAdmin(ReadOnlyAdmin):
    list_display = ["at", "link", "counted", "reason", "user_agent"]
    list_filter = ["counted", "reason"]
