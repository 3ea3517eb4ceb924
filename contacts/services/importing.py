"""CSV import jobs: upload and detect, map columns, then a streamed, chunked, resumable run.

A run reads the stored file through a small buffer and writes `CHUNK_ROWS` rows per transaction
(PostgreSQL: COPY; elsewhere: bulk_create). The job's counters and its position in the file are
committed in the same transaction as the rows, so a stopped run resumes exactly where it stopped
and never writes a row twice. Row outcomes use the gateway's words and reasons (`N : reason`).
"""

from __future__ import annotations

import json
import logging
import queue
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.bulk import update_rows
from accounts.models import WebhookEvent, Workspace
from accounts.webhooks import webhooks_emit

from .. import csvread
from ..models import (
    CUSTOM_FIELDS,
    Contact,
    ContactImport,
    DuplicatePolicy,
    Group,
    GroupMembership,
    ImportIssue,
    ImportPreferences,
    ImportState,
    IssueResult,
    SyncState,
)
from ..phone import InvalidNumber, normalise_number
from .sync import push_soon

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
MAX_NAME = 200  # the gateway's limit
MAX_EMAIL = 254
MAX_GROUP_NAME = 100
MAX_FIELD = 200
STALE_AFTER = timedelta(minutes=5)
TARGETS = ("name", "number", "email", "group", *CUSTOM_FIELDS)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


# -- upload and mapping -----------------------------------------------------------------------


def import_upload(
    *, workspace: Workspace, user: AbstractBaseUser | None, uploaded: UploadedFile
) -> ContactImport:
    """Store the file (streamed to storage, never read whole) and detect how to read it.

    Raises csvread.UnreadableFile for an empty, binary or workbook file.
    """
    sample = _head(uploaded)
    encoding, delimiter, _rows = csvread.preview(sample)
    name = default_storage.save(f"contact-imports/{workspace.pk}/{uuid.uuid4().hex}.csv", uploaded)
    prefs = ImportPreferences.objects.filter(workspace=workspace).first()
    return ContactImport.objects.create(
        workspace=workspace,
        created_by=user,
        file=name,
        original_name=(uploaded.name or "contacts.csv")[:255],
        size=uploaded.size or 0,
        encoding=encoding,
        delimiter=delimiter,
        has_header=prefs.has_header if prefs else True,
        policy=prefs.policy if prefs else DuplicatePolicy.REFUSE,
    )


def _head(uploaded: UploadedFile) -> bytes:
    uploaded.seek(0)
    sample = uploaded.read(csvread.SAMPLE_BYTES)
    uploaded.seek(0)
    return sample


def import_preview(contact_import: ContactImport) -> list[csvread.Record]:
    """The first records of the stored file, as the job will read them."""
    with default_storage.open(contact_import.file.name, "rb") as raw:
        sample = raw.read(csvread.SAMPLE_BYTES)
    csvread.check_text(sample, contact_import.encoding)
    return csvread.head_records(sample, contact_import.encoding, contact_import.delimiter)


def guess_mapping(workspace: Workspace, header: list[str], has_header: bool) -> list[str]:
    """The remembered target for each header, else a guess from common header names."""
    prefs = ImportPreferences.objects.filter(workspace=workspace).first()
    remembered = prefs.mapping if prefs else {}
    guesses = []
    for index, cell in enumerate(header):
        key = cell.strip().lower()
        if has_header and key in remembered:
            guesses.append(remembered[key])
        elif has_header:
            guesses.append(_guess(key))
        else:
            guesses.append(
                ("name", "number", "email", "group", "group", "group", "")[min(index, 6)]
            )
    return guesses


def _guess(key: str) -> str:
    if key in ("name", "full name", "first name", "last name", "surname", "contact"):
        return "name"
    if any(word in key for word in ("number", "mobile", "phone", "msisdn", "tel")):
        return "number"
    if "mail" in key:
        return "email"
    if key.startswith("group"):
        return "group"
    for i, custom in enumerate(CUSTOM_FIELDS, start=1):
        if key in (custom, f"mm{i}", f"custom {i}", f"custom field {i}"):
            return custom
    return ""


