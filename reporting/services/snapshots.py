"""Report snapshots: the caching rules, the one-fetch-at-a-time claim, fetching and parsing."""

import io
import logging
import zoneinfo
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

import textconnect
from accounts.gateway import GatewayNotConnected, client_for, error_summary
from accounts.models import User, Workspace

from ..csvparse import ReportParseError, Summary, iter_copy_rows, iter_rows
from ..gateway import report_body
from ..models import WORKING_STATES, ReportRow, ReportSnapshot, ReportType, SnapshotState
from ..ranges import ReportRange
from .store import RowLimitExceeded, rows_store, rows_summary

logger = logging.getLogger(__name__)


def snapshot_is_final(snapshot: ReportSnapshot, at: datetime) -> bool:
    """The range ended before the day `at` falls on (workspace time): its data is settled."""
    if snapshot.report_type == ReportType.OUTBOX:
        return False
    zone = zoneinfo.ZoneInfo(snapshot.workspace.time_zone)
    return snapshot.range_end.astimezone(zone).date() < at.astimezone(zone).date()


def snapshot_needs_fetch(snapshot: ReportSnapshot, *, now: datetime, refresh: bool) -> bool:
    """The caching rules.

    A fetch under way is never doubled (unless it went stale: its worker died). Outbox is always
    fetched. A failed snapshot is fetched again when asked for. A final range is served from the
    cache for good, "refresh" or not. A range that touches today is fetched when older than the
    TTL, or on "refresh".
    """
    if snapshot.state in WORKING_STATES:
        started = snapshot.started_at or snapshot.requested_at or snapshot.created_at
        return started < now - timedelta(seconds=settings.REPORTING_STALE_SECONDS)
    if snapshot.report_type == ReportType.OUTBOX or snapshot.state == SnapshotState.FAILED:
        return True
    if snapshot.fetched_at is None:
        return True
    if snapshot.is_final:
        return False
    if refresh:
        return True
    return snapshot.fetched_at < now - timedelta(seconds=settings.REPORTING_TTL_SECONDS)


def snapshot_is_stale(snapshot: ReportSnapshot, *, now: datetime | None = None) -> bool:
    """A ready report of a range touching today, older than the TTL: opening it fetches it again.

    (The Outbox and failed reports are fetched only when requested, so a page never loops.)
    """
    now = now or timezone.now()
    return (
        snapshot.state == SnapshotState.READY
        and not snapshot.is_final
        and snapshot.report_type != ReportType.OUTBOX
        and snapshot.fetched_at is not None
        and snapshot.fetched_at < now - timedelta(seconds=settings.REPORTING_TTL_SECONDS)
    )


def _snapshot_for(workspace: Workspace, report_type: str, rng: ReportRange) -> ReportSnapshot:
    key = {
        "workspace": workspace,
        "report_type": report_type,
        "range_start": rng.start,
        "range_end": rng.end,
    }
    snapshot = ReportSnapshot.objects.filter(**key).first()
    if snapshot is not None:
        return snapshot
    try:
        with transaction.atomic():
            return ReportSnapshot.objects.create(**key, state=SnapshotState.QUEUED)
    except IntegrityError:  # a concurrent request created it first
        return ReportSnapshot.objects.get(**key)


def snapshot_request(
    *,
    workspace: Workspace,
    report_type: str,
    rng: ReportRange,
    user: User | None = None,
    refresh: bool = False,
    now: datetime | None = None,
    enqueue: bool = True,
) -> ReportSnapshot:
    """The snapshot for (workspace, type, range), with a fetch queued when the rules want one.

    Concurrent requests race on one conditional UPDATE (the lock): only the request that moves
    the row on from the state it read queues the fetch, so they make one gateway call. With
    `enqueue=False` the caller runs `snapshot_fetch` itself (scheduled reports do).
    """
    now = now or timezone.now()
    snapshot = _snapshot_for(workspace, report_type, rng)
    return snapshot_claim(snapshot=snapshot, user=user, refresh=refresh, now=now, enqueue=enqueue)


def snapshot_claim(
    *,
    snapshot: ReportSnapshot,
    user: User | None = None,
    refresh: bool = False,
    now: datetime | None = None,
    enqueue: bool = True,
) -> ReportSnapshot:
    """Queue a fetch of `snapshot` if the caching rules want one and no one else got there first."""
    now = now or timezone.now()
    fresh = snapshot.requested_at is None and snapshot.state == SnapshotState.QUEUED
    if fresh or snapshot_needs_fetch(snapshot, now=now, refresh=refresh):
        claimed = (
            ReportSnapshot.objects.filter(pk=snapshot.pk, state=snapshot.state)
            .filter(
                Q(requested_at=snapshot.requested_at)
                if snapshot.requested_at
                else Q(requested_at__isnull=True)
            )
            .update(
                state=SnapshotState.QUEUED, requested_at=now, requested_by=user, started_at=None
            )
        )
        if claimed and enqueue:
            from ..tasks import snapshot_fetch_task

            pk = snapshot.pk
            transaction.on_commit(lambda: snapshot_fetch_task.delay(pk))
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(last_viewed_at=now)
    snapshot.refresh_from_db()
    return snapshot


def _fail(snapshot: ReportSnapshot, code: int | None, text: str) -> None:
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(
        state=SnapshotState.FAILED, error_code=code, error_text=text[:500]
    )


