"""Operator admin for inbound: VMNs (auth values never shown), texts read-only, rules."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import AutoReplyRule, Conversation, InboundMessage, InboxSettings, VirtualNumber


@admin.register(VirtualNumber)
class VirtualNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "label", "workspace", "method", "auth_rotated_at", "created_at"]
    search_fields = ["number", "label", "workspace__name"]
    list_filter = ["method"]
    fields = ["workspace", "number", "label", "method", "auth_rotated_at", "previous_auth_until"]
    readonly_fields = ["auth_rotated_at", "previous_auth_until"]


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["gateway_id", "source", "dest", "workspace", "received_at", "recovered"]
    list_filter = ["recovered", "is_read", "opt_action"]
    search_fields = ["source", "gateway_id", "dest"]
    date_hierarchy = "received_at"


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["number", "contact", "workspace", "last_message_at", "unread_count"]
    search_fields = ["number"]
    raw_id_fields = ["contact", "vmn"]


@admin.register(AutoReplyRule)
class AutoReplyRuleAdmin(admin.ModelAdmin):
    list_display = ["keyword", "workspace", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["keyword", "reply"]


@admin.register(InboxSettings)
class InboxSettingsAdmin(admin.ModelAdmin):
    list_display = ["workspace", "opt_out_words", "reconciled_until"]
