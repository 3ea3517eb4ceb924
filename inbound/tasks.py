"""Celery tasks of inbound: thin, take ids, call a service."""

from celery import shared_task

from accounts.locks import task_lock

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
    """Beat: store texts the gateway received that the endpoint never got."""
    with task_lock("inbound:reconcile") as held:
        if held:
            reconcile.reconcile_all()
