"""Sign up, log in, the home redirect, and accepting invitations."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import ratelimit, regions
from .forms import InvitationSignUpForm, SignUpFinishForm, SignUpForm, WorkspaceNewForm
from .models import Invitation, Membership, User
from .services import invitation_accept, user_sign_up, user_sign_up_invited, workspace_create
from .services.members import workspace_settings_suggested
from .services.signup import SignUpRequest, signup_request_mail, signup_token_read


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


def _safe_next(request: HttpRequest, next_url: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if next_url and allowed else ""


def _invitation_token(next_url: str) -> str:
    """The invitation token of an invitation page's address, else ""."""
    try:
        match = resolve(urlsplit(next_url).path) if next_url else None
    except Resolver404:
        return ""
    return match.kwargs["token"] if match and match.view_name == "accounts:invitation" else ""


def rate_limited(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/rate_limited.html", status=429)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Step one: the same answer for every address; the mail says the rest (services/signup)."""
    if request.user.is_authenticated:
        return redirect("home")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if invitation_token := _invitation_token(next_url):
        # Signing up to accept an invitation: its link proved the address; no workspace to name.
        return redirect("accounts:invitation_signup", token=invitation_token)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.ip_allowed(request, kind="signup"):
            return rate_limited(request)
        email = form.cleaned_data["email"]
        if ratelimit.address_allowed(request, email, kind="signup"):
            signup_request = SignUpRequest(
                email=email,
                name=form.cleaned_data["name"],
                workspace_name=form.cleaned_data["workspace_name"],
                next_url=_safe_next(request, next_url),
                time_zone=form.cleaned_data["browser_time_zone"],
            )
            signup_request_mail(request=request, signup=signup_request)
        return render(request, "accounts/signup_sent.html", {"email": email})
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def signup_finish(request: HttpRequest, token: str) -> HttpResponse:
    """Step two, from the mailed link: choose a password; the account and workspace are made."""
    signup_request = signup_token_read(token)
    if signup_request is None:
        return render(request, "accounts/signup_finish.html", {"invalid": True}, status=410)
    if User.objects.filter(email__iexact=signup_request.email).exists():
        return render(request, "accounts/signup_finish.html", {"used": True}, status=410)
    form = SignUpFinishForm(
        request.POST or None, email=signup_request.email, name=signup_request.name
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = user_sign_up(
                email=signup_request.email,
                password=form.cleaned_data["password"],
                name=signup_request.name,
                workspace_name=signup_request.workspace_name,
                time_zone=signup_request.time_zone,
            )
        except IntegrityError:  # the same link followed twice at once
            return render(request, "accounts/signup_finish.html", {"used": True}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your workspace is ready."))
        return redirect(_safe_next(request, signup_request.next_url) or "home")
    context = {"form": form, "signup": signup_request}
    return render(request, "accounts/signup_finish.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset (the same answer for every address), with the mail limits."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if not ratelimit.ip_allowed(self.request, kind="password_reset"):
            return rate_limited(self.request)
        email = form.cleaned_data["email"]
        if not ratelimit.address_allowed(self.request, email, kind="password_reset"):
            return redirect(self.get_success_url())  # as if sent
        return super().form_valid(form)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_new(request: HttpRequest) -> HttpResponse:
    suggested = workspace_settings_suggested(
        user=request.user, last_slug=request.session.get("last_workspace", "")
    )
    form = WorkspaceNewForm(
        request.POST or None,
        initial=suggested or regions.settings_for_time_zone(""),
        follow_browser=suggested is None,
    )
    if request.method == "POST" and form.is_valid():
        workspace = workspace_create(
            name=form.cleaned_data["name"],
            owner=request.user,
            time_zone=form.cleaned_data["time_zone"],
            default_country=form.cleaned_data["default_country"],
        )
        messages.success(request, _("Workspace “%(name)s” created.") % {"name": workspace.name})
        return redirect("reporting:dashboard", slug=workspace.slug)
    return render(request, "accounts/workspace_new.html", {"form": form})


def _invitation(token: str) -> Invitation:
    invite = (
        Invitation.objects.select_related("workspace", "invited_by").filter(token=token).first()
    )
    if invite is None:
        raise Http404("This invitation link is not valid.")
    return invite


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Show an invitation and let the invited person accept it."""
    invite = _invitation(token)
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
        messages.success(request, _("You joined %(name)s.") % {"name": membership.workspace.name})
        return redirect("reporting:dashboard", slug=membership.workspace.slug)
    return render(request, "accounts/invitation.html", context)


@require_http_methods(["GET", "POST"])
def invitation_signup(request: HttpRequest, token: str) -> HttpResponse:
    """Create the invited person's account from the invitation link and join its workspace: the
    link was mailed to the invited address, so there is no second mail to confirm it."""
    invite = _invitation(token)
    if request.user.is_authenticated:
        return redirect("accounts:invitation", token=token)
    context: dict = {"invitation": invite}
    if not invite.is_usable:
        return render(
            request, "accounts/invitation_signup.html", {**context, "unusable": True}, status=410
        )
    if User.objects.filter(email__iexact=invite.email).exists():
        return render(
            request, "accounts/invitation_signup.html", {**context, "has_account": True}, status=409
        )
    form = InvitationSignUpForm(request.POST or None, email=invite.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = user_sign_up_invited(
                invitation=invite,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except ValidationError:  # accepted meanwhile (the same link used twice at once)
            return render(
                request,
                "accounts/invitation_signup.html",
                {**context, "unusable": True},
                status=410,
            )
        except IntegrityError:  # an account for the address was made meanwhile
            return render(
                request,
                "accounts/invitation_signup.html",
                {**context, "has_account": True},
                status=409,
            )
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome! You joined %(workspace)s.") % {"workspace": membership.workspace.name},
        )
        return redirect("reporting:dashboard", slug=membership.workspace.slug)
    return render(request, "accounts/invitation_signup.html", {**context, "form": form})
