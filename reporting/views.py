"""The workspace dashboard."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import workspace_view
from accounts.models import GatewayConnection, Membership


@workspace_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    request.session["last_workspace"] = request.workspace.slug
    gateway = GatewayConnection.objects.for_workspace(request.workspace).first()
    context = {
        "gateway": gateway,
        "member_count": Membership.objects.for_workspace(request.workspace).count(),
    }
    return render(request, "reporting/dashboard.html", context)
