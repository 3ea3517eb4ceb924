from django.urls import path

from . import views

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
