"""Contacts and groups: the portal's writes, each followed by what the gateway needs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import WebhookEvent, Workspace
from accounts.webhooks import webhooks_emit

from ..consent import Origin, consent_record
from ..models import (
    ConsentKind,
    Contact,
    GatewayJob,
    Group,
    GroupMembership,
    JobKind,
    SyncState,
    gateway_text,
)
from . import sync


def contact_number_taken(
    *, workspace: Workspace, number: str, exclude: Contact | None = None
) -> Contact | None:
    """The contact that already has this number (unique per workspace by default)."""
    contacts = Contact.objects.for_workspace(workspace).filter(number=number)
    if exclude is not None and exclude.pk:
        contacts = contacts.exclude(pk=exclude.pk)
    return contacts.first()


def groups_refill(workspace: Workspace, groups: Iterable[Group], user: object = None) -> None:
    """The gateway cannot drop one member from a group: each group is emptied there and refilled
    with the members it has here (a job per group)."""
    for group in groups:
        sync.gateway_job_start(
            workspace=workspace, kind=JobKind.EMPTY_GROUP, target=group.gateway_name, user=user
        )


@transaction.atomic
def contact_save(
    *, contact: Contact, groups: list[Group] | None = None, origin: Origin | None = None
) -> Contact:
    """Create or update a contact and queue its push to the gateway. A new contact records how it
    was added (`origin`: typed by whom, or which API key)."""
    old_number = None
    if contact.pk:
        old_number = Contact.objects.filter(pk=contact.pk).values_list("number", flat=True).first()
    is_new = contact.pk is None
    contact.sync_state = SyncState.UNSYNCED
    contact.sync_error = ""
    contact.save()
    if is_new and origin is not None:
        consent_record(contact, ConsentKind.ADDED, origin)
    if groups is not None:
        kept = [g.pk for g in groups]
        left = list(Group.objects.filter(groupmembership__contact=contact).exclude(pk__in=kept))
        GroupMembership.objects.filter(contact=contact, group__in=left).delete()
        groups_refill(contact.workspace, left)
        current = set(
            GroupMembership.objects.filter(contact=contact).values_list("group_id", flat=True)
        )
        GroupMembership.objects.bulk_create(
            [GroupMembership(group=g, contact=contact) for g in groups if g.pk not in current]
        )
    if old_number and old_number != contact.number:
        sync.mark_stale(contact.workspace, "A contact's number was changed.")
    sync.push_soon(contact.workspace)
    return contact


def contacts_delete(*, request: HttpRequest, contacts: QuerySet[Contact]) -> int:
    """Delete contacts here; the gateway keeps them until the address book is resynced."""
    count = 0
    with transaction.atomic():
        ids = list(contacts.values_list("pk", flat=True))
        for start in range(0, len(ids), sync.DELETE_BATCH):
            count += (
                Contact.objects.filter(pk__in=ids[start : start + sync.DELETE_BATCH])
                .delete()[1]
                .get("contacts.Contact", 0)
            )
        if count:
            sync.mark_stale(request.workspace, f"{count} contacts were deleted here.")
            audit_record("contacts_deleted", request=request, count=count)
    return count


@transaction.atomic
def contacts_add_to_group(*, contacts: QuerySet[Contact], group: Group) -> int:
    """Add the contacts not in the group yet; returns how many (only they are pushed again)."""
    ids = list(contacts.exclude(groupmembership__group=group).values_list("pk", flat=True))
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, contact_id=pk) for pk in ids], ignore_conflicts=True
    )
    if ids:
        Contact.objects.filter(pk__in=ids).update(sync_state=SyncState.UNSYNCED)
        sync.push_soon(group.workspace)
    return len(ids)


@transaction.atomic
def contacts_remove_from_group(
    *, request: HttpRequest, contacts: QuerySet[Contact], group: Group
) -> int:
    """The gateway cannot drop one member: its group is emptied, then the rest pushed again."""
    removed, _ = GroupMembership.objects.filter(group=group, contact__in=contacts).delete()
    if removed:
        groups_refill(group.workspace, [group], user=request.user)
    return removed


def group_create(*, workspace: Workspace, name: str) -> Group:
    name = " ".join(name.split())
    try:
        with transaction.atomic():
            return Group.objects.create(workspace=workspace, name=name)
    except IntegrityError:
        raise ValidationError(
            _("A group named “%(name)s” already exists.") % {"name": name}
        ) from None


@transaction.atomic
def group_rename(*, request: HttpRequest, group: Group, name: str) -> GatewayJob | None:
    """Rename here; on the gateway the old group is deleted and the members pushed to the new."""
    name = " ".join(name.split())
    if name == group.name:
        return None
    if Group.objects.for_workspace(group.workspace).filter(name=name).exclude(pk=group.pk).exists():
        raise ValidationError(_("A group named “%(name)s” already exists.") % {"name": name})
    old = group.gateway_name
    group.name = name
    group.sync_state = SyncState.UNSYNCED
    group.save(update_fields=["name", "sync_state"])
    Contact.objects.filter(groupmembership__group=group).update(sync_state=SyncState.UNSYNCED)
    audit_record("group_renamed", request=request, obj=group, old_name=old)
    if gateway_text(name) == old:
        sync.push_soon(group.workspace)
        return None
    return sync.gateway_job_start(
        workspace=group.workspace, kind=JobKind.RENAME_GROUP, target=old, user=request.user
    )


@transaction.atomic
def group_empty(*, request: HttpRequest, group: Group) -> GatewayJob:
    count, _ = GroupMembership.objects.filter(group=group).delete()
    audit_record("group_emptied", request=request, obj=group, count=count)
    return sync.gateway_job_start(
        workspace=group.workspace, kind=JobKind.EMPTY_GROUP, target=group.gateway_name,
        user=request.user,
    )  # fmt: skip


@transaction.atomic
def group_delete(*, request: HttpRequest, group: Group) -> GatewayJob:
    target, workspace = group.gateway_name, group.workspace
    audit_record("group_deleted", request=request, obj=group)
    group.delete()
    return sync.gateway_job_start(
        workspace=workspace, kind=JobKind.DELETE_GROUP, target=target, user=request.user
    )


@transaction.atomic
def address_book_action(*, request: HttpRequest, kind: JobKind) -> GatewayJob:
    """Delete all contacts, delete all groups, or resync: run by the worker, shown with progress."""
    action = {
        JobKind.RESYNC: "address_book_resynced",
        JobKind.DELETE_ALL_CONTACTS: "contacts_all_deleted",
        JobKind.DELETE_ALL_GROUPS: "groups_all_deleted",
    }[kind]
    audit_record(action, request=request)
    return sync.gateway_job_start(workspace=request.workspace, kind=kind, user=request.user)


@transaction.atomic
def contact_opt_out(*, contact: Contact, origin: Origin, when: datetime | None = None) -> None:
    """Record an opt-out and how it came. The contact stays here, shown as opted out; on the
    gateway each of its groups is emptied and refilled without it, so a send to the group cannot
    reach it."""
    if contact.opted_out_at is not None:
        return
    contact.opted_out_at = when or timezone.now()
    contact.save(update_fields=["opted_out_at", "updated_at"])
    consent_record(contact, ConsentKind.OPTED_OUT, origin, at=contact.opted_out_at)
    groups_refill(contact.workspace, contact.groups.all())
    sync.mark_stale(contact.workspace, "A contact opted out.")
    _opt_event(contact, WebhookEvent.CONTACT_OPTED_OUT)


def contact_opt_in(*, contact: Contact, origin: Origin) -> None:
    """Undo an opt-out, recording how it came: the contact is pushed again, with its groups, so
    the gateway's groups reach it again."""
    if contact.opted_out_at is None:
        return
    contact.opted_out_at = None
    contact.sync_state = SyncState.UNSYNCED
    contact.save(update_fields=["opted_out_at", "sync_state", "updated_at"])
    consent_record(contact, ConsentKind.OPTED_IN, origin)
    sync.push_soon(contact.workspace)
    _opt_event(contact, WebhookEvent.CONTACT_OPTED_IN)


def _opt_event(contact: Contact, event: str) -> None:
    at = timezone.now().isoformat().replace("+00:00", "Z")
    data = {"contact": str(contact.public_id), "number": contact.number, "at": at}
    webhooks_emit(contact.workspace_id, event, [(data, str(contact.public_id))])


def contacts_retry(*, workspace: Workspace) -> int:
    """Put contacts the gateway refused back in the queue (after they were fixed, say)."""
    count = (
        Contact.objects.for_workspace(workspace)
        .filter(sync_state=SyncState.FAILED)
        .update(sync_state=SyncState.UNSYNCED)
    )
    sync.push_soon(workspace)
    return count
