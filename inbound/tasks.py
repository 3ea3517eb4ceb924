"""Celery tasks of inbound: thin, take ids, call a service."""

from celery import shared_task
from django.core.cache import cache

from .services import process, reconcile, sweep


def _once(name: str, timeout: int) -> bool:
    """A cache lock so that a periodic task never runs twice at the same time."""
    return cache.add(f"lock:inbound:{name}", "1", timeout=timeout)


def _release(name: str) -> None:
    cache.delete(f"lock:inbound:{name}")


@shared_task
def inbound_drain_task() -> None:
    """Process the stored texts; queued by the endpoint at most once per burst."""
    process.inbound_drain()


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