def validate_mapping(mapping: list[str]) -> None:
    """A known target for every column and exactly one number; the name may be left out (a
    contact without one is shown, and sent to the gateway, as its number)."""
    if any(target not in ("", *TARGETS) for target in mapping):
        raise ValidationError(_("Choose a known field for every column."))
    if mapping.count("number") != 1:
        raise ValidationError(_("Map exactly one column to the number."))
    for single in ("email", *CUSTOM_FIELDS):
        if mapping.count(single) > 1:
            raise ValidationError(_("Only one column can be the %(field)s.") % {"field": single})


def import_start(
    *,
    contact_import: ContactImport,
    mapping: list[str],
    policy: str,
    has_header: bool,
    header: list[str],
) -> None:
    """Save the choices (remembered for the workspace) and queue the job."""
    from ..tasks import contact_import_task

    validate_mapping(mapping)
    with transaction.atomic():
        claimed = ContactImport.objects.filter(
            pk=contact_import.pk, state=ImportState.UPLOADED
        ).update(
            mapping=mapping,
            policy=policy,
            has_header=has_header,
            header=header if has_header else [],
            state=ImportState.QUEUED,
            heartbeat_at=timezone.now(),
        )
        if claimed != 1:
            raise ValidationError(_("This import has already started."))
        remembered = {h.strip().lower(): t for h, t in zip(header, mapping, strict=False) if h}
        ImportPreferences.objects.update_or_create(
            workspace=contact_import.workspace,
            defaults={
                "mapping": remembered if has_header else {},
                "policy": policy,
                "has_header": has_header,
            },
        )
        transaction.on_commit(lambda: contact_import_task.delay(contact_import.pk))


def import_resume(*, contact_import: ContactImport) -> None:
    """Queue a stopped job again: it carries on after the last committed chunk."""
    from ..tasks import contact_import_task

    claimed = ContactImport.objects.filter(pk=contact_import.pk, state=ImportState.FAILED).update(
        state=ImportState.QUEUED, error="", heartbeat_at=timezone.now()
    )
    if claimed != 1:
        raise ValidationError(_("Only a stopped import can be run again."))
    transaction.on_commit(lambda: contact_import_task.delay(contact_import.pk))


