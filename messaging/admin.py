from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import Broadcast, GatewayCallCount, Message, MessageTemplate, SenderID


@admin.register(Broadcast)
class BroadcastAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "workspace", "source", "kind", "status", "recipient_count",
                    "delivered_count", "failed_count"]  # fmt: skip
    list_filter = ["status", "kind"]
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
