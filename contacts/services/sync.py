"""Keeping the gateway's address book in step with the portal's.

The gateway cannot be read back, so the portal holds the contacts and pushes them with
ImportContactsCSV, `PUSH_CHUNK` lines per call, always with OverwriteDupes=1 (the number is the key
on the gateway: a known number is updated, a new one added). Each answer line is mapped back to its
contact. A call that fails as a whole leaves its contacts unsynced with the gateway's reason, and
beat pushes them again later. Destructive actions (EmptyGroup, DeleteGroup, DeleteAllContacts,
DeleteAllGroups) are recorded as a GatewayJob, run once, and never retried automatically.
"""

from __future__ import annotations

import contextlib

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

import textconnect
from accounts.bulk import update_rows
from accounts.gateway import GatewayNotConnected, client_for, error_summary
from accounts.locks import task_lock
from accounts.models import GatewayConnection, Workspace

from ..models import (
    AddressBook,
    Contact,
    GatewayJob,
    Group,
    GroupMembership,
    JobKind,
    JobState,
    Suppression,
    SyncState,
    gateway_text,
)
from ..phone import gateway_number

PUSH_CHUNK = 500  # lines per ImportContactsCSV call: about 50 KB, well under request limits
DELETE_BATCH = 10_000


def _lock(workspace_id: int) -> str:
    return f"contacts:push:{workspace_id}"


def pushable(workspace: Workspace) -> Q:
    """Contacts waiting for the gateway: unsynced, not opted out and not suppressed (neither is
    put back in the gateway's groups, which the gateway expands for a group send)."""
    suppressed = Suppression.objects.filter(workspace=workspace, lifted_at__isnull=True)
    return Q(workspace=workspace, sync_state=SyncState.UNSYNCED, opted_out_at__isnull=True) & ~Q(
        number__in=suppressed.values("number")
    )


def contact_line(contact: Contact, groups: list[str]) -> list[str]:
    """A contact as one ImportContactsCSV line (the gateway needs a name: the number stands in)."""
    name = gateway_text(contact.name) or gateway_number(contact.number)
    return [name, gateway_number(contact.number), gateway_text(contact.email), *groups]


def contacts_push(*, workspace: Workspace, job: GatewayJob | None = None) -> bool:
    """Push every waiting contact, chunk by chunk. False when a call failed (retried by beat)."""
    with task_lock(_lock(workspace.pk)) as held:
        if not held:
            return True  # another push of this workspace is running and will pick these up
        return _push_all(workspace, job)


def _push_all(workspace: Workspace, job: GatewayJob | None) -> bool:
    book, _ = AddressBook.objects.get_or_create(workspace=workspace)
    try:
        client = client_for(workspace)
    except GatewayNotConnected:
        _book_error(book, "No gateway account is connected.")
        return False
    last_id = 0
    with client:
        while True:
            batch = list(
                Contact.objects.filter(pushable(workspace), pk__gt=last_id).order_by("pk")[
                    :PUSH_CHUNK
                ]
            )
            if not batch:
                break
            last_id = batch[-1].pk
            if not _push_batch(client, workspace, batch, job):
                return False  # the reason is on the contacts and the address book
    AddressBook.objects.filter(pk=book.pk).update(last_push_at=timezone.now(), last_push_error="")
    return True


def _book_error(book: AddressBook, text: str) -> None:
    AddressBook.objects.filter(pk=book.pk).update(last_push_error=text[:500])


def _push_batch(
    client: textconnect.Client, workspace: Workspace, batch: list[Contact], job: GatewayJob | None
) -> bool:
    read_at = timezone.now()
    ids = [c.pk for c in batch]
    groups: dict[int, list[str]] = {}
    for contact_id, name in GroupMembership.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "group__name"
    ):
        groups.setdefault(contact_id, []).append(gateway_text(name))
    lines = [contact_line(c, groups.get(c.pk, [])) for c in batch]
    unchanged = Contact.objects.filter(updated_at__lte=read_at)  # an edit since wins
    try:
        results = client.import_contacts(lines, overwrite_dupes=True)
    except textconnect.TextConnectError as exc:
        code, text = error_summary(exc)
        reason = f"{code}: {text}" if code is not None else text
        unchanged.filter(pk__in=ids).update(sync_error=reason[:300])
        AddressBook.objects.filter(workspace=workspace).update(last_push_error=reason[:500])
        return False
    by_line = {r.line: r for r in results}
    with transaction.atomic():
        # An edit since the batch was read wins: only rows still unchanged (locked) are written.
        current = dict(
            unchanged.filter(pk__in=ids).select_for_update().values_list("pk", "sync_state")
        )
        written, synced, failed = [], [], 0
        for index, contact in enumerate(batch, start=1):
            result = by_line.get(index)
            if result is None:
                state, error = current.get(contact.pk), "No answer for this line."
            elif result.ok or result.result.startswith("Duplicate"):
                state = SyncState.SYNCED
                error = f"{index} : {result.reason}" if result.reason else ""
                if not result.reason:
                    synced.append(contact.pk)  # its groups went with it
            else:
                failed += 1
                state, error = SyncState.FAILED, f"{index} : {result.reason or result.result}"
            if contact.pk in current:
                written.append(Contact(pk=contact.pk, sync_state=state, sync_error=error[:300]))
        update_rows(written, ["sync_state", "sync_error"])
        Group.objects.filter(workspace=workspace, groupmembership__contact_id__in=synced).update(
            sync_state=SyncState.SYNCED, sync_error=""
        )
        if job is not None:
            GatewayJob.objects.filter(pk=job.pk).update(
                done=F("done") + len(batch), failed=F("failed") + failed
            )
    return True


