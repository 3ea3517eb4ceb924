"""The address book: contacts and groups of a workspace, and their copy on the gateway."""

import uuid

from django.db import models

from accounts.models import Workspace
from accounts.tenancy import WorkspaceScopedManager

CUSTOM_FIELDS = ("field1", "field2", "field3", "field4", "field5")  # the gateway's MM1..MM5


class SyncState(models.TextChoices):
    UNSYNCED = "unsynced", "Not on the gateway yet"
    SYNCED = "synced", "On the gateway"
    FAILED = "failed", "Gateway refused"


class Contact(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    number = models.CharField(max_length=20, help_text="E.164, e.g. +447700900123")
    email = models.EmailField(blank=True)
    field1 = models.CharField("custom field 1", max_length=200, blank=True)
    field2 = models.CharField("custom field 2", max_length=200, blank=True)
    field3 = models.CharField("custom field 3", max_length=200, blank=True)
    field4 = models.CharField("custom field 4", max_length=200, blank=True)
    field5 = models.CharField("custom field 5", max_length=200, blank=True)
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


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "contact"], name="group_member_unique")
        ]
        indexes = [models.Index(fields=["contact", "group"])]

    def __str__(self) -> str:
        return f"{self.contact} in {self.group}"


class ContactImport(models.Model):
    """A CSV import job; the rest of its fields belong to the import feature."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="imports")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"Import {self.public_id}"
