"""Resellers: child accounts on the gateway and the append-only credits ledger."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField
from ..tenancy import WorkspaceScopedManager
from .users import Workspace


class AccessLevel(models.TextChoices):
    NORMAL = "Normal", _("Normal")
    ADMIN = "Admin", _("Admin")


class ChildState(models.TextChoices):
    CREATING = "creating", _("Creating")
    ACTIVE = "active", _("Active")
    FAILED = "failed", _("Refused by the gateway")
    UNKNOWN = "unknown", _("Outcome unknown")


class ChildAccount(models.Model):
    """A child user created on the gateway under the workspace's admin account."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="children")
    username = models.CharField(max_length=100)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    telephone = models.CharField(max_length=30, blank=True)
    access_level = models.CharField(
        max_length=6, choices=AccessLevel.choices, default=AccessLevel.NORMAL
    )
    starting_credits = models.PositiveIntegerField(default=0)
    credit_reminder = models.PositiveIntegerField(null=True, blank=True)
    inactivity_alert_days = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=ChildState.choices, default=ChildState.CREATING)
    error_code = models.IntegerField(null=True, blank=True)
    error_text = models.TextField(blank=True)
    # Kept encrypted only until the gateway call; cleared afterwards.
    pending_password = EncryptedTextField(blank=True)
    linked_workspace = models.ForeignKey(
        Workspace, on_delete=models.SET_NULL, null=True, blank=True, related_name="parent_links"
    )
    idempotency_key = models.UUIDField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["username"]
        indexes = [models.Index(fields=["workspace", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"], name="child_unique_idempotency_key"
            ),
            models.UniqueConstraint(
                fields=["workspace", "username"],
                condition=~Q(state="failed"),
                name="child_unique_live_username",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def __repr__(self) -> str:
        return f"<ChildAccount {self.username} ({self.state})>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class EntryKind(models.TextChoices):
    STARTING_CREDITS = "starting", _("Starting credits")
    TRANSFER = "transfer", _("Transfer")


class EntryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUBMITTING = "submitting", _("Submitting")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Needs review")


class ReviewOutcome(models.TextChoices):
    APPLIED = "applied", _("Credits moved")
    NOT_APPLIED = "not_applied", _("Credits did not move")


class LedgerEntry(models.Model):
    """One movement of credits between the workspace's account and a child.

    Written as pending before the gateway call, completed or failed after it, never retried: an
    outcome the portal cannot know is marked for a person to review. Rows are never deleted.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="ledger")
    child = models.ForeignKey(ChildAccount, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=10, choices=EntryKind.choices, default=EntryKind.TRANSFER)
    quantity = models.IntegerField(help_text=_("Positive: to the child. Negative: back from it."))
    reason = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=EntryState.choices, default=EntryState.PENDING)
    error_code = models.IntegerField(null=True, blank=True)
    error_text = models.TextField(blank=True)
    balance_before = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    balance_after = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    idempotency_key = models.UUIDField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=12, choices=ReviewOutcome.choices, blank=True)
    review_note = models.CharField(max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["workspace", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"], name="ledger_unique_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        direction = "to" if self.quantity > 0 else "from"
        return f"{abs(self.quantity)} credits {direction} {self.child} ({self.state})"

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Ledger entries are never deleted.")

    @property
    def counts(self) -> bool:
        """Whether the credits moved, as far as anyone knows."""
        return self.state == EntryState.COMPLETED or self.review_outcome == ReviewOutcome.APPLIED
