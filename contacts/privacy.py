"""A person's data across the workspace: subject access, erasure and retention (UK GDPR).

Each app that stores personal data registers a `Holder` at start-up (`register_holder`, from its
AppConfig.ready), so that this module finds every table without importing the apps above it, as
`optouts.register_opt_out_source` does. A holder answers four questions about one workspace:

- `collect(workspace, number)`: the person's rows as named sections of plain dicts (subject access);
- `count(workspace, number)`: what erasure would remove, as {label: rows} (the confirmation);
- `erase(workspace, number)`: remove or scrub those rows; returns {label: rows};
- `purge(workspace, cutoff)`: scrub bodies and numbers older than `cutoff` in batches (retention),
  keeping the rows themselves so that counts and figures still add up; returns {label: rows}.

This module's own holder covers contacts and the shared tables of `accounts` (the audit log,
idempotency records, webhook deliveries).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.crypto import number_hash
from accounts.csv_export import safe_cell
from accounts.models import (
    AuditEvent,
    ErasedNumber,
    IdempotencyRecord,
    PrivacySettings,
    User,
    WebhookDelivery,
    Workspace,
)

from .consent import consent_history
from .models import (
    ConsentEvent,
    Contact,
    ContactImport,
    GroupMembership,
    ImportIssue,
    ImportState,
    JobKind,
    Suppression,
)
from .optouts import opted_out_numbers

log = logging.getLogger(__name__)

ERASED = "[erased]"

# What holders count, by key (stored in ErasedNumber.counts and the retention run), for people.
LABELS = {
    "contacts": _("Contacts"),
    "group_memberships": _("Group memberships"),
    "consent_records": _("Consent records"),
    "suppressions": _("Suppressions after failures"),
    "import_rows": _("Rows of imports (to fix or duplicates)"),
    "import_files": _("Uploaded import files"),
    "audit_entries": _("Audit log entries naming the number"),
    "api_answers": _("API answers kept for retries"),
    "webhook_deliveries": _("Webhook deliveries"),
    "messages_sent": _("Messages sent"),
    "link_visits": _("Tracked link visits"),
    "recurring_sends": _("Recurring sends naming the number"),
    "texts_received": _("Texts received"),
    "conversations": _("Conversations"),
    "report_rows": _("Rows of cached reports"),
    "report_files": _("Fetched report files"),
    "messages": _("Messages"),
    "broadcast_texts": _("Broadcast texts"),
    "report_snapshots": _("Cached reports"),
}


def labelled(counts: Counts) -> list[tuple[str, int]]:
    """Counts as (label, rows) for a page, in LABELS' order, leaving out kinds with none."""
    return [(str(LABELS.get(k, k)), n) for k, n in counts.items() if n and k in LABELS]


Sections = dict[str, list[dict[str, Any]]]
Counts = dict[str, int]


@dataclass(frozen=True)
class Holder:
    name: str
    collect: Callable[[Workspace, str], Sections]
    count: Callable[[Workspace, str], Counts]
    erase: Callable[[Workspace, str], Counts]
    purge: Callable[[Workspace, datetime], Counts]


_holders: list[Holder] = []


def register_holder(holder: Holder) -> None:
    if all(h.name != holder.name for h in _holders):
        _holders.append(holder)


def holders() -> list[Holder]:
    return [_own, *_holders]


# --- Shared helpers for the holders ------------------------------------------------------------


def number_forms(number: str) -> list[str]:
    """The ways a number is written in stored text: E.164, the national form, bare digits.
    Longest first, so that replacing one never leaves part of another."""
    forms = [number]
    if number.startswith("+44"):
        forms.append("0" + number[3:])
    if number.startswith("+"):
        forms.append(number[1:])
    return forms


def text_mentions(field: str, number: str) -> tuple[dict[str, Any], Q]:
    """An annotation and a filter for rows whose `field` (text or JSON) mentions the number."""
    alias = f"_{field}_text"
    q = Q()
    for form in number_forms(number):
        q |= Q(**{f"{alias}__contains": form})
    return {alias: Cast(field, TextField())}, q


