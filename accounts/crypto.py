"""Encryption at rest for secrets (gateway tokens, webhook secrets).

Keys come from settings.FIELD_ENCRYPTION_KEYS, newest first. Values are encrypted with the newest
key and decrypted with any of them, so keys rotate by adding a new one in front and re-encrypting
(`manage.py rotate_encryption_keys`).
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: no configured key matches this value") from exc


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plaintext."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):  # noqa: ANN001, ANN201
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):  # noqa: ANN001, ANN201
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)


def number_hash(workspace_id: int, number: str) -> str:
    """A keyed hash of a phone number within a workspace: it recognises an erased number again
    without keeping it (a plain hash of a phone number is reversed by trying them all)."""
    key = settings.PRIVACY_HASH_KEY.encode()
    return hmac.new(key, f"{workspace_id}:{number}".encode(), hashlib.sha256).hexdigest()
