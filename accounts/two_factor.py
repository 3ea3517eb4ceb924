"""Login with throttling and an optional TOTP second step (or a recovery code); turning
two-factor on and off, and making new recovery codes."""

import base64
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import recovery_codes
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


@dataclass(frozen=True)
class CodeCheck:
    """What became of a code: the device that verified it, or, while the codes are locked, when
    they unlock (`just_locked`: this wrong code locked them; otherwise it was not checked)."""

    device: Device | None = None
    locked_until: datetime | None = None
    just_locked: bool = False


def lock_end(device: TOTPDevice) -> datetime | None:
    """When the codes unlock after TWO_FACTOR_MAX_WRONG_CODES wrong ones in a row (the TOTP
    device counts wrong codes of both kinds); each further wrong one doubles the wait."""
    over = device.throttling_failure_count - settings.TWO_FACTOR_MAX_WRONG_CODES
    if over < 0 or device.throttling_failure_timestamp is None:
        return None
    seconds = settings.TWO_FACTOR_LOCKOUT_SECONDS * 2 ** min(over, 6)
    return device.throttling_failure_timestamp + timedelta(seconds=seconds)


def verify_code(device: TOTPDevice, code: str, *, recovery: bool = False) -> CodeCheck:
    """Check a 6-digit code (or, with `recovery`, a recovery code) under a row lock on the TOTP
    device, so that concurrent tries are counted one by one and a code is used once.

    During a lock-out the code is not checked at all, and not counted.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        end = lock_end(device)
        if end is not None and end > timezone.now():
            return CodeCheck(locked_until=end)
        verified: Device | None = None
        if code.isdigit() and len(code) == 6:
            verified = device if device.verify_token(code) else None  # counts the wrong ones
        else:
            if recovery:
                verified = recovery_codes.recovery_code_use(user=device.user, typed=code)
            if verified is None:
                device.throttle_increment()
            else:
                device.throttle_reset()
        if verified is not None:
            return CodeCheck(device=verified)
        end = lock_end(device)
        return CodeCheck(locked_until=end, just_locked=end is not None)


def minutes_until(moment: datetime) -> int:
    return max(1, math.ceil((moment - timezone.now()).total_seconds() / 60))


def locked_message(moment: datetime) -> str:
    minutes = minutes_until(moment)
    return ngettext(
        "Too many wrong codes in a row. Codes are not accepted for %(minutes)s minute; "
        "then try again.",
        "Too many wrong codes in a row. Codes are not accepted for %(minutes)s minutes; "
        "then try again.",
        minutes,
    ) % {"minutes": minutes}


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
        label=gettext_lazy("6-digit code"),
        max_length=6,
        error_messages={"invalid": gettext_lazy("Enter the 6 digits your app shows.")},
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


class LoginCodeForm(forms.Form):
    """The login's second step: a 6-digit code from the app, or a recovery code."""

    code = forms.CharField(
        label=gettext_lazy("6-digit code, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        digits = code.replace(" ", "")
        if digits.isdigit() and len(digits) == 6:
            return digits
        if recovery_codes.looks_like_a_code(code):
            return code
        raise forms.ValidationError(
            _("Enter the 6 digits your app shows, or one of your recovery codes.")
        )


class SecretForm(forms.Form):
    """A current code or the password, to confirm it is the user."""

    secret = forms.CharField(
        label=gettext_lazy("Current 6-digit code or your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class DisableForm(SecretForm):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand my account will be protected by my password alone."),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
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
def _locked_out_now(request: HttpRequest, user: Any, check: CodeCheck) -> None:
    """The wrong code that locked the codes: audited, and one failed login towards the account's
    lock-out, so that someone with the password cannot go on guessing codes from one place."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    device = confirmed_device(user)
    seconds = (check.locked_until - device.throttling_failure_timestamp).total_seconds()
    audit_record(
        "two_factor_locked",
        request=request,
        actor=user,
        seconds=round(seconds),
        wrong_codes=device.throttling_failure_count,
    )


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
        messages.info(request, _("Your login timed out. Please log in again."))
        return redirect("accounts:login")
    form = LoginCodeForm(request.POST or None)
    locked_until = lock_end(device)
    if request.method == "POST" and form.is_valid():
        check = verify_code(device, form.cleaned_data["code"], recovery=True)
        if check.device is not None:
            return _two_factor_logged_in(request, user, pending, check.device)
        locked_until = check.locked_until
        if check.locked_until is None or check.just_locked:  # a wrong code, counted
            audit_record("two_factor_failed", request=request, actor=user, step="login")
        if check.just_locked:
            _locked_out_now(request, user, check)
        if check.locked_until is None:
            form.add_error("code", _("That code is not right. Check your app and try again."))
    locked = locked_until is not None and locked_until > timezone.now()
    context = {"form": form, "locked": locked_message(locked_until) if locked else ""}
    status = 429 if locked and request.method == "POST" else 200
    return render(request, "accounts/two_factor_login.html", context, status=status)


def _two_factor_logged_in(
    request: HttpRequest, user: Any, pending: dict, device: Device
) -> HttpResponse:
    request.session.pop(PENDING_SESSION_KEY, None)
    auth_login(request, user, backend=pending["backend"])
    otp_login(request, device)
    if isinstance(device, StaticDevice):
        left = recovery_codes.recovery_codes_left(user=user)
        audit_record("two_factor_recovery_code_used", request=request, actor=user, left=left)
        messages.warning(
            request,
            ngettext(
                "You logged in with a recovery code: %(left)s is left.",
                "You logged in with a recovery code: %(left)s are left.",
                left,
            )
            % {"left": left},
        )
    return redirect(pending["next"])


# --- Status, enrolment and removal ----------------------------------------------------------------
@login_required
def two_factor_status(request: HttpRequest) -> HttpResponse:
    device = confirmed_device(request.user)
    context = {
        "device": device,
        "codes_left": recovery_codes.recovery_codes_left(user=request.user) if device else 0,
    }
    return render(request, "accounts/two_factor_status.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Show a new key as a QR code and as text; only a correct code confirms the device."""
    if confirmed_device(request.user) is not None:
        messages.info(request, _("Two-factor authentication is already on."))
        return redirect("accounts:two_factor")
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = verify_code(device, form.cleaned_data["code"])
        if check.device is not None:
            return _enrol_confirm(request, device)
        if check.locked_until is None or check.just_locked:
            audit_record("two_factor_failed", request=request, step="enrol")
        form.add_error(
            "code",
            locked_message(check.locked_until)
            if check.locked_until
            else _("That code is not right. Check the time on your phone and try the next code."),
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
    codes = recovery_codes.recovery_codes_replace(user=request.user)
    # Sessions opened with the password alone (perhaps by someone else) end here.
    user_sessions_end_others(request=request)
    otp_login(request, device)
    audit_record(
        "two_factor_enabled",
        request=request,
        obj=device,
        other_sessions_ended=True,
        recovery_codes=len(codes),
    )
    messages.success(request, _("Two-factor authentication is on. You will need a code to log in."))
    return _show_codes(request, codes)


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """The codes, in this one answer only: never stored in clear, never cached."""
    response = render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Make new recovery codes (the old ones stop working), after a code or the password."""
    device = confirmed_device(request.user)
    if device is None:
        return redirect("accounts:two_factor")
    form = SecretForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        method = _secret_check(request, device, form.cleaned_data["secret"])
        if method:
            codes = recovery_codes.recovery_codes_replace(user=request.user)
            audit_record(
                "two_factor_recovery_codes_created", request=request, confirmed_with=method
            )
            messages.success(request, _("New recovery codes made: the old ones no longer work."))
            return _show_codes(request, codes)
        form.add_error("secret", _("That is neither a current code nor your password."))
    context = {"form": form, "codes_left": recovery_codes.recovery_codes_left(user=request.user)}
    return render(request, "accounts/two_factor_recovery_codes_new.html", context)


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
        method = _secret_check(request, device, form.cleaned_data["secret"])
        if method:
            TOTPDevice.objects.filter(user=request.user).delete()
            recovery_codes.recovery_codes_delete(user=request.user)
            audit_record("two_factor_disabled", request=request, confirmed_with=method)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:two_factor")
        form.add_error("secret", _("That is neither a current code nor your password."))
    return render(request, "accounts/two_factor_disable.html", {"form": form})


def _secret_check(request: HttpRequest, device: TOTPDevice, secret: str) -> str | None:
    """Which proof the secret is ("code" or "password"), or None.

    Six digits are a code (passwords cannot be all digits), checked like at login (a wrong one
    counts towards the codes' lock-out); anything else goes through authenticate(), so wrong
    passwords count towards the lock-out like on the login page.
    """
    if secret.isdigit() and len(secret) == 6:
        return "code" if verify_code(device, secret).device is not None else None
    user = authenticate(request, username=request.user.get_username(), password=secret)
    return "password" if user is not None and user.pk == request.user.pk else None
