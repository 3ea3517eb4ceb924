"""Dispatch runs and their leases: how the reconciler knows a run is still working on its rows.

A run renews its lease (`alive_until`) before every gateway call, so at the start of a call the
lease has at least two call deadlines left. A run that ends marks itself ended; a run whose worker
was killed simply stops renewing, and its rows are in doubt once the lease has lapsed.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..models import Broadcast, DispatchRun


def batch_size(broadcast: Broadcast) -> int:
    """Rows a run claims at a time: one call's worth, or a few rows when each recipient is its
    own call (a personalised send), so that no row waits long in `submitting` for its call."""
    if broadcast.personalised:
        return settings.MESSAGING_PERSONALISED_BATCH_SIZE
    return settings.MESSAGING_BATCH_SIZE


def lease_length() -> timedelta:
    """Long enough for three calls that each run to their deadline, and never under a minute."""
    return timedelta(
        seconds=max(settings.MESSAGING_RUN_LEASE_SECONDS, 3 * settings.TEXTCONNECT_TIMEOUT)
    )


def run_start(broadcast: Broadcast) -> DispatchRun:
    now = timezone.now()
    return DispatchRun.objects.create(
        workspace_id=broadcast.workspace_id,
        broadcast=broadcast,
        worker=f"{socket.gethostname()}:{os.getpid()}"[:200],
        started_at=now,
        alive_until=now + lease_length(),
    )


class LeaseLost(Exception):
    """The run's lease lapsed (the process stalled): its rows may be the reconciler's now, so it
    must not call the gateway for them."""


def run_renew(run: DispatchRun) -> None:
    """Before a call: extend the lease when a third of it has gone (one UPDATE at most then). A
    lease that has already lapsed is never revived."""
    now = timezone.now()
    lease = lease_length()
    if run.alive_until <= now:
        raise LeaseLost(f"the lease of {run} lapsed at {run.alive_until:%H:%M:%S}")
    if run.alive_until - now < lease * 2 / 3:
        renewed = DispatchRun.objects.filter(
            pk=run.pk, ended_at__isnull=True, alive_until__gt=now
        ).update(alive_until=now + lease)
        if not renewed:
            raise LeaseLost(f"the lease of {run} lapsed")
        run.alive_until = now + lease


def run_end(run: DispatchRun, *, rows: int = 0) -> None:
    run.ended_at, run.rows = timezone.now(), rows
    DispatchRun.objects.filter(pk=run.pk).update(ended_at=run.ended_at, rows=rows)


DEFAULT_RATE = 50.0  # recipients a second, until the workspace has sent enough to measure


def sending_rate(workspace_id: int) -> float:
    """Recipients a second this workspace's dispatch has managed lately (its last 20 runs of some
    size), for the review page's finish-time estimate."""
    runs = list(
        DispatchRun.objects.filter(workspace_id=workspace_id, ended_at__isnull=False, rows__gte=20)
        .order_by("-started_at")
        .values_list("rows", "started_at", "ended_at")[:20]
    )
    seconds = sum((ended - started).total_seconds() for _, started, ended in runs)
    rows = sum(count for count, _, _ in runs)
    return rows / seconds if seconds > 1 and rows else DEFAULT_RATE


def live(now: datetime | None = None, prefix: str = "") -> Q:
    """Runs (or, with `prefix="run__"`, rows of runs) that are still alive at `now`."""
    now = now or timezone.now()
    return Q(**{f"{prefix}ended_at__isnull": True, f"{prefix}alive_until__gt": now})


def last_alive(run: DispatchRun | None, fallback: datetime) -> datetime:
    """The latest moment the run could still have made a call: when it ended, or its lease."""
    if run is None:
        return fallback
    return run.ended_at or run.alive_until