def scrub_text(text: str, number: str) -> str:
    for form in number_forms(number):
        text = text.replace(form, ERASED)
    return text


def scrub_json(value: Any, number: str) -> Any:
    return json.loads(scrub_text(json.dumps(value), number))


def plain(value: Any) -> Any:
    """A value as JSON and CSV can hold it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, Decimal, UUID, Promise)):
        return str(value)
    return value


def rows_of(queryset: models.QuerySet, fields: Iterable[str]) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in queryset.values(*fields)]


def file_drop_lines(field_file: FieldFile, number: str) -> int:
    """Rewrite a kept file (an uploaded import, a fetched report) without the lines that mention
    the number; returns how many lines went. Files that cannot be read are left as they are."""
    if not field_file or not field_file.name:
        return 0
    storage, name = field_file.storage, field_file.name
    try:
        with storage.open(name, "rb") as handle:
            data = handle.read()
    except OSError:
        return 0
    forms = [form.encode() for form in number_forms(number)]
    lines = data.splitlines(keepends=True)
    kept = [line for line in lines if not any(form in line for form in forms)]
    if len(kept) == len(lines):
        return 0
    with storage.open(name, "wb") as handle:
        handle.write(b"".join(kept))
    return len(lines) - len(kept)


def batched_update(queryset: models.QuerySet, **values: Any) -> int:
    """UPDATE in batches of PRIVACY_PURGE_BATCH rows (by id), so a purge holds no long locks."""
    done = 0
    size = settings.PRIVACY_PURGE_BATCH
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return done
        done += queryset.model.objects.filter(pk__in=ids).update(**values)
        if len(ids) < size:
            return done


# --- Subject access -------------------------------------------------------------------------------


def subject_access(workspace: Workspace, number: str) -> Sections:
    """Everything the workspace holds about a number, section by section."""
    sections: Sections = {}
    for holder in holders():
        sections.update(holder.collect(workspace, number))
    return sections


def subject_access_zip(workspace: Workspace, number: str) -> tuple[bytes, int]:
    """The subject-access file: `data.json` with every section, and one readable CSV each.
    Returns the ZIP's bytes and the number of rows in it."""
    sections = subject_access(workspace, number)
    rows = sum(len(v) for v in sections.values())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        document = {
            "workspace": workspace.name,
            "number": number,
            "generated_at": timezone.now().isoformat(),
            "sections": sections,
        }
        archive.writestr("data.json", json.dumps(document, indent=2, ensure_ascii=False))
        for name, items in sections.items():
            archive.writestr(f"{name}.csv", _csv(items))
    return buffer.getvalue(), rows


