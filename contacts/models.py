"""The address book: contacts and groups of a workspace, and their copy on the gateway."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Workspace
from accounts.tenancy import WorkspaceScopedManager

CUSTOM_FIELDS = ("field1", "field2", "field3", "field4", "field5")  # the gateway's MM1..MM5


def gateway_text(value: str) -> str:
    """A field as the gateway's unquoted CSV can carry it: commas become semicolons."""
    return " ".join(value.replace(",", ";").split())


class SyncState(models.TextChoices):
    UNSYNCED = "unsynced", _("Not on the gateway yet")
    SYNCED = "synced", _("On the gateway")
    FAILED = "failed", _("Gateway refused")


class Contact(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: the three below start with the workspace (one fewer to keep up per
    # contact written).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    name = models.CharField(max_length=200, blank=True)
    number = models.CharField(max_length=20, help_text=_("E.164, e.g. +447700900123"))
    email = models.EmailField(blank=True)
    field1 = models.CharField(_("custom field 1"), max_length=200, blank=True)
    field2 = models.CharField(_("custom field 2"), max_length=200, blank=True)
    field3 = models.CharField(_("custom field 3"), max_length=200, blank=True)
    field4 = models.CharField(_("custom field 4"), max_length=200, blank=True)
    field5 = models.CharField(_("custom field 5"), max_length=200, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    sync_state = models.CharField(
        max_length=10, choices=SyncState.choices, default=SyncState.UNSYNCED
    )
    sync_error = models.CharField(max_length=300, blank=True)
    source_import = models.ForeignKey(
        "contacts.ContactImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )
    source_line = models.PositiveIntegerField(null=True, blank=True)  # its line in that file
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["workspace", "number"]),
            models.Index(fields=["workspace", "name", "id"]),
            models.Index(fields=["workspace", "sync_state"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})" if self.name else self.number

    @property
    def is_opted_out(self) -> bool:
        return self.opted_out_at is not None

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0] if self.name else ""


class Group(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=100)
    contacts = models.ManyToManyField(Contact, through="GroupMembership", related_name="groups")
    sync_state = models.CharField(
        max_length=10, choices=SyncState.choices, default=SyncState.UNSYNCED
    )
    sync_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def gateway_name(self) -> str:
        """The name on the gateway, whose import format cannot carry a comma."""
        return gateway_text(self.name)


class GroupMembership(models.Model):
    # Neither needs an index of its own: the unique constraint starts with the group, the index
    # below with the contact.
    group = models.ForeignKey(Group, on_delete=models.CASCADE, db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, db_index=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "contact"], name="group_member_unique")
        ]
        indexes = [models.Index(fields=["contact", "group"])]

    def __str__(self) -> str:
        return f"{self.contact} in {self.group}"


class CustomFieldNames(models.Model):
    """What the workspace calls its contacts' five custom fields (the gateway's MM1..MM5): the
    names show on every page and serve as merge fields ({company} as well as {field1})."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="custom_field_names"
    )
    label1 = models.CharField(max_length=40, blank=True)
    label2 = models.CharField(max_length=40, blank=True)
    label3 = models.CharField(max_length=40, blank=True)
    label4 = models.CharField(max_length=40, blank=True)
    label5 = models.CharField(max_length=40, blank=True)

    objects = WorkspaceScopedManager()

    class Meta:
        verbose_name_plural = "custom field names"

    def __str__(self) -> str:
        return f"custom field names of {self.workspace}"


class DuplicatePolicy(models.TextChoices):
    """The gateway's three ImportContactsCSV modes."""

    REFUSE = "refuse", _("Refuse duplicates (same name or same number)")
    ALLOW = "allow", _("Allow duplicates")
    OVERWRITE = "overwrite", _("Overwrite contacts with the same number")


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped")


