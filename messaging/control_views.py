"""Controls on a broadcast around its send: pause, resume, approve, reject, a test to oneself."""

from uuid import UUID

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import workspace_view
from accounts.roles import Role

from .models import Broadcast
from .services import controls, mobile


def _broadcast(request: HttpRequest, broadcast_id: UUID) -> Broadcast:
    return get_object_or_404(
        Broadcast.objects.for_workspace(request.workspace), public_id=broadcast_id
    )


def _back(request: HttpRequest, broadcast: Broadcast) -> HttpResponse:
    return redirect(
        "messaging:broadcast", slug=request.workspace.slug, broadcast_id=broadcast.public_id
    )


def _act(request: HttpRequest, broadcast: Broadcast, action, done: str) -> HttpResponse:  # noqa: ANN001
    try:
        action()
    except ValidationError as exc:
        flash.error(request, exc.messages[0])
    else:
        flash.success(request, done)
    return _back(request, broadcast)


@workspace_view(Role.SENDER)
@require_POST
def broadcast_pause_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    return _act(request, broadcast,
                lambda: controls.broadcast_pause(broadcast=broadcast, request=request),
                _("Paused: the batch on its way finishes, the rest waits for you."))  # fmt: skip


@workspace_view(Role.SENDER)
@require_POST
def broadcast_resume_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    return _act(request, broadcast,
                lambda: controls.broadcast_resume(broadcast=broadcast, request=request),
                _("Resumed: the rest is on its way."))  # fmt: skip


@workspace_view(Role.ADMIN)
@require_POST
def broadcast_approve_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    return _act(request, broadcast,
                lambda: controls.broadcast_approve(broadcast=broadcast, request=request),
                _("Approved: the message goes as it was composed."))  # fmt: skip


@workspace_view(Role.ADMIN)
@require_POST
def broadcast_reject_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    reason = request.POST.get("reason", "")
    return _act(request, broadcast,
                lambda: controls.broadcast_reject(broadcast=broadcast, request=request,
                                                  reason=reason),
                _("Rejected: its sender has been told why."))  # fmt: skip


@workspace_view(Role.SENDER)
@require_POST
def broadcast_test_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    try:
        controls.test_send(broadcast=broadcast, request=request)
    except ValidationError as exc:
        flash.error(request, exc.messages[0])
    else:
        flash.success(
            request, _("A test is on its way to %(number)s.") % {"number": request.user.mobile}
        )
    return redirect("messaging:confirm", slug=request.workspace.slug, broadcast_id=broadcast_id)


@workspace_view(Role.SENDER)
@require_http_methods(["GET", "POST"])
def my_mobile_view(request: HttpRequest) -> HttpResponse:
    """The member's own mobile, for test sends: a code is texted to it and typed back."""
    error = None
    action = request.POST.get("action")
    try:
        if action == "send":
            number = mobile.mobile_code_send(workspace=request.workspace, user=request.user,
                                             number=request.POST.get("number", ""),
                                             request=request)  # fmt: skip
            flash.info(request, _("A code is on its way to %(number)s.") % {"number": number})
            return redirect("messaging:my_mobile", slug=request.workspace.slug)
        if action == "verify":
            number = mobile.mobile_code_check(user=request.user, code=request.POST.get("code", ""),
                                              request=request)  # fmt: skip
            flash.success(
                request, _("%(number)s is verified: tests go there.") % {"number": number}
            )
            return redirect("messaging:my_mobile", slug=request.workspace.slug)
    except ValidationError as exc:
        error = exc.messages[0]
    return render(request, "messaging/my_mobile.html", {"error": error})
