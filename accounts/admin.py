from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone

from .audit import audit_record
from .models import (
    ApiKey,
    ApiLimits,
    AuditEvent,
    ChildAccount,
    ErasedNumber,
    GatewayConnection,
    IdempotencyRecord,
    Invitation,
    LedgerEntry,
    Membership,
    PrivacySettings,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    Workspace,
)
from .two_factor import admin_login


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "suspended_at", "created_at"]
    list_filter = [("suspended_at", admin.EmptyFieldListFilter), "gateway__is_admin_account"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]
    actions = ["suspend", "unsuspend"]

    @admin.action(description="Suspend the selected workspaces (their sends stop)")
    def suspend(self, request, queryset) -> None:  # noqa: ANN001
        for workspace in queryset.filter(suspended_at__isnull=True):
            workspace.suspended_at = timezone.now()
            workspace.suspended_reason = "Suspended by the operator"
            workspace.save(update_fields=["suspended_at", "suspended_reason"])
            audit_record("workspace_suspended", request=request, workspace=workspace, obj=workspace)

    @admin.action(description="Lift the suspension of the selected workspaces")
    def unsuspend(self, request, queryset) -> None:  # noqa: ANN001
        for workspace in queryset.filter(suspended_at__isnull=False):
            workspace.suspended_at = None
            workspace.suspended_reason = ""
            workspace.save(update_fields=["suspended_at", "suspended_reason"])
            audit_record(
                "workspace_unsuspended", request=request, workspace=workspace, obj=workspace
            )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "workspace__name", "workspace__slug"]
    raw_id_fields = ["user", "workspace"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "role", "created_at", "accepted_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "workspace__name"]
    exclude = ["token"]
    raw_id_fields = ["workspace", "invited_by", "accepted_by"]


@admin.register(GatewayConnection)
class GatewayConnectionAdmin(admin.ModelAdmin):
    """The token is never shown: only its last four characters."""

    list_display = ["workspace", "effective_api_url", "token_last4", "is_admin_account", "balance"]
    list_filter = ["is_admin_account"]
    search_fields = ["workspace__name", "workspace__slug"]
    fields = [
        "workspace",
        "api_url",
        "token_last4",
        "is_admin_account",
        "balance",
        "balance_checked_at",
        "updated_at",
    ]
    readonly_fields = ["workspace", "token_last4", "balance", "balance_checked_at", "updated_at"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor_email", "workspace", "object_repr", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_email", "action", "object_repr", "workspace__name"]
    date_hierarchy = "created_at"


@admin.register(ChildAccount)
class ChildAccountAdmin(ReadOnlyAdmin):
    list_display = ["username", "workspace", "full_name", "email", "access_level", "state",
                    "created_at"]  # fmt: skip
    list_filter = ["state", "access_level"]
    search_fields = ["username", "email", "workspace__name"]
    exclude = ["pending_password"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "workspace", "child", "kind", "quantity", "state", "actor_email"]
    list_filter = ["state", "kind"]
    search_fields = ["child__username", "workspace__name", "reason", "actor_email"]
    date_hierarchy = "created_at"


# Operators log in through the portal's login page, so throttling and two-factor apply there too.
admin.site.login = admin_login


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made by workspace admins (the secret is shown to them once); the operator can see
    and revoke them here, never read them."""

    list_display = ["name", "prefix", "workspace", "scopes", "created_at", "last_used_at",
                    "expires_at", "revoked_at"]  # fmt: skip
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "workspace__name"]
    readonly_fields = ["prefix", "workspace", "created_by", "created_at", "last_used_at"]
    exclude = ["secret_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset) -> None:  # noqa: ANN001
        for key in queryset.filter(revoked_at__isnull=True):
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record("api_key_revoked", request=request, workspace=key.workspace, obj=key,
                         prefix=key.prefix, by_operator=True)  # fmt: skip


@admin.register(ApiLimits)
class ApiLimitsAdmin(admin.ModelAdmin):
    list_display = ["workspace", "requests_per_second", "recipients_per_day"]
    search_fields = ["workspace__name"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "workspace", "method", "path", "key", "status_code"]
    search_fields = ["key", "workspace__name"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "workspace", "events", "failing_since", "disabled_at"]
    list_filter = ["disabled_at"]
    search_fields = ["url", "workspace__name"]
    exclude = ["secret", "previous_secret"]
    readonly_fields = ["workspace", "created_by", "created_at", "failing_since"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "endpoint", "state", "attempts", "next_attempt_at"]
    list_filter = ["state", "event"]
    search_fields = ["endpoint__url", "workspace__name"]


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(admin.ModelAdmin):
    """The operator caps how long a workspace may keep messages (`max_keep_months`)."""

    list_display = ["workspace", "keep_months", "max_keep_months", "last_purge_at"]
    search_fields = ["workspace__name"]
    readonly_fields = ["last_purge_at", "last_purge_counts"]
    raw_id_fields = ["workspace"]


@admin.register(ErasedNumber)
class ErasedNumberAdmin(ReadOnlyAdmin):
    list_display = ["erased_at", "workspace", "opted_out", "erased_by"]
    list_filter = ["opted_out"]
    search_fields = ["workspace__name"]
