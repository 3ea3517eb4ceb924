from django.urls import path

from . import workspace_views as views

app_name = "accounts_ws"

urlpatterns = [
    path("", views.settings_general, name="general"),
    path("members/", views.members, name="members"),
    path("members/<uuid:member_id>/role/", views.member_role, name="member_role"),
    path("members/<uuid:member_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