class ContactImport(models.Model):
    """A CSV import job: the uploaded file, how to read it, and where it has got to.

    Progress is committed with every chunk, so a stopped job resumes after `records_done`.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    file = models.FileField(upload_to="contact-imports/", max_length=300, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=20, default="utf-8")
    delimiter = models.CharField(max_length=1, default=",")
    has_header = models.BooleanField(default=True)
    mapping = models.JSONField(default=list, blank=True)  # one target per column ("" = ignore)
    header = models.JSONField(default=list, blank=True)  # the file's header row, for the to-fix CSV
    policy = models.CharField(
        max_length=10, choices=DuplicatePolicy.choices, default=DuplicatePolicy.REFUSE
    )
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    records_done = models.PositiveIntegerField(default=0)  # CSV records consumed, header included
    line_done = models.PositiveIntegerField(default=0)  # the file line the last record ended on
    bytes_done = models.BigIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    partial = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["state", "heartbeat_at"]),
        ]

    def __str__(self) -> str:
        return f"Import of {self.original_name or self.public_id}"

    @property
    def imported(self) -> int:
        return self.created + self.updated

    @property
    def in_flight(self) -> bool:
        return self.state in (ImportState.QUEUED, ImportState.RUNNING)

    @property
    def delimiter_label(self) -> str:
        return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}.get(self.delimiter, "")

    @property
    def percent(self) -> int:
        if self.state == ImportState.DONE:
            return 100
        return min(99, int(100 * self.bytes_done / self.size)) if self.size else 0


class IssueResult(models.TextChoices):
    """A row's outcome, in the gateway's words."""

    FAILED = "Failed", _("Failed")
    PARTIAL = "Partial", _("Partial")
    DUPLICATE_NAME = "Duplicate Name", _("Duplicate name")
    DUPLICATE_NUMBER = "Duplicate Number", _("Duplicate number")


class ImportIssue(models.Model):
    """A row of an import that failed, was only partly imported or was a duplicate, with the
    gateway-style reason."""

    contact_import = models.ForeignKey(  # indexed by (contact_import, line) below
        ContactImport, on_delete=models.CASCADE, related_name="issues", db_index=False
    )
    line = models.PositiveIntegerField()
    result = models.CharField(max_length=20, choices=IssueResult.choices)
    reason = models.CharField(max_length=300)
    fields = models.JSONField(default=list)  # the row as read, to fix and upload again
    # For a duplicate: the contact that already has the name or number.
    duplicate_of = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["line"]
        indexes = [models.Index(fields=["contact_import", "line"])]

    def __str__(self) -> str:
        return f"{self.line} : {self.reason}"


class ImportPreferences(models.Model):
    """What a workspace chose last time: column mapping by header name, and the duplicate policy."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="import_preferences"
    )
    mapping = models.JSONField(default=dict)  # lower-cased header -> target
    policy = models.CharField(
        max_length=10, choices=DuplicatePolicy.choices, default=DuplicatePolicy.REFUSE
    )
    has_header = models.BooleanField(default=True)

    objects = WorkspaceScopedManager()

    class Meta:
        verbose_name_plural = "import preferences"

    def __str__(self) -> str:
        return f"Import preferences of {self.workspace}"


class JobKind(models.TextChoices):
    RESYNC = "resync", _("Resync address book")
    DELETE_ALL_CONTACTS = "delete_contacts", _("Delete all contacts")
    DELETE_ALL_GROUPS = "delete_groups", _("Delete all groups")
    EMPTY_GROUP = "empty_group", _("Empty group")
    DELETE_GROUP = "delete_group", _("Delete group")
    RENAME_GROUP = "rename_group", _("Rename group")


class JobState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class GatewayJob(models.Model):
    """An address-book action mirrored on the gateway, run once by the worker and never retried."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="gateway_jobs")
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    target = models.CharField(max_length=100, blank=True)  # a group's gateway name
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error_code = models.IntegerField(null=True, blank=True)
    error_text = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} “{self.target}”" if self.target else label

    @property
    def in_flight(self) -> bool:
        return self.state in (JobState.PENDING, JobState.RUNNING)


class AddressBook(models.Model):
    """Per workspace: whether the gateway's copy lacks deletions only a resync can make."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="address_book"
    )
    stale_since = models.DateTimeField(null=True, blank=True)
    stale_reason = models.CharField(max_length=200, blank=True)
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_push_error = models.CharField(max_length=500, blank=True)

    objects = WorkspaceScopedManager()

    def __str__(self) -> str:
        return f"Address book of {self.workspace}"


class ConsentKind(models.TextChoices):
    ADDED = "added", _("Added")
    OPTED_OUT = "opted_out", _("Opted out")
    OPTED_IN = "opted_in", _("Opted in")


class ConsentMethod(models.TextChoices):
    TYPED = "typed", _("Typed in the portal")
    IMPORT = "import", _("Imported from a file")
    KEYWORD = "keyword", _("Text message keyword")
    INBOUND = "inbound", _("Texted the workspace")
    API = "api", _("Through the API")


class ConsentEvent(models.Model):
    """How and when a contact was added, opted out or opted back in: the proof a business needs
    under PECR. Imports are recorded on the contact itself (`source_import`, `source_line`), so
    that a million-row import writes no second row per contact."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="consent_events"
    )
    number = models.CharField(max_length=20)  # E.164, as it was then
    kind = models.CharField(max_length=10, choices=ConsentKind.choices)
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_email = models.CharField(max_length=254, blank=True)
    api_key = models.CharField(max_length=20, blank=True)  # the key's prefix
    keyword = models.CharField(max_length=160, blank=True)  # the text that did it
    inbound_id = models.BigIntegerField(null=True, blank=True)  # that text's row in the inbox

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["workspace", "number", "at"], name="consent_number_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.kind} ({self.method}) {self.at:%Y-%m-%d}"


class Suppression(models.Model):
    """A number the workspace no longer sends to because it keeps failing permanently (the
    handset answers Undeliverable, or the gateway refuses the number: -401, -412). An admin may
    lift it; a lifted row stays as the record, and a number has at most one standing."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="suppressions")
    number = models.CharField(max_length=20)  # E.164
    reason = models.CharField(max_length=300)  # the last failure, in the gateway's words
    failures = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "number"], name="suppression_number_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "number"],
                condition=models.Q(lifted_at__isnull=True),
                name="suppression_one_standing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({'lifted' if self.lifted_at else 'suppressed'})"

    @property
    def is_standing(self) -> bool:
        return self.lifted_at is None
