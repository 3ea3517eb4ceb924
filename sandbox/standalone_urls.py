"""`runsandbox`: only the sandbox, with the API at /api, the pages at / and their own login."""

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from . import api


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    """A constant answer: the baseline `bench/sandbox_send.py` compares the API against."""
    return HttpResponse("1", content_type="text/plain")


login = auth_views.LoginView.as_view(
    template_name="sandbox/login.html",
    redirect_authenticated_user=True,
    next_page="sandbox:accounts",
)
logout = auth_views.LogoutView.as_view(next_page="sandbox-login")

urlpatterns = [
    path("api", api.api, name="api"),
    path("_bare", bare, name="bare"),
    path("login/", login, name="sandbox-login"),
    path("logout/", logout, name="sandbox-logout"),
    path("", include("sandbox.urls")),
]
