"""Workspace settings: general details, members, invitations."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from . import regions
from .access import workspace_view
from .audit import audit_record
from .forms import InviteForm, RoleForm, WorkspaceForm
from .models import Invitation, Membership
from .roles import Role
from .services import invitation_create, membership_change_role, membership_remove


@workspace_view(Role.VIEWER, post_role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def settings_general(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None, instance=request.workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_record(
            "workspace_updated",
            request=request,
            obj=request.workspace,
            fields=sorted(form.changed_data),
        )
        messages.success(request, _("Workspace settings saved."))
        return redirect("accounts_ws:general", slug=request.workspace.slug)
    can_edit = request.role.at_least(Role.ADMIN)
    country = request.workspace.default_country
    context = {
        "form": form,
        "can_edit": can_edit,
        "country_label": dict(regions.country_choices()).get(country, country),
    }
    return render(request, "accounts/settings_general.html", context)


def _members_context(request: HttpRequest, invite_form: InviteForm) -> dict:
    ws = request.workspace
    return {
        "members": Membership.objects.for_workspace(ws)
        .select_related("user")
        .order_by("created_at"),
        "invitations": Invitation.objects.for_workspace(ws).filter(accepted_at__isnull=True),
        "invite_form": invite_form,
        "role_choices": Role.choices,
        "can_manage": request.role.at_least(Role.ADMIN),
        "is_owner": request.role == Role.OWNER,
    }


@workspace_view(Role.VIEWER, post_role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, inviter_role=request.role)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                request=request,
                workspace=request.workspace,
                email=form.cleaned_data["email"],
                role=Role(form.cleaned_data["role"]),
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            if request.htmx:
                return HttpResponseClientRefresh()
            return redirect("accounts_ws:members", slug=request.workspace.slug)
    template = "accounts/members.html#invite-form" if request.htmx else "accounts/members.html"
    return render(request, template, _members_context(request, form))


def _membership(request: HttpRequest, member_id: UUID) -> Membership:
    return get_object_or_404(
        Membership.objects.for_workspace(request.workspace).select_related("user"),
        public_id=member_id,
    )


@workspace_view(Role.OWNER)
@require_POST
def member_role(request: HttpRequest, member_id: UUID) -> HttpResponse:
    membership = _membership(request, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            membership_change_role(
                request=request, membership=membership, role=Role(form.cleaned_data["role"])
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                _("%(email)s is now %(role)s.")
                % {"email": membership.user.email, "role": membership.get_role_display()},
            )
    return redirect("accounts_ws:members", slug=request.workspace.slug)


@workspace_view(Role.ADMIN)
@require_POST
def member_remove(request: HttpRequest, member_id: UUID) -> HttpResponse:
    membership = _membership(request, member_id)
    try:
        membership_remove(request=request, membership=membership)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("accounts_ws:members", slug=request.workspace.slug)
    messages.success(
        request, _("%(email)s was removed from the workspace.") % {"email": membership.user.email}
    )
    if membership.user_id == request.user.pk:
        return redirect("home")
    return redirect("accounts_ws:members", slug=request.workspace.slug)


@workspace_view(Role.ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: UUID) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.for_workspace(request.workspace),
        public_id=invitation_id,
        accepted_at__isnull=True,
    )
    audit_record("invitation_revoked", request=request, obj=invitation, email=invitation.email)
    invitation.delete()
    messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("accounts_ws:members", slug=request.workspace.slug)
