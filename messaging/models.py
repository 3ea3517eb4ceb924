"""Broadcasts, one message per recipient, their status history, sender IDs and templates."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Workspace
from accounts.tenancy import WorkspaceScopedManager
from contacts.models import Contact


class SenderID(models.Model):
    """A sender ID the workspace has approved for its messages (alphanumeric or a number)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sender_ids")
    value = models.CharField(max_length=16)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-is_default", "value"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "value"], name="sender_unique_value"),
            models.UniqueConstraint(
                fields=["workspace"], condition=Q(is_default=True), name="sender_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.value


class MessageTemplate(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField(max_length=100)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="template_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


DEFAULT_OPT_OUT_FOOTER = "Reply STOP to opt out"


def with_footer(body: str, footer: str) -> str:
    """A marketing message's text as sent: the body, then the opt-out instruction on its own
    line (nothing is added when there is no footer)."""
    return f"{body}\n{footer}" if footer else body


class BroadcastStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    SENT = "sent", _("Sent")
    PARTLY_FAILED = "partly_failed", _("Partly failed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


class BroadcastKind(models.TextChoices):
    DIRECT = "direct", _("Numbers and contacts")
    GATEWAY_GROUP = "gateway_group", _("Gateway group")
    GATEWAY_LIST = "gateway_list", _("Gateway list")


class Broadcast(models.Model):
    """One send: a body, a sender, recipients, and when."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="broadcasts")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=14, choices=BroadcastKind.choices, default="direct")
    body = models.TextField()
    source = models.CharField(_("sender ID"), max_length=16)
    recipients_spec = models.JSONField(default=dict, blank=True)
    gateway_target = models.CharField(max_length=100, blank=True)  # group or list name
    personalised = models.BooleanField(default=False)
    # The confirmation of a STOP, or an inbox reply to a text the person sent after opting out,
    # answers their own text: their opt-out does not stop it.
    opt_out_exempt = models.BooleanField(default=False)
    # A reply to a text just received (inbox reply, auto-reply, confirmation): never held by quiet
    # hours, since it answers the customer.
    is_reply = models.BooleanField(default=False)
    is_test = models.BooleanField(default=False)  # "Send a test to me" from the review page
    track_links = models.BooleanField(default=False)  # each URL becomes a short link per recipient
    # A marketing message (UK PECR): it carries the workspace's opt-out instruction, `footer`,
    # added after the body as typed (`body` stays as the person wrote it).
    marketing = models.BooleanField(default=False)
    footer = models.CharField(max_length=160, blank=True)
    # Quiet hours overridden for this broadcast by an admin, with the reason (audited).
    quiet_override_reason = models.CharField(max_length=300, blank=True)
    quiet_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Maker-checker: who approved or rejected a send above the workspace's threshold.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.CharField(max_length=300, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # An occurrence of a recurring series: one broadcast per series and occurrence time.
    series = models.ForeignKey(
        "Series", on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrences"
    )
    occurrence_at = models.DateTimeField(null=True, blank=True)
    schedule_at = models.DateTimeField(null=True, blank=True)
    validity_seconds = models.PositiveIntegerField(default=86400)
    status = models.CharField(
        max_length=20, choices=BroadcastStatus.choices, default=BroadcastStatus.DRAFT
    )
    status_reason = models.CharField(max_length=300, blank=True)
    encoding = models.CharField(max_length=5, default="GSM-7")
    parts = models.PositiveSmallIntegerField(default=1)
    recipient_count = models.PositiveIntegerField(default=0)
    estimated_credits = models.PositiveIntegerField(default=0)
    # What happened to the recipients (services/outcomes.py): the buckets add up to the recipients;
    # `sent_count` is every recipient the gateway accepted, whatever happened next.
    sent_count = models.PositiveIntegerField(default=0)
    delivered_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    undeliverable_count = models.PositiveIntegerField(default=0)
    expired_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    pending_count = models.PositiveIntegerField(default=0)
    unknown_count = models.PositiveIntegerField(default=0)
    idempotency_key = models.UUIDField()
    bg_send_id = models.CharField(max_length=100, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_progress_at = models.DateTimeField(null=True, blank=True)
    # Set by Cancel: rows not yet claimed are cancelled at once, rows in doubt when they settle.
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_count = models.PositiveIntegerField(default=0)

    objects = WorkspaceScopedManager()
    # True on the instance `compose.broadcast_create` has just written (not one it found by its
    # idempotency key): nothing has been sent of it yet, in this transaction.
    written_now = False

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["status", "schedule_at"], name="broadcast_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"], name="broadcast_unique_idempotency_key"
            ),
            models.UniqueConstraint(
                fields=["series", "occurrence_at"],
                condition=Q(series__isnull=False),
                name="broadcast_one_per_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body[:40]}… to {self.recipient_count}"

    @property
    def is_active(self) -> bool:
        return self.status in (BroadcastStatus.QUEUED, BroadcastStatus.SENDING)

    @property
    def text_as_sent(self) -> str:
        """The text every recipient gets when it is not personalised: the body and its footer."""
        return with_footer(self.body, self.footer)

    @property
    def validity_hours(self) -> int:
        return self.validity_seconds // 3600

    @property
    def not_reached_count(self) -> int:
        """Recipients the message failed to reach: failed, undeliverable or expired."""
        return self.failed_count + self.undeliverable_count + self.expired_count


class SeriesStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class Series(models.Model):
    """A recurring broadcast: the message, the recipients as picked (resolved again at each
    occurrence), and an RFC 5545 rule read in the workspace's time zone, so that 09:00 stays
    09:00 across the clock changes. Beat makes each occurrence its own broadcast, once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="series")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    source = models.CharField(_("sender ID"), max_length=16)
    validity_seconds = models.PositiveIntegerField(default=86400)
    marketing = models.BooleanField(default=False)  # each occurrence carries the opt-out footer
    selection = models.JSONField(default=dict)  # numbers, contact_ids, group_ids, gateway names
    rule = models.CharField(max_length=300)  # RRULE:FREQ=WEEKLY;BYDAY=TU (no DTSTART)
    starts = models.DateTimeField()  # the first occurrence's wall time, read in time_zone
    time_zone = models.CharField(max_length=64)
    status = models.CharField(
        max_length=8, choices=SeriesStatus.choices, default=SeriesStatus.ACTIVE
    )
    next_at = models.DateTimeField(null=True, blank=True)  # the next occurrence (UTC)
    occurrences_made = models.PositiveIntegerField(default=0)
    last_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "series"
        indexes = [
            models.Index(fields=["next_at"], condition=Q(status="active"), name="series_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.body[:40]}… ({self.rule})"


class QuietHours(models.Model):
    """When the workspace does not text people: a daily window (it may cross midnight) and whole
    days, in the workspace's time zone. Sends due inside are held until the window ends."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="quiet_hours"
    )
    enabled = models.BooleanField(default=False)
    start = models.TimeField(null=True, blank=True)  # e.g. 21:00
    end = models.TimeField(null=True, blank=True)  # e.g. 08:00 (the next morning)
    quiet_days = models.JSONField(default=list, blank=True)  # weekdays quiet all day, 0 = Monday
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedManager()

    class Meta:
        verbose_name_plural = "quiet hours"

    def __str__(self) -> str:
        return f"quiet hours of {self.workspace}"


class ApprovalPolicy(models.Model):
    """Maker-checker: sends above these sizes need an admin's or owner's approval."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="approval")
    enabled = models.BooleanField(default=False)
    recipients_over = models.PositiveIntegerField(null=True, blank=True)
    credits_over = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedManager()

    class Meta:
        verbose_name_plural = "approval policies"

    def __str__(self) -> str:
        return f"approval policy of {self.workspace}"


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SUBMITTING = "submitting", _("Submitting")
    SUBMITTED = "submitted", _("Submitted")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Needs a decision")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


IN_FLIGHT_STATES = (MessageState.QUEUED, MessageState.SUBMITTING, MessageState.SUBMITTED)


class DispatchRun(models.Model):
    """One dispatch task's turn at a broadcast, and its lease: the proof that it is still alive.

    The run renews `alive_until` before each gateway call; rows it has claimed belong to it until
    it records them or hands them over. The reconciler never touches rows of a live run.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="runs")
    worker = models.CharField(max_length=200, blank=True)  # host:pid, for the operator
    started_at = models.DateTimeField()
    alive_until = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)  # rows it called the gateway for (its rate)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["broadcast", "ended_at"], name="run_broadcast_idx")]

    def __str__(self) -> str:
        return f"run {self.public_id} of broadcast {self.broadcast_id}"


class Message(models.Model):
    """One recipient of a broadcast: the outbox row, then the message's life on the gateway."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="messages")
    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="messages")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    destination = models.CharField(max_length=20)  # E.164
    body = models.TextField(blank=True)  # only when personalised; else the broadcast's
    state = models.CharField(max_length=10, choices=MessageState.choices, default="queued")
    gateway_status = models.CharField(max_length=30, blank=True)  # the word as the gateway gave it
    gateway_id = models.CharField(max_length=40, blank=True)  # the first part's ID
    gateway_ids = models.CharField(max_length=400, blank=True)  # every part's ID, comma-separated
    error_code = models.IntegerField(null=True, blank=True)
    error_text = models.CharField(max_length=300, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    check_count = models.PositiveSmallIntegerField(default=0)
    # While `submitting`: the run that claimed the row, and since when its outcome is in doubt
    # (the answer to its call was lost, or its run died); the reconciler settles rows in doubt.
    run = models.ForeignKey(
        DispatchRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    doubt_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["workspace", "-id"], name="message_log_idx"),
            models.Index(fields=["workspace", "state", "-id"], name="message_log_state_idx"),
            models.Index(fields=["workspace", "destination", "-id"], name="message_log_dest_idx"),
            models.Index(fields=["broadcast", "state"], name="message_broadcast_state_idx"),
            models.Index(fields=["workspace", "gateway_id"], name="message_gateway_id_idx"),
            models.Index(
                fields=["next_check_at"],
                condition=Q(state="submitted"),
                name="message_tracking_idx",
            ),
            models.Index(
                fields=["workspace", "next_check_at"],
                condition=Q(state="submitting"),
                name="message_doubt_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.destination} ({self.state})"

    @property
    def text(self) -> str:
        return self.body or self.broadcast.text_as_sent


class MessageEvent(models.Model):
    """A change of a message's status, as it happened (the status history)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=10, choices=MessageState.choices)
    gateway_status = models.CharField(max_length=30, blank=True)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["message", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {self.gateway_status or self.state}"


class GatewayCallCount(models.Model):
    """Gateway calls spent on tracking and the messages they brought to a final state, per day."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    report_calls = models.PositiveIntegerField(default=0)
    status_calls = models.PositiveIntegerField(default=0)
    finals = models.PositiveIntegerField(default=0)

    objects = WorkspaceScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "day"], name="callcount_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.workspace} {self.day}"

    @property
    def calls_per_final(self) -> float | None:
        if not self.finals:
            return None
        return (self.report_calls + self.status_calls) / self.finals


class LinkSettings(models.Model):
    """How long a workspace's tracked links keep working."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    expire_days = models.PositiveIntegerField(_("links work for (days)"), default=90)

    class Meta:
        verbose_name = _("link settings")
        verbose_name_plural = _("link settings")

    def __str__(self) -> str:
        return f"{self.workspace}: {self.expire_days} days"


class MarketingSettings(models.Model):
    """The opt-out instruction added to a workspace's marketing messages."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    opt_out_footer = models.CharField(
        _("opt-out instruction"), max_length=100, default=DEFAULT_OPT_OUT_FOOTER
    )

    class Meta:
        verbose_name = _("marketing settings")
        verbose_name_plural = _("marketing settings")

    def __str__(self) -> str:
        return f"{self.workspace}: {self.opt_out_footer}"


class TrackedLink(models.Model):
    """One URL of one recipient's text, replaced by `SITE_URL/l/<code>`."""

    code = models.CharField(max_length=16, unique=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="links")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="links")
    url = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    clicks = models.PositiveIntegerField(default=0)  # people, not previews or bots
    other_hits = models.PositiveIntegerField(default=0)  # previews, bots, repeats within 1 s
    first_clicked_at = models.DateTimeField(null=True, blank=True)
    last_clicked_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["broadcast", "clicks"], name="link_broadcast_idx"),
            models.Index(fields=["message"], name="link_message_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.url}"


class LinkClick(models.Model):
    """One visit of a tracked link, written in batches after the redirect answered."""

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="hits")
    at = models.DateTimeField()
    counted = models.BooleanField()  # False: a preview, a bot, a HEAD, or a repeat within 1 s
    reason = models.CharField(max_length=20, blank=True)  # why not counted
    visitor = models.CharField(max_length=64)  # a hash of the address: repeats without the address
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["link", "visitor", "at"], name="linkclick_visitor_idx")]

    def __str__(self) -> str:
        return f"{self.link_id} at {self.at:%H:%M:%S}"
