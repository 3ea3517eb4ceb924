from django.urls import path

from . import control_views, rules_views, series_views, views

app_name = "messaging"

urlpatterns = [
    path("send/", views.compose_view, name="compose"),
    path("send/counter/", views.counter_view, name="counter"),
    path("send/contacts/", views.contact_search, name="contact_search"),
    path("send/template-body/", views.template_body, name="template_body"),
    path("send/<uuid:broadcast_id>/confirm/", views.confirm_view, name="confirm"),
    path("send/<uuid:broadcast_id>/discard/", views.discard_view, name="discard"),
    path("send/templates/", views.templates_view, name="templates"),
    path("send/templates/<uuid:template_id>/", views.template_edit_view, name="template_edit"),
    path(
        "send/templates/<uuid:template_id>/delete/",
        views.template_delete_view,
        name="template_delete",
    ),
    path("send/senders/", views.senders_view, name="senders"),
    path("send/rules/", rules_views.sending_rules, name="rules"),
    path("send/my-mobile/", control_views.my_mobile_view, name="my_mobile"),
    path("send/repeat-preview/", series_views.repeat_preview_view, name="repeat_preview"),
    path("send/<uuid:broadcast_id>/test/", control_views.broadcast_test_view, name="test_send"),
    path("messages/repeating/", series_views.series_list, name="series_list"),
    path("messages/repeating/<uuid:series_id>/", series_views.series_view, name="series"),
    path(
        "messages/repeating/<uuid:series_id>/edit/",
        series_views.series_edit_view,
        name="series_edit",
    ),
    path(
        "messages/repeating/<uuid:series_id>/pause/",
        series_views.series_pause_view,
        name="series_pause",
    ),
    path(
        "messages/repeating/<uuid:series_id>/resume/",
        series_views.series_resume_view,
        name="series_resume",
    ),
    path(
        "messages/repeating/<uuid:series_id>/end/",
        series_views.series_end_view,
        name="series_end",
    ),
    path(
        "send/senders/<uuid:sender_id>/default/", views.sender_default_view, name="sender_default"
    ),
    path("send/senders/<uuid:sender_id>/delete/", views.sender_delete_view, name="sender_delete"),
    path("messages/", views.log_view, name="log"),
    path("messages/export.csv", views.log_export, name="log_export"),
    path("messages/broadcasts/", views.broadcasts_view, name="broadcasts"),
    path("messages/broadcasts/export.csv", views.broadcasts_export, name="broadcasts_export"),
    path("messages/broadcasts/<uuid:broadcast_id>/", views.broadcast_view, name="broadcast"),
    path(
        "messages/broadcasts/<uuid:broadcast_id>/pause/",
        control_views.broadcast_pause_view,
        name="broadcast_pause",
    ),
    path(
        "messages/broadcasts/<uuid:broadcast_id>/resume/",
        control_views.broadcast_resume_view,
        name="broadcast_resume",
    ),
    path(
        "messages/broadcasts/<uuid:broadcast_id>/approve/",
        control_views.broadcast_approve_view,
        name="broadcast_approve",
    ),
    path(
        "messages/broadcasts/<uuid:broadcast_id>/reject/",
        control_views.broadcast_reject_view,
        name="broadcast_reject",
    ),
    path(
        "messages/broadcasts/<uuid:broadcast_id>/cancel/",
        views.broadcast_cancel_view,
        name="broadcast_cancel",
    ),
    path(
        "messages/broadcasts/<uuid:broadcast_id>/edit/",
        views.broadcast_edit_view,
        name="broadcast_edit",
    ),
    path(
        "messages/broadcasts/<uuid:broadcast_id>/retry/",
        views.broadcast_retry_view,
        name="broadcast_retry",
    ),
    path("messages/<uuid:message_id>/", views.message_view, name="message"),
    path("messages/<uuid:message_id>/resend/", views.message_resend_view, name="message_resend"),
]
