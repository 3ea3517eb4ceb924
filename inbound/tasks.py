"""Celery tasks of inbound: thin, take ids, call a service."""

from celery import shared_task
from django.core.cache import cache

from .services import process, reconcile, sweep
from .services.receive import FOLLOW_UP_SECONDS


def _once(name: str, timeout: int) -> bool:
    """A cache lock so that a periodic task never runs twice at the same time."""
    return cache.add(f"lock:inbound:{name}", "1", timeout=timeout)


def _release(name: str) -> None:
    cache.delete(f"lock:inbound:{name}")


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
    if _once("sweep", 120):
        try:
            sweep.sweep()
        finally:
            _release("sweep")


@shared_task
def inbound_reconcile_task() -> None:
    """Beat: store texts the gateway received that the endpoint never got."""
    if _once("reconcile", 600):
        try:
            reconcile.reconcile_all()
        finally:
            _release("reconcile")