def import_sweep(*, now: timezone.datetime | None = None) -> int:
    """Beat: queue again jobs whose worker stopped mid-way (no heartbeat) or never started."""
    from ..tasks import contact_import_task

    cutoff = (now or timezone.now()) - STALE_AFTER
    ContactImport.objects.filter(state=ImportState.RUNNING, heartbeat_at__lt=cutoff).update(
        state=ImportState.QUEUED
    )
    stale = list(
        ContactImport.objects.filter(state=ImportState.QUEUED)
        .filter(heartbeat_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    for pk in stale:
        contact_import_task.delay(pk)
    return len(stale)


# -- the run ----------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    name: str
    number: str
    email: str
    fields: dict[str, str]
    groups: list[str]
    raw: list[str]
    warnings: list[str] = field(default_factory=list)  # what was left out: the row is Partial


@dataclass
class Plan:
    """Which columns hold what."""

    name: list[int]
    number: int
    email: int | None
    groups: list[int]
    custom: dict[str, int]

    @classmethod
    def of(cls, mapping: list[str]) -> Plan:
        def where(target: str) -> list[int]:
            return [i for i, t in enumerate(mapping) if t == target]

        email = where("email")
        return cls(
            name=where("name"),
            number=where("number")[0],
            email=email[0] if email else None,
            groups=where("group"),
            custom={f: where(f)[0] for f in CUSTOM_FIELDS if where(f)},
        )


def parse_row(record: csvread.Record, plan: Plan, country: str) -> Row | tuple[str, str]:
    """A row to write, or ("Failed", reason) in the gateway's words.

    The one check of a row: the run and the preview both ask it. A bad email or group name
    does not refuse the row: it is left out and named in the row's warnings (Partial).
    """
    if record.error:
        return IssueResult.FAILED, record.error
    cells = record.fields

    def cell(index: int | None) -> str:
        if index is None or index >= len(cells):
            return ""
        return csvread.unguard(cells[index]).strip()

    name = " ".join(part for part in (cell(i) for i in plan.name) if part)
    raw_number = cell(plan.number)
    email = cell(plan.email)
    if len(name) > MAX_NAME:
        return IssueResult.FAILED, f"Name longer than {MAX_NAME} characters"
    if not raw_number:
        return IssueResult.FAILED, "No number"
    try:
        number = normalise_number(raw_number, country)
    except InvalidNumber:
        return IssueResult.FAILED, f"Invalid number ({raw_number[:40]})"
    fields = {}
    for custom, index in plan.custom.items():
        value = cell(index)
        if len(value) > MAX_FIELD:
            return IssueResult.FAILED, f"{custom} longer than {MAX_FIELD} characters"
        fields[custom] = value
    warnings = []
    if email and (len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email)):
        warnings.append(f"Invalid email ({email[:60]}): left out")
        email = ""
    groups, bad = [], []
    for index in plan.groups:
        group = " ".join(cell(index).split())
        if len(group) > MAX_GROUP_NAME:
            bad.append(group)
        elif group and group not in groups:
            groups.append(group)
    if bad:
        names = ", ".join(f"{name[:20]}..." for name in bad)
        warnings.append(f"Could not add to group ({names}): over {MAX_GROUP_NAME} characters")
    return Row(record.line, name, number, email, fields, groups, cells, warnings)


def _is_blank(record: csvread.Record) -> bool:
    """Blank lines are not rows."""
    return not record.error and not any(f.strip() for f in record.fields)


# A contact already in the workspace (its id, or the Contact), or an earlier row of the file.
type Holder = int | Contact | Row | RowCheck


def duplicate_of(
    row: Row, names: dict[str, Holder], numbers: dict[str, Holder]
) -> tuple[str, Holder] | None:
    """The gateway's rule under *refuse*: the name is checked first, then the number. A row
    without a name has no name to clash with."""
    if row.name and (holder := names.get(row.name)) is not None:
        return IssueResult.DUPLICATE_NAME, holder
    if (holder := numbers.get(row.number)) is not None:
        return IssueResult.DUPLICATE_NUMBER, holder
    return None


def _claim(row: Row, names: dict[str, Holder], numbers: dict[str, Holder], holder: Holder) -> None:
    if row.name:
        names[row.name] = holder
    numbers[row.number] = holder


def duplicate_reason(kind: str, row: Row) -> str:
    if kind == IssueResult.DUPLICATE_NAME:
        return f"“{row.name}” is already in your contacts"
    return f"{row.number} is already in your contacts"


# -- the preview's checks ---------------------------------------------------------------------


@dataclass
class RowCheck:
    """What the run will do with one previewed record: result "" (imported), "Header", or an
    issue's result, with the reasons and, for a duplicate, whom it duplicates."""

    line: int
    cells: list[str]
    result: str = ""
    reasons: list[str] = field(default_factory=list)
    duplicate_of: Contact | None = None
    duplicate_line: int | None = None


def import_check(
    *,
    contact_import: ContactImport,
    records: list[csvread.Record],
    mapping: list[str],
    has_header: bool,
    policy: str,
) -> list[RowCheck]:
    """The verdict on each previewed record, by the run's own checks (parse_row, duplicate_of)."""
    validate_mapping(mapping)
    plan = Plan.of(mapping)
    country = contact_import.workspace.default_country or "GB"
    checks: list[RowCheck] = []
    rows: list[tuple[RowCheck, Row]] = []
    for index, record in enumerate(records):
        if index == 0 and has_header:  # the first record, as the run takes it
            checks.append(RowCheck(record.line, record.fields, result="Header"))
            continue
        if _is_blank(record):
            continue
        check = RowCheck(record.line, record.fields)
        checks.append(check)
        outcome = parse_row(record, plan, country)
        if isinstance(outcome, Row):
            rows.append((check, outcome))
            check.reasons = list(outcome.warnings)
            check.result = IssueResult.PARTIAL if outcome.warnings else ""
        else:
            check.result, check.reasons = outcome[0], [outcome[1]]
    if policy != DuplicatePolicy.ALLOW and rows:
        _check_duplicates(contact_import.workspace, rows, policy)
    return checks


def _check_duplicates(workspace: Workspace, rows: list[tuple[RowCheck, Row]], policy: str) -> None:
    contacts = Contact.objects.for_workspace(workspace)
    by_number = {c.number: c for c in contacts.filter(number__in={r.number for __, r in rows})}
    if policy == DuplicatePolicy.OVERWRITE:
        for check, row in rows:
            if (contact := by_number.get(row.number)) is not None:
                check.duplicate_of = contact
                check.reasons.append(f"Overwrites {contact}")
        return
    by_name = {c.name: c for c in contacts.filter(name__in={r.name for __, r in rows if r.name})}
    names: dict[str, Holder] = dict(by_name)
    numbers: dict[str, Holder] = dict(by_number)
    for check, row in rows:
        found = duplicate_of(row, names, numbers)
        if found is None:
            _claim(row, names, numbers, check)
            continue
        check.result, holder = found
        if isinstance(holder, RowCheck):
            value = f"“{row.name}”" if check.result == IssueResult.DUPLICATE_NAME else row.number
            check.reasons = [f"{value} is already on line {holder.line}"]
            check.duplicate_line = holder.line
        else:
            check.reasons = [duplicate_reason(check.result, row)]
            check.duplicate_of = holder


def import_run(*, import_id: int) -> None:
    """Run (or resume) a queued job to its end, one committed chunk at a time."""
    now = timezone.now()
    claimed = ContactImport.objects.filter(pk=import_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, heartbeat_at=now, started_at=now
    )
    if claimed != 1:
        return
    job = ContactImport.objects.select_related("workspace").get(pk=import_id)
    try:
        _run(job)
    except Exception as exc:  # stop saying where; the committed chunks stay, a re-run resumes
        job.refresh_from_db()
        ContactImport.objects.filter(pk=job.pk).update(
            state=ImportState.FAILED,
            error=f"Stopped after line {job.line_done}: {exc}"[:500],
            finished_at=timezone.now(),
        )
        logger.exception("contact import %s stopped", job.public_id)
        _finished_event(job)
        return
    _finished_event(job)
    push_soon(job.workspace)


def _finished_event(job: ContactImport) -> None:
    job.refresh_from_db()
    data = {"id": str(job.public_id), "state": job.state, "file": job.original_name,
            "rows_read": job.rows_read, "imported": job.imported, "updated": job.updated,
            "duplicates": job.duplicates, "failed": job.failed, "error": job.error}  # fmt: skip
    webhooks_emit(job.workspace_id, WebhookEvent.IMPORT_FINISHED, [(data, "")])


def _run(job: ContactImport) -> None:
    plan = Plan.of(job.mapping)
    writer = ChunkWriter(job)
    country = job.workspace.default_country or "GB"
    # On PostgreSQL, outside a transaction (a worker), one thread parses while another writes
    # the previous chunk: the database's work overlaps Python's. Chunks still commit in order.
    sink = _ThreadedSink(writer) if writer.postgres and not connection.in_atomic_block else writer
    try:
        with default_storage.open(job.file.name, "rb") as raw:
            text = csvread.text_stream(raw, job.encoding)
            consumed = job.records_done
            pending: list[tuple[int, Row | tuple[str, str], list[str]]] = []
            last_line = job.line_done
            for record in csvread.records(text, job.delimiter, skip=job.records_done):
                consumed += 1
                last_line = record.end_line
                if consumed == 1 and job.has_header:
                    continue
                if _is_blank(record):
                    continue
                pending.append((record.line, parse_row(record, plan, country), record.fields))
                if len(pending) >= CHUNK_ROWS:
                    sink.write(pending, consumed, last_line, _position(raw))
                    pending = []
        sink.write(pending, consumed, last_line, job.size, final=True)
    finally:
        if isinstance(sink, _ThreadedSink):
            sink.close()


class _ThreadedSink:
    """Hands chunks to one writer thread, in order; its failure stops the reader."""

    def __init__(self, writer: ChunkWriter) -> None:
        self.writer = writer
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="contact-import-writer")
        self.thread.start()

    def _work(self) -> None:
        try:
            while (item := self.queue.get()) is not None:
                if self.error is None:
                    self.writer.write(*item[0], **item[1])
        except BaseException as exc:  # noqa: BLE001 (handed to the reading thread)
            self.error = exc
            while self.queue.get() is not None:
                pass
        finally:
            connection.close()

    def write(self, *args: object, **kwargs: object) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((args, kwargs))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