def _csv(items: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    header: list[str] = []
    for item in items:
        header += [k for k in item if k not in header]
    writer = csv.DictWriter(out, fieldnames=header or ["(none)"])
    writer.writeheader()
    for item in items:
        writer.writerow(
            {
                k: safe_cell(json.dumps(v) if isinstance(v, (dict, list)) else v)
                for k, v in item.items()
            }
        )
    return out.getvalue()


# --- Erasure --------------------------------------------------------------------------------------


def erasure_preview(workspace: Workspace, number: str) -> Counts:
    """What erasing the number would remove or scrub, by kind (only kinds with rows)."""
    counts: Counts = {}
    for holder in holders():
        counts.update(holder.count(workspace, number))
    return {label: n for label, n in counts.items() if n}


def is_erased(workspace: Workspace, number: str) -> bool:
    digest = number_hash(workspace.pk, number)
    return ErasedNumber.objects.for_workspace(workspace).filter(number_hash=digest).exists()


@transaction.atomic
def erase_person(workspace: Workspace, number: str, *, user: User | None) -> ErasedNumber:
    """Remove the person from the workspace: their contact, and their number and texts from every
    table; keep a keyed hash so that an opt-out still holds, and counts so that figures still add
    up. The gateway's address book is rebuilt without them (its API deletes no single contact)."""
    stays_out = bool(opted_out_numbers(workspace, [number]))
    counts: Counts = {}
    # This app's holder goes last: the others' changes may write events (a cancelled message's
    # webhook) that it then removes with the rest of the shared tables.
    for holder in [*_holders, _own]:
        for label, n in holder.erase(workspace, number).items():
            counts[label] = counts.get(label, 0) + n
    erased, made = ErasedNumber.objects.get_or_create(
        workspace=workspace,
        number_hash=number_hash(workspace.pk, number),
        defaults={"opted_out": stays_out, "erased_by": user, "counts": counts},
    )
    if not made:
        erased.opted_out = erased.opted_out or stays_out
        erased.erased_at, erased.erased_by = timezone.now(), user
        erased.counts = counts
        erased.save(update_fields=["opted_out", "erased_at", "erased_by", "counts"])
    if counts.get("contacts"):
        from .services import sync

        sync.gateway_job_start(workspace=workspace, kind=JobKind.RESYNC, user=user)
    return erased


# --- Retention ------------------------------------------------------------------------------------


def privacy_settings(workspace: Workspace) -> PrivacySettings:
    found, _ = PrivacySettings.objects.get_or_create(workspace=workspace)
    return found


def retention_cutoff(prefs: PrivacySettings, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - relativedelta(months=prefs.effective_months)


def retention_purge(workspace: Workspace, *, now: datetime | None = None) -> Counts:
    """Scrub what is older than the workspace keeps, in batches; records the run in its settings."""
    prefs = privacy_settings(workspace)
    cutoff = retention_cutoff(prefs, now)
    counts: Counts = {}
    for holder in holders():
        for label, n in holder.purge(workspace, cutoff).items():
            counts[label] = counts.get(label, 0) + n
    PrivacySettings.objects.filter(pk=prefs.pk).update(
        last_purge_at=timezone.now(), last_purge_counts={"cutoff": cutoff.isoformat(), **counts}
    )
    if any(counts.values()):
        log.info("retention: workspace %s purged %s", workspace.pk, counts)
    return counts


# --- This app's holder: contacts, consent, imports, and accounts' shared tables -------------------


def _contacts(workspace: Workspace, number: str) -> models.QuerySet[Contact]:
    return Contact.objects.for_workspace(workspace).filter(number=number)


def _issues(workspace: Workspace, number: str) -> models.QuerySet[ImportIssue]:
    annotation, mentions = text_mentions("fields", number)
    return (
        ImportIssue.objects.filter(contact_import__workspace=workspace)
        .annotate(**annotation)
        .filter(mentions)
    )


def _audit(workspace: Workspace, number: str) -> models.QuerySet[AuditEvent]:
    annotation, mentions = text_mentions("detail", number)
    repr_q = Q()
    for form in number_forms(number):
        repr_q |= Q(object_repr__contains=form)
    return (
        AuditEvent.objects.for_workspace(workspace).annotate(**annotation).filter(mentions | repr_q)
    )


def _idempotency(workspace: Workspace, number: str) -> models.QuerySet[IdempotencyRecord]:
    annotation, mentions = text_mentions("body", number)
    return (
        IdempotencyRecord.objects.for_workspace(workspace).annotate(**annotation).filter(mentions)
    )


def _deliveries(workspace: Workspace, number: str) -> models.QuerySet[WebhookDelivery]:
    annotation, mentions = text_mentions("payload", number)
    return WebhookDelivery.objects.for_workspace(workspace).annotate(**annotation).filter(mentions)


def _imports_touching(workspace: Workspace, number: str) -> models.QuerySet[ContactImport]:
    made = _contacts(workspace, number).values("source_import_id")
    flagged = _issues(workspace, number).values("contact_import_id")
    return ContactImport.objects.for_workspace(workspace).filter(Q(pk__in=made) | Q(pk__in=flagged))


def _collect(workspace: Workspace, number: str) -> Sections:
    contacts = list(_contacts(workspace, number).prefetch_related("groups"))
    contact_rows = []
    for c in contacts:
        contact_rows.append(
            {
                "id": str(c.public_id),
                "name": c.name,
                "number": c.number,
                "email": c.email,
                **{f: getattr(c, f) for f in ("field1", "field2", "field3", "field4", "field5")},
                "groups": [g.name for g in c.groups.all()],
                "opted_out_at": plain(c.opted_out_at),
                "created_at": plain(c.created_at),
                "updated_at": plain(c.updated_at),
            }
        )
    consent = [
        {k: plain(v) for k, v in entry.items() if k not in ("kind", "method")}
        for entry in consent_history(workspace, number)
    ]
    imports = rows_of(
        _imports_touching(workspace, number),
        ["public_id", "original_name", "created_at", "created_by__email", "state"],
    )
    issues = rows_of(
        _issues(workspace, number).order_by("contact_import_id", "line"),
        ["contact_import__original_name", "line", "result", "reason", "fields"],
    )
    return {
        "contacts": contact_rows,
        "consent": consent,
        "opt_outs": [
            {"contact": row["id"], "opted_out_at": row["opted_out_at"]}
            for row in contact_rows
            if row["opted_out_at"]
        ],
        "suppressions": rows_of(
            Suppression.objects.for_workspace(workspace).filter(number=number),
            ["number", "reason", "failures", "created_at", "lifted_at"],
        ),
        "imports": imports,
        "import_rows": issues,
    }


def _count(workspace: Workspace, number: str) -> Counts:
    contacts = _contacts(workspace, number)
    return {
        "contacts": contacts.count(),
        "group_memberships": GroupMembership.objects.filter(contact__in=contacts).count(),
        "consent_records": ConsentEvent.objects.for_workspace(workspace)
        .filter(number=number)
        .count(),
        "suppressions": Suppression.objects.for_workspace(workspace).filter(number=number).count(),
        "import_rows": _issues(workspace, number).count(),
        "import_files": _imports_touching(workspace, number).exclude(file="").count(),
        "audit_entries": _audit(workspace, number).count(),
        "api_answers": _idempotency(workspace, number).count(),
        "webhook_deliveries": _deliveries(workspace, number).count(),
    }


def _erase(workspace: Workspace, number: str) -> Counts:
    counts = _count(workspace, number)
    files = 0
    finished = _imports_touching(workspace, number).exclude(file="")
    for job in finished.filter(state__in=[ImportState.DONE, ImportState.FAILED]):
        files += bool(file_drop_lines(job.file, number))  # a running job's offsets stay intact
    counts["import_files"] = files
    issues = list(_issues(workspace, number).values_list("pk", flat=True))
    ImportIssue.objects.filter(pk__in=issues).delete()
    ConsentEvent.objects.for_workspace(workspace).filter(number=number).delete()
    Suppression.objects.for_workspace(workspace).filter(number=number).delete()  # the hash keeps it
    _contacts(workspace, number).delete()
    for event in _audit(workspace, number).only("pk", "object_repr", "detail"):
        AuditEvent.objects.filter(pk=event.pk).update(  # append-only, except for erasure
            object_repr=scrub_text(event.object_repr, number),
            detail=scrub_json(event.detail, number),
        )
    _idempotency(workspace, number).delete()
    _deliveries(workspace, number).delete()
    return counts


def _purge(workspace: Workspace, cutoff: datetime) -> Counts:
    old = ContactImport.objects.for_workspace(workspace).filter(
        created_at__lt=cutoff, state__in=[ImportState.DONE, ImportState.FAILED]
    )
    files = 0
    for job in old.exclude(file=""):
        name = job.file.name
        ContactImport.objects.filter(pk=job.pk).update(file="")
        job.file.storage.delete(name)
        files += 1
    issues = ImportIssue.objects.filter(contact_import__in=old).exclude(fields=[])
    scrubbed = batched_update(issues, fields=[], reason="")
    return {"import_files": files, "import_rows": scrubbed}


_own = Holder("contacts", _collect, _count, _erase, _purge)
