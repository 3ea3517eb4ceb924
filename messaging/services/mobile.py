"""A member's own mobile number, verified by a code texted to it through the workspace's gateway
(at the workspace's cost), so that "Send a test to me" reaches the person who asked."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User, Workspace
from contacts.phone import InvalidNumber, normalise_number

CODE_SECONDS = 600
RESEND_SECONDS = 60
TRIES = 5


def _key(user: User) -> str:
    return f"mobile-code:{user.pk}"


def _digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def mobile_code_send(*, workspace: Workspace, user: User, number: str, request: HttpRequest) -> str:
    """Text a six-digit code to `number`; returns the number as read (E.164)."""
    from .compose import send_now

    try:
        mobile = normalise_number(number, workspace.default_country or "GB")
    except InvalidNumber as exc:
        raise ValidationError(str(exc)) from None
    if not cache.add(f"{_key(user)}:sent", 1, timeout=RESEND_SECONDS):
        raise ValidationError(_("A code was sent less than a minute ago: wait a little."))
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_key(user), {"number": mobile, "digest": _digest(code), "tries": 0}, CODE_SECONDS)
    broadcast = send_now(
        workspace=workspace,
        body=_("Your Text-Connect Portal code is %(code)s. It works for 10 minutes.")
        % {"code": code},
        destinations=[mobile],
        user=user,
        is_test=True,
    )
    audit_record("mobile_code_sent", request=request, obj=user, to=mobile,
                 broadcast=str(broadcast.public_id))  # fmt: skip
    return mobile


def mobile_code_check(*, user: User, code: str, request: HttpRequest) -> str:
    """The code typed back: the number becomes the member's verified mobile."""
    pending = cache.get(_key(user))
    if pending is None:
        raise ValidationError(_("No code is waiting: send a new one."))
    if pending["tries"] >= TRIES:
        cache.delete(_key(user))
        raise ValidationError(_("Too many wrong codes: send a new one."))
    if not hmac.compare_digest(pending["digest"], _digest(code.strip())):
        pending["tries"] += 1
        cache.set(_key(user), pending, CODE_SECONDS)
        raise ValidationError(_("That code is not right."))
    cache.delete(_key(user))
    User.objects.filter(pk=user.pk).update(
        mobile=pending["number"], mobile_verified_at=timezone.now()
    )
    user.mobile, user.mobile_verified_at = pending["number"], timezone.now()
    audit_record("mobile_verified", request=request, obj=user, number=pending["number"])
    return pending["number"]
