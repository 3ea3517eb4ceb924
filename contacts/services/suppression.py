"""Automatic suppression: a number that fails permanently again and again is no longer sent to.

Messaging counts the failures (it owns the messages) and calls `suppressions_record`; every send
path then skips the number through `contacts.optouts.opted_out_numbers` until an admin lifts it.
Failures before a lift do not count again: a lifted number needs three new ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User, Workspace

from ..models import Contact, Group, Suppression, SyncState
from . import sync

SUPPRESS_AFTER = 3  # permanent failures ...
SUPPRESS_WINDOW = timedelta(days=90)  # ... within this long
PERMANENT_CODES = frozenset({-401, -412})  # invalid destination, blacklisted
PERMANENT_WORDS = frozenset({"Undeliverable"})


@dataclass(frozen=True)
class Standing:
    """What the suppressions of some numbers say: those suppressed now, and when each of the
    others was last lifted (failures before then do not count)."""

    suppressed: frozenset[str]
    lifted_at: dict[str, datetime]


def suppressions_standing(workspace_id: int, numbers: Iterable[str]) -> Standing:
    """One query for any number of numbers."""
    suppressed: set[str] = set()
    lifted: dict[str, datetime] = {}
    rows = Suppression.objects.filter(workspace_id=workspace_id, number__in=set(numbers))
    for number, lifted_at in rows.values_list("number", "lifted_at"):
        if lifted_at is None:
            suppressed.add(number)
        elif number not in lifted or lifted[number] < lifted_at:
            lifted[number] = lifted_at
    return Standing(frozenset(suppressed), lifted)


def suppressions_record(workspace_id: int, found: dict[str, tuple[int, str]]) -> int:
    """Suppress each number of `found` (number -> (failures counted, the last one's reason)) in
    one insert; a number already suppressed (a parallel run got there first) is left as it is.
    Returns how many rows the insert was given."""
    if not found:
        return 0
    Suppression.objects.bulk_create(
        [
            Suppression(
                workspace_id=workspace_id, number=number, failures=failures, reason=reason[:300]
            )
            for number, (failures, reason) in sorted(found.items())
        ],
        ignore_conflicts=True,
    )
    _out_of_gateway_groups(workspace_id, list(found))
    return len(found)


def _out_of_gateway_groups(workspace_id: int, numbers: list[str]) -> None:
    """A send to a group held on the gateway is expanded there: each group with a suppressed
    contact is emptied there and refilled without it (as for an opt-out)."""
    groups = Group.objects.filter(
        workspace_id=workspace_id, groupmembership__contact__number__in=numbers
    ).distinct()
    if groups:
        from .address_book import groups_refill

        groups_refill(groups[0].workspace, groups)


def suppression_lift(
    *, suppression: Suppression, user: User, request: HttpRequest | None = None
) -> bool:
    """Send to the number again (audited). False when it was lifted already."""
    with transaction.atomic():
        lifted = Suppression.objects.filter(pk=suppression.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=user
        )
        if lifted:
            # Its contacts go back to the gateway, with their groups (as after an opt-in).
            contacts = Contact.objects.for_workspace(suppression.workspace).filter(
                number=suppression.number, opted_out_at__isnull=True
            )
            if contacts.update(sync_state=SyncState.UNSYNCED):
                sync.push_soon(suppression.workspace)
            audit_record(
                "suppression_lifted",
                request=request,
                workspace=suppression.workspace,
                actor=user,
                obj=suppression,
                number=suppression.number,
                failures=suppression.failures,
                reason=suppression.reason,
            )
    return bool(lifted)


def suppression_of(workspace: Workspace, number: str) -> Suppression | None:
    """The standing suppression of a number, if there is one (the contact page)."""
    return (
        Suppression.objects.for_workspace(workspace)
        .filter(number=number, lifted_at__isnull=True)
        .first()
    )