def snapshot_fetch(*, snapshot_id: int, now: datetime | None = None) -> ReportSnapshot | None:
    """Fetch, keep and parse one snapshot; safe to run twice (the second run finds it claimed)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.REPORTING_STALE_SECONDS)
    claimed = (
        ReportSnapshot.objects.filter(pk=snapshot_id)
        .filter(
            Q(state=SnapshotState.QUEUED)
            | Q(state__in=[SnapshotState.FETCHING, SnapshotState.PARSING], started_at__lt=stale)
        )
        .update(state=SnapshotState.FETCHING, started_at=now, error_code=None, error_text="")
    )
    if not claimed:
        return None
    snapshot = ReportSnapshot.objects.select_related("workspace").get(pk=snapshot_id)
    try:
        client = client_for(snapshot.workspace)
    except GatewayNotConnected:
        _fail(snapshot, None, "No gateway account is connected to this workspace.")
        return snapshot
    try:
        body = report_body(client, snapshot.report_type, snapshot.range_start, snapshot.range_end)
    except textconnect.TextConnectError as exc:
        ReportSnapshot.objects.filter(pk=snapshot.pk).update(fetch_count=F("fetch_count") + 1)
        code, text = error_summary(exc)
        _fail(snapshot, code, text or str(exc))
        return snapshot
    snapshot_store_body(snapshot=snapshot, body=body, fetched_at=timezone.now())
    snapshot.refresh_from_db()
    return snapshot


def snapshot_store_body(*, snapshot: ReportSnapshot, body: str, fetched_at: datetime) -> None:
    """Keep the raw body as a file, then parse it into rows (a failure keeps the file)."""
    old_file = snapshot.raw_file.name
    snapshot.raw_file.save(
        f"{snapshot.workspace_id}/{snapshot.public_id}-{fetched_at:%Y%m%d%H%M%S}.csv",
        ContentFile(body.encode("utf-8")),
        save=False,
    )
    snapshot.raw_bytes = snapshot.raw_file.size
    snapshot.fetch_count += 1
    snapshot.state = SnapshotState.PARSING
    snapshot.save(update_fields=["raw_file", "raw_bytes", "fetch_count", "state"])
    del body
    try:
        snapshot_parse(snapshot=snapshot, fetched_at=fetched_at)
    except (ReportParseError, RowLimitExceeded, UnicodeDecodeError) as exc:
        text = str(exc) if not isinstance(exc, UnicodeDecodeError) else "The report is not UTF-8."
        # The kept file is now the bad answer, so rows from an earlier fetch go with their file.
        ReportRow.objects.filter(workspace_id=snapshot.workspace_id, snapshot=snapshot).delete()
        ReportSnapshot.objects.filter(pk=snapshot.pk).update(
            fetched_at=None, row_count=0, summary={}, is_final=False
        )
        _fail(snapshot, None, f"{text} The raw answer is kept for support.")
    if old_file and old_file != snapshot.raw_file.name:
        snapshot.raw_file.storage.delete(old_file)


def snapshot_parse(*, snapshot: ReportSnapshot, fetched_at: datetime) -> None:
    """Stream the stored raw file into rows and the chart summary; mark the snapshot ready.

    On PostgreSQL the rows go to COPY with the gateway's dates as text and the summary is one
    aggregate over the stored rows; elsewhere every value is typed here and counted as it passes.
    """
    postgres = connection.vendor == "postgresql"
    summary = Summary(snapshot.report_type, snapshot.workspace.time_zone)
    with snapshot.raw_file.open("rb") as raw:
        _check_complete(raw)
        lines = io.TextIOWrapper(raw, encoding="utf-8", newline="")

        def rows() -> Iterator[list]:
            for values in iter_rows(lines, snapshot.report_type):
                summary.add(values)
                yield values

        with transaction.atomic():
            if postgres:
                count = rows_store(
                    snapshot=snapshot, rows=iter_copy_rows(lines, snapshot.report_type)
                )
                figures = rows_summary(snapshot)
            else:
                count = rows_store(snapshot=snapshot, rows=rows())
                figures = summary.as_dict()
            ReportSnapshot.objects.filter(pk=snapshot.pk).update(
                state=SnapshotState.READY,
                row_count=count,
                summary=figures,
                fetched_at=fetched_at,
                is_final=snapshot_is_final(snapshot, fetched_at),
                error_code=None,
                error_text="",
            )


def _check_complete(raw: io.BufferedIOBase) -> None:
    """The gateway ends every row, the last too, with a line break: without one it was cut off."""
    raw.seek(0, io.SEEK_END)
    size = raw.tell()
    if size:
        raw.seek(size - 1)
        if raw.read(1) not in (b"\n", b"\r"):
            raise ReportParseError("The report ends part-way through a row: it was truncated.")
    raw.seek(0)


VIEW_RECORDED_EVERY = timedelta(hours=1)


def snapshot_viewed(snapshot: ReportSnapshot, *, now: datetime | None = None) -> None:
    """Someone opened the report: it is kept from pruning (written at most once an hour)."""
    now = now or timezone.now()
    ReportSnapshot.objects.filter(pk=snapshot.pk).filter(
        Q(last_viewed_at__isnull=True) | Q(last_viewed_at__lt=now - VIEW_RECORDED_EVERY)
    ).update(last_viewed_at=now)


def snapshots_prune(*, now: datetime | None = None) -> int:
    """Delete snapshots not viewed for REPORTING_PRUNE_DAYS, with their rows and raw files."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REPORTING_PRUNE_DAYS)
    old = ReportSnapshot.objects.filter(
        Q(last_viewed_at__lt=cutoff) | Q(last_viewed_at__isnull=True, created_at__lt=cutoff)
    ).exclude(state__in=WORKING_STATES)
    count = 0
    for snapshot in old.iterator():
        snapshot_delete(snapshot)
        count += 1
    return count


def snapshot_delete(snapshot: ReportSnapshot) -> None:
    """A snapshot goes with its rows and its raw file."""
    name = snapshot.raw_file.name
    snapshot.delete()
    if name:
        snapshot.raw_file.storage.delete(name)
