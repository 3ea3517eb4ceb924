"""Inbound texts: the workspace's VMNs, the messages forwarded to them, conversations, rules."""

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.crypto import EncryptedTextField
from accounts.models import Workspace
from accounts.tenancy import WorkspaceScopedManager
from contacts.models import Contact, Group

DEFAULT_OPT_OUT_WORDS = "STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT"
DEFAULT_OPT_IN_WORDS = "START, UNSTOP"


def new_key() -> str:
    """The unguessable part of a VMN's forwarding URL (about 190 bits)."""
    return secrets.token_urlsafe(24)


def new_auth() -> str:
    """The `auth` passthrough value the gateway sends with every forwarded message."""
    return secrets.token_urlsafe(18)


class Method(models.TextChoices):
    POST = "POST", "POST"
    GET = "GET", "GET"


class VirtualNumber(models.Model):
    """A VMN of the workspace and its forwarding endpoint (`/inbound/<key>/`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="vmns")
    number = models.CharField(max_length=20, help_text=gettext_lazy("E.164, e.g. +447700900500"))
    label = models.CharField(max_length=100, blank=True)
    key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    method = models.CharField(
        _("method on the gateway"), max_length=4, choices=Method.choices, default=Method.POST
    )
    auth = EncryptedTextField(default=new_auth)
    previous_auth = EncryptedTextField(blank=True, default="")
    previous_auth_until = models.DateTimeField(null=True, blank=True)
    auth_rotated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="vmn_unique_number")
        ]
        indexes = [models.Index(fields=["workspace", "number"], name="vmn_workspace_idx")]

    def __str__(self) -> str:
        return f"{self.number} ({self.label})" if self.label else self.number

    def __repr__(self) -> str:
        return f"<VirtualNumber {self.number} workspace={self.workspace_id}>"


class InboxSettings(models.Model):
    """Per workspace: the opt-out and opt-in words and their confirmations."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="inbox_settings"
    )
    opt_out_words = models.CharField(
        max_length=300,
        default=DEFAULT_OPT_OUT_WORDS,
        help_text=gettext_lazy(
            "A message that is exactly one of these words (any case) opts the sender out."
        ),
    )
    opt_in_words = models.CharField(
        max_length=300,
        default=DEFAULT_OPT_IN_WORDS,
        help_text=gettext_lazy(
            "A message that is exactly one of these words opts the sender back in."
        ),
    )
    opt_out_reply = models.CharField(
        _("opt-out confirmation"),
        max_length=459,
        blank=True,
        help_text=gettext_lazy("Sent once when someone opts out. Leave blank to send nothing."),
    )
    opt_in_reply = models.CharField(
        _("opt-in confirmation"),
        max_length=459,
        blank=True,
        help_text=gettext_lazy("Sent when someone opts back in. Leave blank to send nothing."),
    )
    notify_members = models.BooleanField(
        _("email members when a text arrives"),
        default=False,
        help_text=gettext_lazy(
            "Owners, admins and senders get an email (at most one per conversation every "
            "ten minutes)."
        ),
    )
    reconciled_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = WorkspaceScopedManager()

    class Meta:
        verbose_name_plural = "inbox settings"

    def __str__(self) -> str:
        return f"Inbox settings of {self.workspace}"


class Conversation(models.Model):
    """Everything exchanged with one number: its inbound texts and the messages sent to it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="conversations")
    number = models.CharField(max_length=20)  # E.164 (or the sender's text when not a number)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    vmn = models.ForeignKey(
        VirtualNumber, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_message_at = models.DateTimeField()
    last_preview = models.CharField(max_length=120, blank=True)
    unread_count = models.PositiveIntegerField(default=0)
    last_auto_reply_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="conversation_unique")
        ]
        indexes = [
            models.Index(fields=["workspace", "-last_message_at", "-id"], name="conversation_list")
        ]

    def __str__(self) -> str:
        return str(self.contact) if self.contact_id else self.number


class InboundMessage(models.Model):
    """One text forwarded by the gateway (or recovered from its report), stored once per id.

    Every index costs the endpoint's insert, so there are few: texts are found by workspace and
    gateway id, by conversation, and (while unprocessed) by the drain.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="inbound", db_index=False
    )
    vmn = models.ForeignKey(
        VirtualNumber,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,  # VMNs are rarely removed; the scan then is acceptable
    )
    dest = models.CharField(max_length=20)  # the VMN as the gateway named it, E.164
    gateway_id = models.CharField(max_length=40)
    source = models.CharField(max_length=20)  # E.164 when it reads as a number
    body = models.TextField(blank=True)
    received_at = models.DateTimeField()  # `receivedts`, read in the vendor's time zone
    stored_at = models.DateTimeField(auto_now_add=True)
    mm_name = models.CharField(max_length=200, blank=True)
    mm_email = models.CharField(max_length=200, blank=True)
    mm1 = models.CharField(max_length=200, blank=True)
    mm2 = models.CharField(max_length=200, blank=True)
    mm3 = models.CharField(max_length=200, blank=True)
    mm4 = models.CharField(max_length=200, blank=True)
    mm5 = models.CharField(max_length=200, blank=True)
    raw = models.JSONField(default=dict, blank=True)  # every parameter but `auth`
    recovered = models.BooleanField(
        default=False, help_text=gettext_lazy("Found in the gateway's report.")
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # inbound_contact, which leaves out the texts not matched yet
    )
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,  # inbound_thread starts with the workspace and serves it
    )
    is_read = models.BooleanField(default=False)
    processed_at = models.DateTimeField(null=True, blank=True)
    opt_action = models.CharField(max_length=8, blank=True)  # "opt_out" or "opt_in"
    opt_applied = models.BooleanField(default=False)
    auto_reply_rule = models.ForeignKey(
        "AutoReplyRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reply_broadcast_id = models.BigIntegerField(null=True, blank=True)  # confirmation/auto-reply

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "gateway_id"], name="inbound_unique_id")
        ]
        indexes = [
            # A text is stored without its contact and conversation, which the worker sets: these
            # two indexes leave such rows out, so the endpoint's insert does not write to them.
            models.Index(
                fields=["workspace", "conversation", "received_at"],
                condition=Q(conversation__isnull=False),
                name="inbound_thread",
            ),
            models.Index(
                fields=["contact"], condition=Q(contact__isnull=False), name="inbound_contact"
            ),
            models.Index(
                fields=["stored_at"], condition=Q(processed_at__isnull=True), name="inbound_todo"
            ),
            # STOPs claimed by the worker but not written to the contacts yet (never at insert).
            models.Index(
                fields=["workspace", "source"],
                condition=Q(opt_action="opt_out", opt_applied=False),
                name="inbound_opt_out_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway_id} from {self.source}"


class AutoReplyRule(models.Model):
    """Reply automatically when the first word is a keyword (or to any message)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="auto_replies")
    keyword = models.CharField(
        max_length=30,
        blank=True,
        help_text=gettext_lazy("The first word of the message; blank: any message."),
    )
    reply = models.CharField(max_length=459)
    add_to_group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["keyword", "id"]
        indexes = [models.Index(fields=["workspace", "is_active"], name="autoreply_active")]

    def __str__(self) -> str:
        return self.keyword.upper() if self.keyword else "(any message)"
