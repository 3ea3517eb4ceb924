"""Login with throttling and an optional TOTP second step; turning two-factor on and off."""

import base64
import time
from datetime import timedelta
from typing import Any

import qrcode
import qrcode.image.svg
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.sites import AdminSite
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, redirect_to_login
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_record
from .forms import LoginForm
from .services.members import user_sessions_end_others

PENDING_SESSION_KEY = "two_factor_pending"


# --- Lock-out ------------------------------------------------------------------------------------
def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The lock-out page (AXES_LOCKOUT_CALLABLE), worded the same whether the account exists."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def ip_failures(request: HttpRequest) -> int:
    """Failed logins from the request's IP address, over all emails, within the cool-off."""
    since = timezone.now() - (get_cool_off(request) or timedelta(0))
    attempts = AccessAttempt.objects.filter(
        ip_address=get_client_ip_address(request), attempt_time__gte=since
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def ip_is_over_ceiling(request: HttpRequest) -> bool:
    limit = settings.LOGIN_IP_FAILURE_LIMIT
    return bool(limit) and ip_failures(request) >= limit


# --- Devices -------------------------------------------------------------------------------------
def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def verify_code(device: TOTPDevice, code: str) -> tuple[bool, bool]:
    """Check a code against the device, under a row lock; returns (verified, throttled).

    A throttled device is not asked at all, so waiting out django-otp's back-off is enough.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return False, True
        return device.verify_token(code), False


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI, which the Content-Security-Policy allows for images."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def grouped_secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\d{6}$",
        label="6-digit code",
        max_length=6,
        error_messages={"invalid": "Enter the 6 digits your app shows."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class DisableForm(forms.Form):
    secret = forms.CharField(
        label="Current 6-digit code or your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand my account will be protected by my password alone.",
        error_messages={"required": "Tick the box to confirm."},
    )


# --- Login: first step (email and password) -------------------------------------------------------
def _pending_start(request: HttpRequest, user: Any, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "auth_hash": user.get_session_auth_hash(),
        "next": next_url,
        "expires": time.time() + settings.TWO_FACTOR_PENDING_SECONDS,
        "wrong_codes": 0,
    }


def _pending(request: HttpRequest) -> dict | None:
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending or pending["expires"] < time.time():
        request.session.pop(PENDING_SESSION_KEY, None)
        return None
    return pending


def _pending_user(pending: dict) -> Any:
    """The pending user, if still active and with the same password as at the first step."""
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None or user.get_session_auth_hash() != pending["auth_hash"]:
        return None
    return user


class PortalLoginView(LoginView):
    """Email and password; users with a confirmed TOTP device go on to the code step."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if ip_is_over_ceiling(request):
            return locked_out(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: LoginForm) -> HttpResponse:
        user = form.get_user()
        if confirmed_device(user) is None:
            return super().form_valid(form)
        _pending_start(self.request, user, self.get_success_url())
        return redirect("accounts:two_factor_login")


def admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The operator admin's login: visitors go through the portal's login, and its second step."""
    if request.user.is_authenticated and request.method == "GET":  # the admin says "not staff"
        # The class's own login: admin.site is a lazy wrapper whose type has no such method.
        return AdminSite.login(admin.site, request, extra_context)
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


# --- Login: second step (the code) ---------------------------------------------------------------
def _too_many_wrong_codes(request: HttpRequest, user: Any) -> HttpResponse:
    """Drop the pending login; it counts as one failed login towards the account's lock-out."""
    request.session.pop(PENDING_SESSION_KEY, None)
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    messages.error(request, "Too many wrong codes. Log in again to get a new try.")
    return redirect("accounts:login")


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_login(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None and request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    user = _pending_user(pending) if pending else None
    device = confirmed_device(user) if user else None
    if device is None:
        request.session.pop(PENDING_SESSION_KEY, None)
        messages.info(request, "Your login timed out. Please log in again.")
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified, throttled = verify_code(device, form.cleaned_data["code"])
        if verified:
            request.session.pop(PENDING_SESSION_KEY, None)
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"])
        if throttled:
            form.add_error("code", "Too many wrong codes in a row. Wait a few seconds, then retry.")
        else:
            pending["wrong_codes"] += 1
            request.session[PENDING_SESSION_KEY] = pending
            audit_record("two_factor_failed", request=request, actor=user, step="login")
            if pending["wrong_codes"] >= settings.TWO_FACTOR_MAX_WRONG_CODES:
                return _too_many_wrong_codes(request, user)
            form.add_error("code", "That code is not right. Check your app and try again.")
    return render(request, "accounts/two_factor_login.html", {"form": form})


# --- Status, enrolment and removal ----------------------------------------------------------------
@login_required
def two_factor_status(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/two_factor_status.html", {"device": confirmed_device(request.user)}
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Show a new key as a QR code and as text; only a correct code confirms the device."""
    if confirmed_device(request.user) is not None:
        messages.info(request, "Two-factor authentication is already on.")
        return redirect("accounts:two_factor")
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified, throttled = verify_code(device, form.cleaned_data["code"])
        if verified:
            return _enrol_confirm(request, device)
        audit_record("two_factor_failed", request=request, step="enrol")
        form.add_error(
            "code",
            "Too many wrong codes in a row. Wait a few seconds, then retry."
            if throttled
            else "That code is not right. Check the time on your phone and try the next code.",
        )
    context = {
        "form": form,
        "qr_code": qr_code_data_uri(device.config_url),
        "secret": grouped_secret(device),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


def _enrol_confirm(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    device.refresh_from_db()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    # Sessions opened with the password alone (perhaps by someone else) end here.
    user_sessions_end_others(request=request)
    otp_login(request, device)
    audit_record("two_factor_enabled", request=request, obj=device, other_sessions_ended=True)
    messages.success(request, "Two-factor authentication is on. You will need a code to log in.")
    return redirect("accounts:two_factor")


@login_required
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off with a current code or the password (the password try is throttled)."""
    device = confirmed_device(request.user)
    if device is None:
        return redirect("accounts:two_factor")
    form = DisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        method = _disable_check(request, device, form.cleaned_data["secret"])
        if method:
            TOTPDevice.objects.filter(user=request.user).delete()
            audit_record("two_factor_disabled", request=request, confirmed_with=method)
            messages.success(request, "Two-factor authentication is off.")
            return redirect("accounts:two_factor")
        form.add_error("secret", "That is neither a current code nor your password.")
    return render(request, "accounts/two_factor_disable.html", {"form": form})


def _disable_check(request: HttpRequest, device: TOTPDevice, secret: str) -> str | None:
    """Which proof the secret is ("code" or "password"), or None.

    Six digits are a code (passwords cannot be all digits); anything else goes through
    authenticate(), so wrong passwords count towards the lock-out like on the login page.
    """
    if secret.isdigit() and len(secret) == 6:
        verified, _ = verify_code(device, secret)
        return "code" if verified else None
    user = authenticate(request, username=request.user.get_username(), password=secret)
    return "password" if user is not None and user.pk == request.user.pk else None
