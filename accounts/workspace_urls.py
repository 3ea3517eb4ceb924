from django.urls import path

from . import api_key_views, gateway_views, webhook_views
from . import workspace_views as views

app_name = "accounts_ws"

urlpatterns = [
    path("", views.settings_general, name="general"),
    path("members/", views.members, name="members"),
    path("members/<uuid:member_id>/role/", views.member_role, name="member_role"),
    path("members/<uuid:member_id>/remove/", views.member_remove, name="member_remove"),
    path("gateway/", gateway_views.gateway_settings, name="gateway"),
    path("gateway/test/", gateway_views.gateway_test, name="gateway_test"),
    path("gateway/status/", gateway_views.gateway_status, name="gateway_status"),
    path("gateway/sandbox/", gateway_views.gateway_sandbox, name="gateway_sandbox"),
    path("api/", api_key_views.api_keys, name="api_keys"),
    path("api/keys/<uuid:key_id>/revoke/", api_key_views.api_key_revoke, name="api_key_revoke"),
    path("api/webhooks/new/", webhook_views.webhook_create, name="webhook_new"),
    path("api/webhooks/<uuid:webhook_id>/", webhook_views.webhook_detail, name="webhook"),
    path("api/webhooks/<uuid:webhook_id>/test/", webhook_views.webhook_test, name="webhook_test"),
    path(
        "api/webhooks/<uuid:webhook_id>/rotate/",
        webhook_views.webhook_rotate,
        name="webhook_rotate",
    ),
    path(
        "api/webhooks/<uuid:webhook_id>/toggle/",
        webhook_views.webhook_toggle,
        name="webhook_toggle",
    ),
    path(
        "api/webhooks/<uuid:webhook_id>/delete/",
        webhook_views.webhook_delete,
        name="webhook_delete",
    ),
    path(
        "api/webhooks/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/resend/",
        webhook_views.webhook_resend,
        name="webhook_resend",
    ),
    path("audit/", gateway_views.audit_log, name="audit"),
    path("audit.csv", gateway_views.audit_log_csv, name="audit_csv"),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
