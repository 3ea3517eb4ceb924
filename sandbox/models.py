"""The sandbox's own state: what the vendor's database would hold for its customers."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.utils import timezone

NORMAL = "Normal"
ADMIN = "Admin"

PENDING = "Pending"
SENT = "Sent"
DELIVERED = "Delivered"
UNDELIVERABLE = "Undeliverable"
EXPIRED = "Expired"
FAILED = "Failed"
COMMAND_REJECTED = "Command_Rejected"
COMMAND_FAILED = "Command_Failed"
UNKNOWN = "Unknown"  # not final: the gateway may still learn the outcome
FINAL_STATUSES = (DELIVERED, UNDELIVERABLE, EXPIRED, FAILED, COMMAND_REJECTED, COMMAND_FAILED)
FAILED_STATUSES = (UNDELIVERABLE, EXPIRED, FAILED, COMMAND_REJECTED, COMMAND_FAILED)
STATUS_ORDER = (PENDING, SENT, *FINAL_STATUSES, UNKNOWN)


def new_token() -> str:
    return secrets.token_hex(16)


class SandboxAccount(models.Model):
    """A customer of the emulated gateway; child users point at their parent."""

    username = models.CharField(max_length=100, unique=True)
    password = models.CharField(max_length=200, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    credits = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    access_level = models.CharField(
        max_length=10, choices=[(NORMAL, NORMAL), (ADMIN, ADMIN)], default=NORMAL
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    telephone = models.CharField(max_length=30, blank=True)
    credit_reminder = models.IntegerField(null=True, blank=True)
    inactivity_alert_days = models.IntegerField(null=True, blank=True)
    suspended = models.BooleanField(default=False)
    # Sender IDs this account may use; empty means any (otherwise -506).
    allowed_sources = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def is_admin(self) -> bool:
        return self.access_level == ADMIN


class Faults(models.Model):
    """Fault injection for one account's API calls; all off by default."""

    account = models.OneToOneField(SandboxAccount, on_delete=models.CASCADE, related_name="faults")
    latency_before = models.FloatField(default=0)
    latency_after = models.FloatField(default=0)
    http_500_rate = models.FloatField(default=0)
    drop_before_rate = models.FloatField(default=0)
    drop_after_rate = models.FloatField(default=0)
    maintenance = models.BooleanField(default=False)
    db_error_rate = models.FloatField(default=0)
    # The faults apply to this many more calls, then clear themselves; null means until cleared.
    calls_remaining = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "faults"

    def __str__(self) -> str:
        return f"faults of {self.account}"

    @property
    def active(self) -> bool:
        if self.calls_remaining is not None and self.calls_remaining <= 0:
            return False
        return bool(
            self.latency_before
            or self.latency_after
            or self.http_500_rate
            or self.drop_before_rate
            or self.drop_after_rate
            or self.maintenance
            or self.db_error_rate
        )


class BackgroundSend(models.Model):
    """A list or group send; the ones over the threshold are worked off in a thread."""

    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="bg_sends")
    kind = models.CharField(max_length=10)  # "List" or "Group"
    target = models.CharField(max_length=100)
    total = models.IntegerField(default=0)
    # What the worker still has to send: destinations and the send's parameters.
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.target} #{self.pk}"


class Message(models.Model):
    """One part of one outbound message. Its status history is fixed at send time by timestamps:
    Pending until `sent_at`, Sent until `final_at`, then `final_status` (never, if `final_at` is
    null)."""

    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="messages")
    bg_send = models.ForeignKey(
        BackgroundSend, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    destination = models.CharField(max_length=20)
    source = models.CharField(max_length=20)
    source_ton = models.IntegerField(null=True, blank=True)
    body = models.TextField()
    encoding = models.CharField(max_length=5)
    part = models.IntegerField(default=1)
    parts = models.IntegerField(default=1)
    credits = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal(0))
    submitted_at = models.DateTimeField(default=timezone.now)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    validity_seconds = models.IntegerField(default=86400)
    sent_at = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)
    final_status = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "submitted_at"]),
            models.Index(fields=["account", "destination"]),
        ]

    def __str__(self) -> str:
        return f"{self.pk} to {self.destination}"

    def status_at(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if self.final_at is not None and now >= self.final_at:
            return self.final_status
        if self.sent_at is not None and now >= self.sent_at:
            return SENT
        return PENDING

    @property
    def status(self) -> str:
        return self.status_at()

    def history(self, now: datetime | None = None) -> list[tuple[str, datetime]]:
        """The statuses reached so far, each with the time it was reached."""
        now = now or timezone.now()
        steps = [(PENDING, self.submitted_at)]
        if self.sent_at is not None and self.sent_at <= now:
            steps.append((SENT, self.sent_at))
        if self.final_at is not None and self.final_at <= now:
            steps.append((self.final_status, self.final_at))
        return steps


class Group(models.Model):
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=100)
    contacts = models.ManyToManyField("Contact", related_name="groups", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="sandbox_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    number = models.CharField(max_length=20)
    email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["account", "number"]),
            models.Index(fields=["account", "name"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.number}>"


class DistributionList(models.Model):
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="lists")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="sandbox_list_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ListEntry(models.Model):
    """A number on a distribution list with its mail-merge fields."""

    dist_list = models.ForeignKey(
        DistributionList, on_delete=models.CASCADE, related_name="entries"
    )
    number = models.CharField(max_length=20)
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    mm1 = models.CharField(max_length=200, blank=True)
    mm2 = models.CharField(max_length=200, blank=True)
    mm3 = models.CharField(max_length=200, blank=True)
    mm4 = models.CharField(max_length=200, blank=True)
    mm5 = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "list entries"
        indexes = [models.Index(fields=["dist_list", "number"])]

    def __str__(self) -> str:
        return self.number


class VirtualNumber(models.Model):
    """A VMN: inbound texts to it are forwarded to the account's URL."""

    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="vmns")
    number = models.CharField(max_length=20, unique=True)
    forward_url = models.URLField(max_length=500, blank=True)
    forward_method = models.CharField(
        max_length=4, choices=[("GET", "GET"), ("POST", "POST")], default="POST"
    )
    forward_auth = models.CharField(max_length=200, blank=True)
    linked_list = models.ForeignKey(
        DistributionList, null=True, blank=True, on_delete=models.SET_NULL, related_name="vmns"
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class InboundMessage(models.Model):
    FORWARD_NONE = "none"
    FORWARD_PENDING = "pending"
    FORWARD_DELIVERED = "delivered"
    FORWARD_FAILED = "failed"

    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="inbound")
    vmn = models.ForeignKey(VirtualNumber, on_delete=models.CASCADE, related_name="inbound")
    source = models.CharField(max_length=20)
    body = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, default="Received")
    forward_state = models.CharField(max_length=10, default=FORWARD_NONE)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "received_at"])]

    def __str__(self) -> str:
        return f"{self.pk} from {self.source}"


class ForwardAttempt(models.Model):
    inbound = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="attempts")
    number = models.IntegerField()
    at = models.DateTimeField(default=timezone.now)
    url = models.CharField(max_length=500)
    method = models.CharField(max_length=4)
    http_status = models.IntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.IntegerField(default=0)
    ok = models.BooleanField(default=False)

    class Meta:
        ordering = ["inbound", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.inbound_id}"
