"""Outbound webhooks: a workspace's endpoints and each event's delivery to each of them."""

import base64
import json
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField
from ..tenancy import WorkspaceScopedManager
from .users import Workspace


class WebhookEvent(models.TextChoices):
    MESSAGE_STATUS_CHANGED = "message.status_changed", _("A message's status changed")
    MESSAGE_INBOUND = "message.inbound", _("A text came in")
    CONTACT_OPTED_OUT = "contact.opted_out", _("A contact opted out")
    CONTACT_OPTED_IN = "contact.opted_in", _("A contact opted back in")
    BROADCAST_FINISHED = "broadcast.finished", _("A broadcast finished")
    IMPORT_FINISHED = "import.finished", _("A contact import finished")
    MESSAGE_LINK_CLICKED = "message.link_clicked", _("A tracked link was clicked")


TEST_EVENT = "endpoint.test"


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(default=list)
    secret = EncryptedTextField(default=new_secret)
    # After a rotation the old secret also signs, for a day, so receivers can switch over.
    previous_secret = EncryptedTextField(blank=True, default="")
    previous_until = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("webhook endpoint")

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def signing_secrets(self) -> list[str]:
        keys = [self.secret]
        if self.previous_secret and self.previous_until and self.previous_until > timezone.now():
            keys.append(self.previous_secret)
        return keys


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint: its `webhook-id`, payload and every attempt made."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    # Deliveries with the same key (e.g. one message's status changes) go out in order.
    order_key = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(default=0)
    log = models.JSONField(default=list)  # [{"at", "status", "error", "ms"}] of each attempt
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                condition=Q(state="pending"),
                name="webhook_due_idx",
            ),
            models.Index(fields=["endpoint", "-id"], name="webhook_log_idx"),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.state})"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.public_id.hex}"

    @property
    def payload_text(self) -> str:
        """The body as it is sent (the signed bytes), for the delivery log."""
        return json.dumps(self.payload, separators=(",", ":"))

    @property
    def last(self) -> dict:
        return self.log[-1] if self.log else {}
