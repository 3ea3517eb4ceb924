"""Every sandbox model in the Django admin; account tokens and password hashes stay hidden."""

from django.contrib import admin

from . import models


@admin.register(models.SandboxAccount)
class SandboxAccountAdmin(admin.ModelAdmin):
    list_display = ["username", "access_level", "credits", "parent", "suspended", "created_at"]
    list_filter = ["access_level", "suspended"]
    search_fields = ["username", "email"]
    exclude = ["token", "password"]


@admin.register(models.Faults)
class FaultsAdmin(admin.ModelAdmin):
    list_display = ["account", "maintenance", "http_500_rate", "latency_before", "calls_remaining"]


@admin.register(models.Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "account", "destination", "source", "part", "parts", "submitted_at"]
    list_filter = ["final_status"]
    search_fields = ["destination", "source"]
    readonly_fields = ["status"]


@admin.register(models.BackgroundSend)
class BackgroundSendAdmin(admin.ModelAdmin):
    list_display = ["id", "account", "kind", "target", "total", "created_at", "finished_at"]


@admin.register(models.Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "email", "account"]
    search_fields = ["name", "number"]


@admin.register(models.Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "account"]
    filter_horizontal = ["contacts"]


class ListEntryInline(admin.TabularInline):
    model = models.ListEntry
    extra = 0


@admin.register(models.DistributionList)
class DistributionListAdmin(admin.ModelAdmin):
    list_display = ["name", "account"]
    inlines = [ListEntryInline]


@admin.register(models.ListEntry)
class ListEntryAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "dist_list"]


@admin.register(models.VirtualNumber)
class VirtualNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "account", "forward_url", "forward_method"]
    exclude = ["forward_auth"]


class ForwardAttemptInline(admin.TabularInline):
    model = models.ForwardAttempt
    extra = 0


@admin.register(models.InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "vmn", "source", "received_at", "forward_state"]
    inlines = [ForwardAttemptInline]


@admin.register(models.ForwardAttempt)
class ForwardAttemptAdmin(admin.ModelAdmin):
    list_display = ["inbound", "number", "at", "http_status", "ok"]
