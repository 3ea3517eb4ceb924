"""/api/v1/: the portal's JSON API. Every route takes its workspace from the API key."""

from django.conf import settings
from django.urls import path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from accounts.api.views import BalanceView
from contacts import api as contacts_api
from inbound import api as inbound_api
from messaging import api as messaging_api

app_name = "api"

# The reference page draws with Redoc (vendored, from drf-spectacular-sidecar), which styles with
# inline styles and renders in a blob: worker: allowed on this one page, nothing from elsewhere.
reference_page = csp_override({
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "worker-src": [CSP.SELF, "blob:"],
    "img-src": [CSP.SELF, "data:"],
})(SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"))  # fmt: skip

urlpatterns = [
    path("send/", messaging_api.SendView.as_view(), name="send"),
    path("broadcasts/", messaging_api.BroadcastListView.as_view(), name="broadcasts"),
    path(
        "broadcasts/<uuid:broadcast_id>/",
        messaging_api.BroadcastDetailView.as_view(),
        name="broadcast",
    ),
    path(
        "broadcasts/<uuid:broadcast_id>/cancel/",
        messaging_api.broadcast_action("cancel"),
        name="broadcast-cancel",
    ),
    path(
        "broadcasts/<uuid:broadcast_id>/pause/",
        messaging_api.broadcast_action("pause"),
        name="broadcast-pause",
    ),
    path(
        "broadcasts/<uuid:broadcast_id>/resume/",
        messaging_api.broadcast_action("resume"),
        name="broadcast-resume",
    ),
    path("messages/", messaging_api.MessageListView.as_view(), name="messages"),
    path("messages/<uuid:message_id>/", messaging_api.MessageDetailView.as_view(), name="message"),
    path("contacts/", contacts_api.ContactListView.as_view(), name="contacts"),
    path("contacts/bulk/", contacts_api.ContactBulkView.as_view(), name="contacts-bulk"),
    path("contacts/<uuid:contact_id>/", contacts_api.ContactDetailView.as_view(), name="contact"),
    path("groups/", contacts_api.GroupListView.as_view(), name="groups"),
    path("groups/<uuid:group_id>/", contacts_api.GroupDetailView.as_view(), name="group"),
    path(
        "groups/<uuid:group_id>/members/",
        contacts_api.GroupMembersView.as_view(),
        name="group-members",
    ),
    path("opt-outs/", contacts_api.OptOutListView.as_view(), name="opt-outs"),
    path("opt-outs/<str:number>/", contacts_api.OptOutDetailView.as_view(), name="opt-out"),
    path("inbound/", inbound_api.InboundListView.as_view(), name="inbound"),
    path("balance/", BalanceView.as_view(), name="balance"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", reference_page, name="docs"),
]
