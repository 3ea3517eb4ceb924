"""The sandbox mounted alone at /sandbox/, so its suite does not depend on the portal's routes."""

from django.urls import include, path

urlpatterns = [path("sandbox/", include("sandbox.urls"))]
