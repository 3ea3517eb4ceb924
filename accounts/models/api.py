"""The portal API's keys, its limits per workspace and the answers kept for idempotent retries."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..tenancy import WorkspaceScopedManager, workspace_row
from .users import Workspace

KEY_PREFIX = "tck_"
PREFIX_LENGTH = len(KEY_PREFIX) + 8  # "tck_" and 8 hex digits, shown to tell keys apart


class ApiScope(models.TextChoices):
    SEND = "send", _("Send messages")
    CONTACTS = "contacts", _("Manage contacts, groups and opt-outs")
    READ = "read", _("Read messages, broadcasts, contacts, inbox and balance")


def hash_secret(raw_key: str) -> str:
    """Keys are 190 random bits: a plain SHA-256 is enough to keep them unusable at rest."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKey(models.Model):
    """A workspace's key for /api/v1/. Only its hash is stored; the whole key is shown once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, **fields: object) -> tuple["ApiKey", str]:
        """A new key and its whole text, which is never stored and cannot be shown again."""
        prefix = KEY_PREFIX + secrets.token_hex(4)
        raw = f"{prefix}_{secrets.token_urlsafe(24)}"
        key = cls.objects.create(prefix=prefix, secret_hash=hash_secret(raw), **fields)
        return key, raw

    def is_usable(self, now: object = None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class ApiLimits(models.Model):
    """What each of a workspace's keys may do; the operator changes it in the admin."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="api_limits")
    requests_per_second = models.PositiveIntegerField(default=10)
    recipients_per_day = models.PositiveIntegerField(default=100_000)

    class Meta:
        verbose_name = _("API limits")
        verbose_name_plural = _("API limits")

    def __str__(self) -> str:
        return f"{self.workspace}: {self.requests_per_second}/s, {self.recipients_per_day}/day"

    @classmethod
    def of(cls, workspace: Workspace) -> "ApiLimits":
        found = workspace_row(
            workspace, "api_limits", lambda: cls.objects.filter(workspace=workspace).first()
        )
        return found or cls(workspace=workspace)


class IdempotencyRecord(models.Model):
    """The first answer to a request with an `Idempotency-Key`, replayed to its retries for a day.

    The row is written in the same transaction as the request's work, so a retry racing the first
    request waits on the row's unique index and then replays what the first one committed."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, related_name="+")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = WorkspaceScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="idempotency_unique_key")
        ]
        verbose_name = _("idempotency record")

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
