"""Inbox pages under /w/<slug>/inbox/."""

from django.urls import path

from . import views

app_name = "inbound"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("c/<uuid:conversation_id>/", views.conversation, name="conversation"),
    path("c/<uuid:conversation_id>/reply/", views.reply, name="reply"),
    path("c/<uuid:conversation_id>/unread/", views.mark_unread, name="mark_unread"),
    path("c/<uuid:conversation_id>/read/", views.mark_read, name="mark_read"),
    path("settings/", views.inbox_settings_page, name="settings"),
    path("settings/vmns/", views.vmn_add, name="vmn_add"),
    path("settings/vmns/<uuid:vmn_id>/", views.vmn_update, name="vmn_update"),
    path("settings/vmns/<uuid:vmn_id>/rotate/", views.vmn_rotate, name="vmn_rotate"),
    path("settings/vmns/<uuid:vmn_id>/delete/", views.vmn_delete, name="vmn_delete"),
    path("settings/opt-out/", views.opt_words, name="opt_words"),
    path("settings/rules/", views.rule_add, name="rule_add"),
    path("settings/rules/<uuid:rule_id>/", views.rule_edit, name="rule_edit"),
    path("settings/rules/<uuid:rule_id>/delete/", views.rule_delete, name="rule_delete"),
]
