"""Consent records: how and when each contact was added, opted out and opted back in.

Every path that adds a contact or changes its opt-out passes an `Origin` (typed by whom, which API
key, which text and keyword). Imported contacts carry their file and line on the contact itself,
and `consent_history` shows that as the first entry, so an import writes no extra row per contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User, Workspace

from .models import ConsentEvent, ConsentKind, ConsentMethod, Contact


@dataclass(frozen=True)
class Origin:
    """Who or what made a change of consent."""

    method: str
    user: User | None = None
    api_key: str = ""
    keyword: str = ""
    inbound_id: int | None = None

    @classmethod
    def of_request(cls, request: HttpRequest) -> Origin:
        """A person in the portal, or a system through an API key (acting for its admin)."""
        user = request.user if getattr(request, "user", None) is not None else None
        user = user if user is not None and user.is_authenticated else None
        if (key := getattr(request, "api_key", None)) is not None:
            return cls(ConsentMethod.API, user=user, api_key=key.prefix)
        return cls(ConsentMethod.TYPED, user=user)

    @classmethod
    def of_text(cls, *, body: str, inbound_id: int, keyword: bool) -> Origin:
        """A text from the person: a keyword such as STOP, or any text that made them a contact."""
        method = ConsentMethod.KEYWORD if keyword else ConsentMethod.INBOUND
        return cls(method, keyword=body.strip()[:160], inbound_id=inbound_id)


def consent_record(
    contact: Contact, kind: str, origin: Origin, *, at: datetime | None = None
) -> ConsentEvent:
    return ConsentEvent.objects.create(
        workspace_id=contact.workspace_id,
        contact=contact,
        number=contact.number,
        kind=kind,
        method=origin.method,
        at=at or timezone.now(),
        by=origin.user,
        by_email=getattr(origin.user, "email", "") or "",
        api_key=origin.api_key,
        keyword=origin.keyword,
        inbound_id=origin.inbound_id,
    )


def consent_record_many(contacts: list[Contact], kind: str, origin: Origin) -> None:
    """The same change for many contacts at once (the API's bulk upsert)."""
    now = timezone.now()
    ConsentEvent.objects.bulk_create(
        ConsentEvent(
            workspace_id=c.workspace_id,
            contact=c,
            number=c.number,
            kind=kind,
            method=origin.method,
            at=now,
            by=origin.user,
            by_email=getattr(origin.user, "email", "") or "",
            api_key=origin.api_key,
        )
        for c in contacts
    )


def consent_history(workspace: Workspace, number: str) -> list[dict[str, Any]]:
    """Every recorded change of consent for a number, oldest first, imports included."""
    entries: list[dict[str, Any]] = []
    imported = (
        Contact.objects.for_workspace(workspace)
        .filter(number=number, source_import__isnull=False)
        .select_related("source_import", "source_import__created_by")
    )
    for contact in imported:
        job = contact.source_import
        entries.append(
            {
                "at": contact.created_at,
                "kind": ConsentKind.ADDED,
                "kind_label": ConsentKind.ADDED.label,
                "method": ConsentMethod.IMPORT,
                "method_label": ConsentMethod.IMPORT.label,
                "by": getattr(job.created_by, "email", "") or "",
                "file": job.original_name,
                "line": contact.source_line,
                "import_id": str(job.public_id),
                "api_key": "",
                "keyword": "",
                "inbound_id": None,
            }
        )
    for event in ConsentEvent.objects.for_workspace(workspace).filter(number=number):
        entries.append(
            {
                "at": event.at,
                "kind": event.kind,
                "kind_label": event.get_kind_display(),
                "method": event.method,
                "method_label": event.get_method_display(),
                "by": event.by_email,
                "file": "",
                "line": None,
                "import_id": "",
                "api_key": event.api_key,
                "keyword": event.keyword,
                "inbound_id": event.inbound_id,
            }
        )
    entries.sort(key=lambda e: e["at"])
    return entries
