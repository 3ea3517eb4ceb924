"""Celery tasks of messaging: thin, take ids, re-check state, call a service."""

from celery import shared_task

from accounts.locks import task_lock
from accounts.models import Workspace

from .services import dispatch, links, reconcile, recurring, schedule, tracking


@shared_task
def broadcast_dispatch_task(broadcast_id: int) -> None:
    dispatch.broadcast_dispatch(broadcast_id=broadcast_id)


@shared_task
def dispatch_due_task() -> None:
    """Beat: scheduled broadcasts that are due, retries whose pause is over, stalled sends."""
    with task_lock("messaging:dispatch_due") as held:
        if held:
            schedule.dispatch_due()


@shared_task
def series_due_task() -> None:
    """Beat: the occurrences of recurring broadcasts that are due, each made once."""
    with task_lock("messaging:series") as held:
        if held:
            recurring.series_due()


@shared_task
def track_statuses_task() -> None:
    """Beat: one tracking task per workspace with messages due for a check."""
    with task_lock("messaging:track") as held:
        if held:
            for workspace_id in tracking.workspaces_due():
                track_workspace_task.delay(workspace_id)


@shared_task
def track_workspace_task(workspace_id: int) -> None:
    """Bring one workspace's in-flight messages towards a final state (bulk report, then
    fallbacks); a slow gateway holds up only its own workspace."""
    with task_lock(f"messaging:track:{workspace_id}") as held:
        workspace = Workspace.objects.filter(pk=workspace_id).first()
        if held and workspace is not None:
            tracking.track_workspace(workspace=workspace)


@shared_task
def reconcile_task() -> None:
    """Beat: one reconcile task per workspace with rows in doubt."""
    with task_lock("messaging:reconcile") as held:
        if held:
            reconcile.reconcile_all()


@shared_task
def reconcile_workspace_task(workspace_id: int) -> None:
    """Settle one workspace's rows in doubt from its gateway's report (one at a time per
    workspace; another workspace's slow gateway never holds this one up)."""
    with task_lock(f"messaging:reconcile:{workspace_id}") as held:
        workspace = Workspace.objects.filter(pk=workspace_id).first()
        if held and workspace is not None:
            reconcile.reconcile_workspace(workspace=workspace)


@shared_task
def links_drain_task() -> None:
    """Write the short-link visits waiting in Redis (a lock keeps one drain at a time)."""
    with task_lock("messaging:links-drain") as held:
        if held:
            links.clicks_drain()
