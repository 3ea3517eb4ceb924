"""The public forwarding endpoint, /inbound/<key>/ (no session, no CSRF)."""

from django.urls import path

from . import endpoint

app_name = "inbound_endpoint"

urlpatterns = [path("<str:key>/", endpoint.receive, name="receive")]
