"""Sign up, log in, the home redirect, and accepting invitations."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .forms import SignUpForm, WorkspaceForm
from .models import Invitation, Membership
from .services import invitation_accept, user_sign_up, workspace_create


def home(request: HttpRequest) -> HttpResponse:
    """Send people to their most recent workspace, or to log in."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = Membership.objects.filter(user=request.user).select_related("workspace")
    last = request.session.get("last_workspace")
    chosen = next((m for m in memberships if m.workspace.slug == last), None) or memberships.first()
    if chosen is None:
        return redirect("accounts:workspace_new")
    return redirect("reporting:dashboard", slug=chosen.workspace.slug)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            name=form.cleaned_data["name"],
            workspace_name=form.cleaned_data["workspace_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your workspace is ready.")
        next_url = request.POST.get("next") or request.GET.get("next")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(next_url)
        return redirect("home")
    return render(
        request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def workspace_new(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = workspace_create(
            name=form.cleaned_data["name"],
            owner=request.user,
            time_zone=form.cleaned_data["time_zone"],
            default_country=form.cleaned_data["default_country"],
        )
        messages.success(request, f"Workspace “{workspace.name}” created.")
        return redirect("reporting:dashboard", slug=workspace.slug)
    return render(request, "accounts/workspace_new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Show an invitation and let the invited person accept it."""
    invite = (
        Invitation.objects.select_related("workspace", "invited_by").filter(token=token).first()
    )
    if invite is None:
        raise Http404("This invitation link is not valid.")
    context = {"invitation": invite, "next": reverse("accounts:invitation", args=[token])}
    if not invite.is_usable:
        return render(
            request, "accounts/invitation.html", {**context, "unusable": True}, status=410
        )
    if not request.user.is_authenticated:
        return render(request, "accounts/invitation.html", context)
    if request.user.email.lower() != invite.email.lower():
        context["wrong_account"] = True
        return render(request, "accounts/invitation.html", context, status=403)
    if request.method == "POST":
        try:
            membership = invitation_accept(invitation=invite, user=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("home")
        messages.success(request, f"You joined {membership.workspace.name}.")
        return redirect("reporting:dashboard", slug=membership.workspace.slug)
    return render(request, "accounts/invitation.html", context)
