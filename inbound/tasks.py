"""Celery tasks of inbound: thin, take ids, call a service."""

from celery import shared_task

from accounts.locks import task_lock
from accounts.models import Workspace

from .services import process, reconcile, sweep
from .services.receive import FOLLOW_UP_SECONDS


@shared_task
def inbound_drain_task(*, follow_up: bool = False) -> None:
    """Process the stored texts; queued by the endpoint at most once per burst.

    The endpoint's drain (`follow_up`) queues one more, FOLLOW_UP_SECONDS after it ends, for the
    texts whose processes counted on it (see receive.processing_schedule).
    """
    process.inbound_drain()
    if follow_up:
        inbound_drain_task.apply_async(countdown=FOLLOW_UP_SECONDS)


@shared_task
def inbound_sweep_task() -> None:
    """Beat: lost processing tasks, opt-outs cut short, summaries of wrong-auth bursts."""
    with task_lock("inbound:sweep") as held:
        if held:
            sweep.sweep()


@shared_task
def inbound_reconcile_task() -> None:
    """Beat: one reconcile task per workspace with a virtual number."""
    with task_lock("inbound:reconcile") as held:
        if held:
            for workspace_id in reconcile.workspaces_to_reconcile():
                inbound_reconcile_workspace_task.delay(workspace_id)


@shared_task
def inbound_reconcile_workspace_task(workspace_id: int) -> None:
    """Store the texts the gateway received for this workspace that the endpoint never got."""
    with task_lock(f"inbound:reconcile:{workspace_id}") as held:
        workspace = Workspace.objects.filter(pk=workspace_id).first()
        if held and workspace is not None:
            reconcile.reconcile_workspace(workspace=workspace)
