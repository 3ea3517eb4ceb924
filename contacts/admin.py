from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import (
    AddressBook,
    ConsentEvent,
    Contact,
    ContactImport,
    CustomFieldNames,
    GatewayJob,
    Group,
    GroupMembership,
    ImportIssue,
    ImportPreferences,
    Suppression,
)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "email", "workspace", "sync_state", "opted_out_at"]
    list_filter = ["sync_state"]
    search_fields = ["number", "name", "email"]
    raw_id_fields = ["workspace", "source_import"]
    show_full_result_count = False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "sync_state"]
    search_fields = ["name"]
    raw_id_fields = ["workspace"]


class IssueInline(admin.TabularInline):
    model = ImportIssue
    fields = ["line", "result", "reason", "duplicate_of"]
    readonly_fields = fields
    can_delete = False
    max_num = 0
    extra = 0


@admin.register(ContactImport)
class ContactImportAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "workspace", "state", "rows_read", "created", "failed",
                    "created_at"]  # fmt: skip
    list_filter = ["state", "policy"]
    search_fields = ["original_name", "workspace__name"]
    inlines = [IssueInline]


@admin.register(GatewayJob)
class GatewayJobAdmin(ReadOnlyAdmin):
    list_display = ["kind", "target", "workspace", "state", "error_code", "created_at"]
    list_filter = ["kind", "state"]
    search_fields = ["target", "workspace__name"]


@admin.register(AddressBook)
class AddressBookAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "stale_since", "last_push_at", "last_push_error"]


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["contact", "group", "added_at"]
    search_fields = ["contact__number", "contact__name", "group__name"]
    raw_id_fields = ["contact", "group"]


@admin.register(ImportPreferences)
class ImportPreferencesAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "policy", "has_header"]


@admin.register(ImportIssue)
class ImportIssueAdmin(ReadOnlyAdmin):
    list_display = ["contact_import", "line", "result", "reason"]
    search_fields = ["reason"]


@admin.register(CustomFieldNames)
class CustomFieldNamesAdmin(admin.ModelAdmin):
    list_display = ["workspace", "label1", "label2", "label3", "label4", "label5"]
    search_fields = ["workspace__name"]
    raw_id_fields = ["workspace"]


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "workspace", "number", "kind", "method", "by_email", "api_key"]
    list_filter = ["kind", "method"]
    search_fields = ["number", "workspace__name"]


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    list_display = ["number", "workspace", "failures", "reason", "created_at", "lifted_at"]
    search_fields = ["number", "workspace__name"]
