"""Mounted in the portal at /sandbox/: the API at `api`, the pages at the root."""

from django.urls import path

from . import api, views

app_name = "sandbox"

urlpatterns = [
    path("api", api.api, name="api"),
    *views.page_patterns,
]
