"""Contacts → Suppressed: numbers no longer sent to because they kept failing permanently, with
"Lift" for admins (audited)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import workspace_view
from accounts.roles import Role

from .models import Contact, Suppression
from .phone import InvalidNumber, normalise_number
from .services.suppression import SUPPRESS_AFTER, SUPPRESS_WINDOW, suppression_lift

SHOWN = 200  # standing suppressions on the page; a search by number finds any other
SHOWN_LIFTED = 20


@workspace_view(Role.VIEWER)
def suppressions(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    rows = Suppression.objects.for_workspace(workspace)
    query = request.GET.get("q", "").strip()
    if query:
        try:
            rows = rows.filter(number=normalise_number(query, workspace.default_country))
        except InvalidNumber:
            rows = rows.filter(number__contains="".join(ch for ch in query if ch.isdigit()))
    standing = rows.filter(lifted_at__isnull=True)
    shown = list(standing.order_by("-created_at", "-id")[:SHOWN])
    names = dict(
        Contact.objects.for_workspace(workspace)
        .filter(number__in=[s.number for s in shown])
        .values_list("number", "public_id")
    )
    context = {
        "rows": [(s, names.get(s.number)) for s in shown],
        "total": standing.count(),
        "shown_limit": SHOWN,
        "lifted": rows.filter(lifted_at__isnull=False)
        .select_related("lifted_by")
        .order_by("-lifted_at")[:SHOWN_LIFTED],
        "query": query,
        "after": SUPPRESS_AFTER,
        "days": SUPPRESS_WINDOW.days,
        "tab": "suppressed",
    }
    return render(request, "contacts/suppressions.html", context)


@workspace_view(Role.ADMIN)
@require_POST
def suppression_lift_view(request: HttpRequest, suppression_id: UUID) -> HttpResponse:
    suppression = get_object_or_404(
        Suppression.objects.for_workspace(request.workspace), public_id=suppression_id
    )
    if suppression_lift(suppression=suppression, user=request.user, request=request):
        messages.success(
            request,
            _("%(number)s is sent to again; it is suppressed again after %(n)s new failures.")
            % {"number": suppression.number, "n": SUPPRESS_AFTER},
        )
    else:
        messages.info(request, _("That suppression was lifted already."))
    return redirect("contacts:suppressions", slug=request.workspace.slug)
