"""`runsandbox`: only the sandbox, with the API at /api and the pages at /."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from . import api


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    """A constant answer: the baseline `bench/sandbox_send.py` compares the API against."""
    return HttpResponse("1", content_type="text/plain")


urlpatterns = [
    path("api", api.api, name="api"),
    path("_bare", bare, name="bare"),
    path("", include("sandbox.urls")),
]