def push_soon(workspace: Workspace) -> None:
    """Queue a push once the current transaction commits."""
    from ..tasks import contacts_push_task

    transaction.on_commit(lambda: contacts_push_task.delay(workspace.pk))


def push_sweep() -> int:
    """Beat: queue a push for every connected workspace with contacts waiting."""
    from ..tasks import contacts_push_task

    connected = GatewayConnection.objects.filter(workspace__suspended_at__isnull=True).values(
        "workspace_id"
    )
    waiting = Contact.objects.filter(
        workspace=OuterRef("pk"), sync_state=SyncState.UNSYNCED, opted_out_at__isnull=True
    )
    # One row per workspace by construction (a DISTINCT over contacts picked up their ordering
    # columns and queued a task per contact).
    ids = list(
        Workspace.objects.filter(pk__in=connected)
        .filter(Exists(waiting))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for workspace_id in ids:
        contacts_push_task.delay(workspace_id)
    return len(ids)


def mark_stale(workspace: Workspace, reason: str) -> None:
    """The gateway still holds something the portal removed; only a resync removes it there."""
    book, _ = AddressBook.objects.get_or_create(workspace=workspace)
    if book.stale_since is None:
        book.stale_since = timezone.now()
    book.stale_reason = reason[:200]
    book.save(update_fields=["stale_since", "stale_reason"])


# -- mirrored actions -------------------------------------------------------------------------


def gateway_job_start(
    *, workspace: Workspace, kind: JobKind, target: str = "", user: object = None
) -> GatewayJob:
    from ..tasks import gateway_job_task

    job = GatewayJob.objects.create(workspace=workspace, kind=kind, target=target, created_by=user)
    transaction.on_commit(lambda: gateway_job_task.delay(job.pk))
    return job


def gateway_job_run(*, job_id: int) -> None:
    """Run a mirrored action once. Failures are kept with the gateway's code and text."""
    claimed = GatewayJob.objects.filter(pk=job_id, state=JobState.PENDING).update(
        state=JobState.RUNNING
    )
    if claimed != 1:
        return
    job = GatewayJob.objects.select_related("workspace").get(pk=job_id)
    workspace = job.workspace
    try:
        if job.kind == JobKind.DELETE_ALL_CONTACTS:
            _delete_in_batches(Contact.objects.for_workspace(workspace))
        elif job.kind == JobKind.DELETE_ALL_GROUPS:
            Group.objects.for_workspace(workspace).delete()
        with client_for(workspace) as client:
            _mirror(client, job)
    except GatewayNotConnected as exc:
        _finish(job, JobState.FAILED, None, str(exc))
        return
    except textconnect.TextConnectError as exc:
        _finish(job, JobState.FAILED, *error_summary(exc))
        return
    if job.kind in (JobKind.RESYNC, JobKind.EMPTY_GROUP, JobKind.RENAME_GROUP):
        ok = contacts_push(workspace=workspace, job=job if job.kind == JobKind.RESYNC else None)
        if not ok:
            book = AddressBook.objects.get(workspace=workspace)
            _finish(job, JobState.FAILED, None, book.last_push_error or "The push stopped.")
            return
    if job.kind in (JobKind.RESYNC, JobKind.DELETE_ALL_CONTACTS):
        AddressBook.objects.filter(workspace=workspace).update(stale_since=None, stale_reason="")
    _finish(job, JobState.DONE, None, "")


def _mirror(client: textconnect.Client, job: GatewayJob) -> None:
    workspace = job.workspace
    if job.kind == JobKind.RESYNC:
        client.delete_all_contacts()
        client.delete_all_groups()
        waiting = Contact.objects.for_workspace(workspace).filter(opted_out_at__isnull=True)
        total = waiting.update(sync_state=SyncState.UNSYNCED, sync_error="")
        Group.objects.for_workspace(workspace).update(sync_state=SyncState.UNSYNCED)
        GatewayJob.objects.filter(pk=job.pk).update(total=total)
    elif job.kind == JobKind.DELETE_ALL_CONTACTS:
        client.delete_all_contacts()
    elif job.kind == JobKind.DELETE_ALL_GROUPS:
        client.delete_all_groups()
    elif job.kind in (JobKind.EMPTY_GROUP, JobKind.DELETE_GROUP, JobKind.RENAME_GROUP):
        action = client.empty_group if job.kind == JobKind.EMPTY_GROUP else client.delete_group
        with contextlib.suppress(textconnect.UnknownGroup):  # never there: nothing to do
            action(job.target)
        if job.kind == JobKind.EMPTY_GROUP:  # members still in the portal's group go back
            same = [
                g.pk for g in Group.objects.for_workspace(workspace) if g.gateway_name == job.target
            ]
            Contact.objects.filter(workspace=workspace, groupmembership__group_id__in=same).update(
                sync_state=SyncState.UNSYNCED
            )


def _delete_in_batches(contacts: object) -> int:
    deleted = 0
    while True:
        ids = list(contacts.values_list("pk", flat=True)[:DELETE_BATCH])  # type: ignore[attr-defined]
        if not ids:
            return deleted
        GroupMembership.objects.filter(contact_id__in=ids).delete()
        deleted += Contact.objects.filter(pk__in=ids).delete()[0]


def _finish(job: GatewayJob, state: JobState, code: int | None, text: str) -> None:
    GatewayJob.objects.filter(pk=job.pk).update(
        state=state, error_code=code, error_text=text[:500], finished_at=timezone.now()
    )