_UUID_KEEP = ~(0xF << 76) & ~(0x3 << 62)
_UUID_MARKS = 0x7 << 76 | 0x2 << 62  # version 7, RFC 4122 variant


def _time_ordered_hex(count: int) -> list[str]:
    """`count` version-7 UUIDs as 32 hex digits (what COPY reads), from one draw of random bytes
    for them all: one system call per chunk rather than per contact (each call let the writing
    thread lose the interpreter to the parsing one)."""
    millis = (time.time_ns() // 1_000_000) << 80
    pool = secrets.token_bytes(10 * count)
    return [
        f"{(millis | int.from_bytes(pool[i : i + 10])) & _UUID_KEEP | _UUID_MARKS:032x}"
        for i in range(0, 10 * count, 10)
    ]


def _position(raw: object) -> int:
    try:
        return raw.tell()  # type: ignore[attr-defined]
    except (OSError, AttributeError):
        return 0


class ChunkWriter:
    """Writes one chunk of rows, its issues and the job's progress in one transaction."""

    def __init__(self, job: ContactImport) -> None:
        self.job = job
        self.workspace = job.workspace
        self.groups: dict[str, int] = {}
        self.postgres = connection.vendor == "postgresql"
        self.chunks = 0

    def write(
        self,
        pending: list[tuple[int, Row | tuple[str, str], list[str]]],
        consumed: int,
        last_line: int,
        position: int,
        final: bool = False,
    ) -> None:
        counts = {"rows_read": len(pending), "created": 0, "updated": 0, "duplicates": 0,
                  "failed": 0, "partial": 0}  # fmt: skip
        issues: list[ImportIssue] = []
        rows: list[Row] = []
        for line, outcome, raw in pending:
            if isinstance(outcome, Row):
                rows.append(outcome)
            else:
                counts["failed"] += 1
                issues.append(self._issue(line, outcome[0], outcome[1], raw))
        with transaction.atomic():
            if self.postgres and not final:
                self._commit_without_waiting()
            new, updates, dupes, folded = self._sort(rows)
            counts["duplicates"] = len(dupes)
            created = self._insert(new)
            self._update(updates)
            counts["created"] = len(new)
            counts["updated"] = sum(len(ids) for _, ids in updates) + folded
            self._memberships(list(zip(new, created, strict=True)), updates)
            made = {id(row): pk for row, pk in zip(new, created, strict=True)}
            for row, kind, holder in dupes:
                pk = made[id(holder)] if isinstance(holder, Row) else holder
                reason = duplicate_reason(kind, row)
                issues.append(self._issue(row.line, kind, reason, row.raw, duplicate_of=pk))
            for row in new + [row for row, _ in updates]:
                if row.warnings:
                    counts["partial"] += 1
                    reason = "; ".join(row.warnings)
                    issues.append(self._issue(row.line, IssueResult.PARTIAL, reason, row.raw))
            self._issues(issues)
            self._progress(counts, consumed, last_line, position, final)
        connection.queries_log.clear()  # with DEBUG on, a long job must not keep every query
        self.chunks += 1
        if self.postgres and self.chunks & (self.chunks - 1) == 0:
            self._analyze()
        if final and self.job.file:
            default_storage.delete(self.job.file.name)

    def _analyze(self) -> None:
        """Fresh planner statistics after chunks 1, 2, 4, 8...: to stale ones a table that grew
        from nothing looks empty, and each look-up would scan it. Only the looked-up columns
        (the table's size is counted whatever the columns)."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Contact._meta.db_table} (workspace_id, name, number)")

    def _commit_without_waiting(self) -> None:
        """This chunk's commit returns before its WAL reaches the disk (it waited for the disk
        five times a second per chunk, a third of a 100,000-row import). A crash of the database
        can then lose the last chunks, but only whole: their rows and the progress that counts
        them commit together, so the run resumes from the progress that survived. The final
        chunk waits: after it the file is deleted, so there would be nothing to resume from."""
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")

    def _issue(
        self, line: int, result: str, reason: str, raw: list[str], duplicate_of: int | None = None
    ) -> ImportIssue:
        kept = [cell[:300] for cell in raw[:20]]
        return ImportIssue(
            contact_import=self.job, line=line, result=result, reason=reason[:300], fields=kept,
            duplicate_of_id=duplicate_of,
        )  # fmt: skip

    def _sort(
        self, rows: list[Row]
    ) -> tuple[list[Row], list[tuple[Row, list[int]]], list[tuple[Row, str, Holder]], int]:
        """Apply the duplicate policy: rows to create, rows that overwrite existing contacts,
        duplicates refused (with the contact id or earlier row they duplicate), and the number
        of rows overwritten by a later row of the same chunk."""
        policy = self.job.policy
        if policy == DuplicatePolicy.ALLOW:
            return rows, [], [], 0
        contacts = Contact.objects.for_workspace(self.workspace)
        numbers = {row.number for row in rows}
        if policy == DuplicatePolicy.OVERWRITE:
            existing: dict[str, list[int]] = {}
            for pk, number in self._holders(contacts, numbers):
                existing.setdefault(number, []).append(pk)
            latest: dict[str, Row] = {}
            for row in rows:  # a later row with the same number overwrites an earlier one
                latest[row.number] = row
            new = [row for row in latest.values() if row.number not in existing]
            updates = [(latest[n], ids) for n, ids in existing.items() if n in latest]
            return new, updates, [], len(rows) - len(latest)
        names = {row.name for row in rows if row.name}
        taken_names, taken_numbers = self._taken(contacts, names, numbers)
        new, dupes = [], []
        for row in rows:
            found = duplicate_of(row, taken_names, taken_numbers)
            if found is not None:
                dupes.append((row, *found))
                continue
            _claim(row, taken_names, taken_numbers, row)
            new.append(row)
        return new, [], dupes, 0

    def _taken(
        self, contacts: QuerySet[Contact], names: set[str], numbers: set[str]
    ) -> tuple[dict[str, Holder], dict[str, Holder]]:
        """Which of these names and numbers the workspace already has, and a contact's id for
        each."""
        if not self.postgres:
            return (
                dict(contacts.filter(name__in=names).values_list("name", "pk")),
                dict(contacts.filter(number__in=numbers).values_list("number", "pk")),
            )
        return self._probe(names, numbers)

    def _holders(self, contacts: QuerySet[Contact], numbers: set[str]) -> list[tuple[int, str]]:
        """The contacts holding these numbers, by index look-ups (see _probe)."""
        if not self.postgres:
            return list(contacts.filter(number__in=numbers).values_list("pk", "number"))
        sql = (
            "SELECT h.id, k.v FROM (SELECT v FROM unnest(%s::text[]) AS v ORDER BY v) AS k(v), "  # noqa: S608
            f"LATERAL (SELECT id FROM {Contact._meta.db_table} c "
            "WHERE c.workspace_id = %s AND c.number = k.v OFFSET 0) h"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(numbers), self.workspace.pk])
            return cursor.fetchall()

    def _probe(self, names: set[str], numbers: set[str]) -> tuple[dict[str, Holder], ...]:
        """One index look-up per value, giving a contact's id for each name and number found,
        both in one statement. An IN list of thousands makes the planner scan every contact of
        the workspace once the table has grown, so each chunk would cost more than the last; a
        LATERAL look-up with LIMIT 1 cannot be turned into that scan. The values go in index
        order, so consecutive look-ups walk the same pages (a third of the time in random
        order, by EXPLAIN ANALYZE on 10,000 look-ups)."""
        table = Contact._meta.db_table
        lookup = (
            "SELECT %s, k.v, h.id FROM (SELECT v FROM unnest(%s::text[]) AS v ORDER BY v) AS k(v), "  # noqa: S608
            f"LATERAL (SELECT id FROM {table} c WHERE c.workspace_id = %s AND c.{{}} = k.v "
            "LIMIT 1) h"
        )
        sql = f"{lookup.format('name')} UNION ALL {lookup.format('number')}"
        found: tuple[dict[str, Holder], dict[str, Holder]] = ({}, {})
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [0, list(names), self.workspace.pk, 1, list(numbers), self.workspace.pk]
            )
            for which, value, pk in cursor.fetchall():
                found[which][value] = pk
        return found

    def _issues(self, issues: list[ImportIssue]) -> None:
        if not issues:
            return
        if not self.postgres:
            ImportIssue.objects.bulk_create(issues, batch_size=1000)
            return
        table = ImportIssue._meta.db_table
        columns = "contact_import_id, line, result, reason, fields, duplicate_of_id"
        sql = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for issue in issues:
                copy.write_row(
                    (self.job.pk, issue.line, issue.result, issue.reason,
                     json.dumps(issue.fields), issue.duplicate_of_id)
                )  # fmt: skip

    def _insert(self, rows: list[Row]) -> list[int]:
        if not rows:
            return []
        now = timezone.now()
        if self.postgres:
            return self._copy(rows, now)
        made = Contact.objects.bulk_create(
            [self._contact(row, now) for row in rows], batch_size=500
        )
        return [c.pk for c in made]

    def _contact(self, row: Row, now: timezone.datetime) -> Contact:
        return Contact(
            workspace=self.workspace, name=row.name, number=row.number, email=row.email,
            sync_state=SyncState.UNSYNCED, source_import=self.job, source_line=row.line,
            created_at=now, updated_at=now, **row.fields,
        )  # fmt: skip

    def _copy(self, rows: list[Row], now: timezone.datetime) -> list[int]:
        table = Contact._meta.db_table
        columns = [
            "id", "public_id", "workspace_id", "name", "number", "email", *CUSTOM_FIELDS,
            "sync_state", "sync_error", "source_import_id", "source_line", "created_at",
            "updated_at",
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            public_ids = _time_ordered_hex(len(rows))
            with cursor.copy(sql) as copy:
                for pk, public_id, row in zip(ids, public_ids, rows, strict=True):
                    custom = (row.fields.get(f, "") for f in CUSTOM_FIELDS)
                    copy.write_row(
                        (pk, public_id, self.workspace.pk, row.name, row.number,
                         row.email, *custom, SyncState.UNSYNCED, "", self.job.pk, row.line, now,
                         now)
                    )  # fmt: skip
        return ids

    def _update(self, updates: list[tuple[Row, list[int]]]) -> None:
        now = timezone.now()
        changed = []
        for row, ids in updates:
            for pk in ids:
                contact = Contact(pk=pk, name=row.name, email=row.email, updated_at=now,
                                  sync_state=SyncState.UNSYNCED, sync_error="")  # fmt: skip
                for custom in CUSTOM_FIELDS:
                    setattr(contact, custom, row.fields.get(custom, ""))
                changed.append(contact)
        fields = ["name", "email", "updated_at", "sync_state", "sync_error", *CUSTOM_FIELDS]
        update_rows(changed, fields)

    def _memberships(
        self, created: list[tuple[Row, int]], updates: list[tuple[Row, list[int]]]
    ) -> None:
        fresh = [(row.groups, pk) for row, pk in created if row.groups]
        known = [(row.groups, pk) for row, ids in updates if row.groups for pk in ids]
        if not fresh and not known:
            return
        self._ensure_groups({name for names, _ in fresh + known for name in names})
        if self.postgres and fresh:  # new contacts cannot be members yet: no conflicts
            now = timezone.now()
            table = GroupMembership._meta.db_table
            sql = f"COPY {table} (group_id, contact_id, added_at) FROM STDIN"
            with connection.cursor() as cursor, cursor.copy(sql) as copy:
                for names, pk in fresh:
                    for name in names:
                        copy.write_row((self.groups[name], pk, now))
            fresh = []
        memberships = [
            GroupMembership(group_id=self.groups[name], contact_id=pk)
            for names, pk in fresh + known
            for name in names
        ]
        GroupMembership.objects.bulk_create(memberships, batch_size=1000, ignore_conflicts=True)

    def _ensure_groups(self, names: Iterable[str]) -> None:
        missing = [name for name in names if name not in self.groups]
        if not missing:
            return
        groups = Group.objects.for_workspace(self.workspace)
        Group.objects.bulk_create(
            [Group(workspace=self.workspace, name=name) for name in missing],
            ignore_conflicts=True,
        )
        self.groups.update(groups.filter(name__in=missing).values_list("name", "pk"))

    def _progress(
        self, counts: dict[str, int], consumed: int, last_line: int, position: int, final: bool
    ) -> None:
        from django.db.models import F

        now = timezone.now()
        values = {key: F(key) + value for key, value in counts.items()}
        values.update(records_done=consumed, line_done=last_line, bytes_done=position,
                      heartbeat_at=now)  # fmt: skip
        if final:
            values.update(state=ImportState.DONE, finished_at=now)
        ContactImport.objects.filter(pk=self.job.pk).update(**values)
        if final:
            self.job.refresh_from_db()
            if self.job.rows_read == 0:
                ContactImport.objects.filter(pk=self.job.pk).update(
                    error="No contacts in the file: it has no rows after the header."
                )
            elif self.job.imported == 0 and self.job.failed == self.job.rows_read:
                ContactImport.objects.filter(pk=self.job.pk).update(
                    error="No row could be imported: check the column mapping."
                )
