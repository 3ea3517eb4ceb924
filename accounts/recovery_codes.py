"""Recovery codes: ten single-use codes (django-otp's static device) for a login without the phone.

Only a keyed hash of each code is stored (HMAC with SECRET_KEY, or one of its fallbacks while it
is rotated), so a copy of the database alone does not give anyone a way in. The codes are shown
once, when they are made.
"""

import re
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_LENGTH = 8
_SALT = "accounts.recovery_codes"
_SHAPE = re.compile(rf"[{_ALPHABET}]{{{_LENGTH}}}")
DEVICE_NAME = "Recovery codes"


def normalise(typed: str) -> str:
    """A code as stored before hashing: lower case, without the spaces and hyphens people type."""
    return re.sub(r"[\s-]", "", typed).lower()


def looks_like_a_code(typed: str) -> bool:
    return bool(_SHAPE.fullmatch(normalise(typed)))


def _digest(code: str, secret: str | None = None) -> str:
    # StaticToken.token holds 16 characters: 64 bits of the HMAC, far more than the code's 40.
    return salted_hmac(_SALT, code, secret=secret, algorithm="sha256").hexdigest()[:16]


def _digests(code: str) -> list[str]:
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_digest(code, secret) for secret in secrets_in_use]


def _new_code() -> str:
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def recovery_codes_replace(*, user: AbstractBaseUser) -> list[str]:
    """Make COUNT new codes for the user and return them, to show once; the old ones stop."""
    codes = [_new_code() for _ in range(COUNT)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(
            [StaticToken(device=device, token=_digest(normalise(code))) for code in codes]
        )
    return codes


def recovery_code_use(*, user: AbstractBaseUser, typed: str) -> StaticDevice | None:
    """Use up the code if it is one of the user's; returns the device it belongs to.

    The caller holds the lock that serialises the user's code checks, so a code is used once.
    """
    if not looks_like_a_code(typed):
        return None
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    token = device.token_set.filter(token__in=_digests(normalise(typed))).first()
    if token is None:
        return None
    token.delete()
    device.set_last_used_timestamp(commit=True)
    return device


def recovery_codes_left(*, user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_codes_delete(*, user: AbstractBaseUser) -> None:
    StaticDevice.objects.filter(user=user).delete()
