"""The sandbox's background work (background sends, inbound forwarding) runs in threads of the
process that serves or commands it: no Celery worker, no second process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_threads: set[threading.Thread] = set()
_last_resume = 0.0
_inflight = 0
_local = threading.local()


def request_started() -> None:
    """Count an API call in flight until Django has finished with it (connections closed)."""
    global _inflight
    with _lock:
        _inflight += 1
    _local.counted = True


def _request_finished(**kwargs: Any) -> None:
    # Connected after Django's own close_old_connections, so this runs after it.
    global _inflight
    if getattr(_local, "counted", False):
        _local.counted = False
        with _lock:
            _inflight -= 1


request_finished.connect(_request_finished, dispatch_uid="sandbox.workers.request_finished")


def _run(fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        close_old_connections()
        fn(*args)
    except Exception:
        logger.exception("sandbox background job %s failed", getattr(fn, "__name__", fn))
    finally:
        connections.close_all()
        with _lock:
            _threads.discard(threading.current_thread())


def submit(fn: Callable[..., Any], *args: Any) -> threading.Thread:
    """Run `fn(*args)` in a daemon thread with its own database connection."""
    thread = threading.Thread(target=_run, args=(fn, args), daemon=True, name="sandbox-worker")
    with _lock:
        _threads.add(thread)
    thread.start()
    return thread


def wait_idle(timeout: float = 10.0) -> bool:
    """Wait until no background job runs and no API call is in flight in this process (jobs
    started meanwhile included); False on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            pending = [t for t in _threads if t is not threading.current_thread()]
            inflight = _inflight
        if not pending and inflight <= 0:
            return True
        if time.monotonic() >= deadline:
            return False
        for thread in pending:
            thread.join(max(0.0, deadline - time.monotonic()))
        if not pending:
            time.sleep(0.01)


def resume_due(min_interval: float = 2.0) -> None:
    """Pick up background sends and forwarding retries left behind by a process that ended.

    Called when the sandbox is read; throttled so it costs one query pair every few seconds.
    """
    global _last_resume
    now = time.monotonic()
    if now - _last_resume < min_interval:
        return
    _last_resume = now
    from . import inbound, sending

    for bg_id in sending.due_background_sends():
        submit(sending.run_background_send, bg_id)
    for inbound_id in inbound.due_forwards():
        submit(inbound.forward, inbound_id)
