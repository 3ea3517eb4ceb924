"""The person's data in cached reports (subject access, erasure, retention; see
contacts.privacy): the rows of the gateway's reports that name a number, and the raw files."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import Workspace
from contacts.privacy import Counts, Holder, Sections, file_drop_lines, rows_of

from .models import ReportRow, ReportSnapshot, SnapshotState
from .services.snapshots import snapshot_delete


def _rows(workspace: Workspace, number: str) -> QuerySet[ReportRow]:
    names = Q(destination=number) | Q(source=number)
    if number.startswith("+"):  # the gateway's reports write numbers without the plus
        names |= Q(destination=number[1:]) | Q(source=number[1:])
    return ReportRow.objects.for_workspace(workspace).filter(names)


def collect(workspace: Workspace, number: str) -> Sections:
    fields = [
        "snapshot__report_type", "message_id", "destination", "source", "status",
        "scheduled_at", "sent_at", "delivered_at", "body",
    ]  # fmt: skip
    return {"report_rows": rows_of(_rows(workspace, number).order_by("snapshot_id", "seq"), fields)}


def count(workspace: Workspace, number: str) -> Counts:
    return {"report_rows": _rows(workspace, number).count()}


def erase(workspace: Workspace, number: str) -> Counts:
    rows = _rows(workspace, number)
    counts = count(workspace, number)
    touched = ReportSnapshot.objects.filter(pk__in=rows.values("snapshot_id")).exclude(raw_file="")
    counts["report_files"] = sum(bool(file_drop_lines(s.raw_file, number)) for s in touched)
    rows.update(destination="", source="", body="", username="")
    return counts


def purge(workspace: Workspace, cutoff: datetime) -> Counts:
    old = ReportSnapshot.objects.for_workspace(workspace).filter(range_end__lt=cutoff)
    old = old.filter(state__in=[SnapshotState.READY, SnapshotState.FAILED])
    done = 0
    for snapshot in old.iterator():
        snapshot_delete(snapshot)
        done += 1
    return {"report_snapshots": done}


holder = Holder("reporting", collect, count, erase, purge)
