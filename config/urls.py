"""URL map. Workspace pages live under /w/<slug>/, all of them under the cross-tenant test."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from messaging import link_views

from .favicon import favicon
from .health import healthz

workspace_patterns = [
    path("", include("reporting.urls")),
    path("settings/", include("accounts.workspace_urls")),
    path("reseller/", include("accounts.reseller_urls")),
    path("", include("messaging.urls")),
    path("contacts/", include("contacts.urls")),
    path("inbox/", include("inbound.urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("inbound/", include("inbound.endpoint_urls")),
    path("api/v1/", include("config.api_urls")),
    path("l/<str:code>", link_views.follow, name="short_link"),
    path("w/<slug:slug>/", include(workspace_patterns)),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:  # development mail, never in production (config/devmail.py)
    urlpatterns.append(path("dev/mail/", include("config.devmail")))

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("sandbox.urls")))
