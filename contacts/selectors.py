"""Reads of the contacts app: filtered contact lists with keyset pagination."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q, QuerySet

from accounts.models import Workspace

from .models import Contact, Group, SyncState

PAGE_SIZE = 50
STATUSES = [
    ("", "Everyone"),
    ("subscribed", "Not opted out"),
    ("opted_out", "Opted out"),
    ("unsynced", "Waiting for the gateway"),
    ("failed", "Refused by the gateway"),
    ("clicked", "Clicked a tracked link"),
    ("not_clicked", "Got a tracked link, did not click"),
]


def contacts_filtered(workspace: Workspace, params: Mapping[str, str]) -> QuerySet[Contact]:
    """Contacts matching the list's search box, group and status filters."""
    contacts = Contact.objects.for_workspace(workspace)
    if q := params.get("q", "").strip():
        match = Q(name__icontains=q) | Q(email__icontains=q)
        digits = re.sub(r"\D", "", q)
        if len(digits) >= 3:
            match |= Q(number__contains=digits.lstrip("0"))
        contacts = contacts.filter(match)
    if group := _uuid(params.get("group")):
        contacts = contacts.filter(groupmembership__group__public_id=group)
    status = params.get("status", "")
    if status == "opted_out":
        contacts = contacts.filter(opted_out_at__isnull=False)
    elif status == "subscribed":
        contacts = contacts.filter(opted_out_at__isnull=True)
    elif status == "unsynced":
        contacts = contacts.filter(sync_state=SyncState.UNSYNCED)
    elif status == "failed":
        contacts = contacts.filter(sync_state=SyncState.FAILED)
    elif status in ("clicked", "not_clicked"):  # the messaging app's tracked links, by relation
        got = Contact.objects.for_workspace(workspace).filter(messages__links__isnull=False)
        clicked = got.filter(messages__links__clicks__gt=0).values("pk")
        if status == "clicked":
            contacts = contacts.filter(pk__in=clicked)
        else:
            contacts = contacts.filter(pk__in=got.values("pk")).exclude(pk__in=clicked)
    return contacts


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


@dataclass
class Page:
    contacts: list[Contact]
    next_cursor: str
    prev_cursor: str


def contacts_page(
    workspace: Workspace, contacts: QuerySet[Contact], after: str = "", before: str = ""
) -> Page:
    """One page in (name, id) order, after or before the contact named by a public id."""
    if (anchor := _anchor(workspace, before)) is not None:
        page = list(
            contacts.filter(
                Q(name__lt=anchor.name) | Q(name=anchor.name, pk__lt=anchor.pk)
            ).order_by("-name", "-pk")[: PAGE_SIZE + 1]
        )
        more_before = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE][::-1]
        return Page(page, str(page[-1].public_id) if page else "",
                    str(page[0].public_id) if more_before and page else "")  # fmt: skip
    if (anchor := _anchor(workspace, after)) is not None:
        contacts = contacts.filter(Q(name__gt=anchor.name) | Q(name=anchor.name, pk__gt=anchor.pk))
    page = list(contacts.order_by("name", "pk")[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return Page(
        page,
        str(page[-1].public_id) if more else "",
        str(page[0].public_id) if anchor is not None and page else "",
    )


def _anchor(workspace: Workspace, value: str) -> Contact | None:
    public_id = _uuid(value)
    if public_id is None:
        return None
    contacts = Contact.objects.for_workspace(workspace)
    return contacts.filter(public_id=public_id).only("pk", "name").first()


def groups_with_counts(workspace: Workspace) -> QuerySet[Group]:
    from django.db.models import Count

    return Group.objects.for_workspace(workspace).annotate(size=Count("groupmembership"))
