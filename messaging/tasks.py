"""Celery tasks of messaging: thin, take ids, re-check state, call a service."""

from celery import shared_task
from django.core.cache import cache

from .services import dispatch, reconcile, schedule, tracking


def _once(name: str, timeout: int = 300):  # noqa: ANN202
    """A Redis/cache lock so a periodic task never runs twice at the same time."""

    class Lock:
        def __enter__(self) -> bool:
            self.held = cache.add(f"lock:messaging:{name}", "1", timeout=timeout)
            return self.held

        def __exit__(self, *exc: object) -> None:
            if self.held:
                cache.delete(f"lock:messaging:{name}")

    return Lock()


@shared_task
def broadcast_dispatch_task(broadcast_id: int) -> None:
    dispatch.broadcast_dispatch(broadcast_id=broadcast_id)


@shared_task
def dispatch_due_task() -> None:
    """Beat: scheduled broadcasts that are due, retries whose pause is over, stalled sends."""
    with _once("dispatch_due", timeout=60) as held:
        if held:
            schedule.dispatch_due()


@shared_task
def track_statuses_task() -> None:
    """Beat: bring in-flight messages towards a final state (bulk report, then fallbacks)."""
    with _once("track", timeout=600) as held:
        if held:
            tracking.track_all()


@shared_task
def reconcile_task() -> None:
    """Beat: settle rows whose Send answer was lost, from the gateway's report."""
    with _once("reconcile", timeout=600) as held:
        if held:
            reconcile.reconcile_all()
