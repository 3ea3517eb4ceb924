"""One lock for periodic and per-workspace tasks: held while the task works, gone soon after.

The lock is a cache key (Redis in production and tests) with a short time to live. While the block
runs, a thread renews it every third of that time, so a long task keeps its lock however long it
takes, and a worker killed mid-task (SIGKILL, out of memory) leaves a lock that lapses within one
time to live instead of blocking the task for as long as the longest run could last.

    with task_lock("messaging:reconcile") as held:
        if held:
            ...
"""

from __future__ import annotations

import logging
import math
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def lock_ttl() -> float:
    """Seconds a lock outlives its holder (PERIODIC_LOCK_SECONDS)."""
    return float(settings.PERIODIC_LOCK_SECONDS)


class _Renewer(threading.Thread):
    def __init__(self, key: str, token: str, ttl: float) -> None:
        super().__init__(name=f"lock-renewer:{key}", daemon=True)
        self.key, self.token, self.ttl = key, token, ttl
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.ttl / 3):
            try:
                if cache.get(self.key) != self.token:
                    log.warning("lock %s was lost while its task ran", self.key)
                    return
                cache.touch(self.key, self.ttl)
            except Exception:  # the cache is down: the lock lapses, the task goes on
                log.warning("lock %s could not be renewed", self.key, exc_info=True)


@contextmanager
def task_lock(name: str, *, ttl: float | None = None) -> Iterator[bool]:
    """Yield True when this process holds the lock `name`, False when another holder has it."""
    ttl = max(1, math.ceil(ttl or lock_ttl()))  # cache time-outs are whole seconds
    key, token = f"lock:{name}", uuid.uuid4().hex
    if not cache.add(key, token, timeout=ttl):
        yield False
        return
    renewer = _Renewer(key, token, ttl)
    renewer.start()
    try:
        yield True
    finally:
        renewer.stopped.set()
        renewer.join(timeout=5)
        if cache.get(key) == token:  # never release a lock that lapsed and was taken by another
            cache.delete(key)


def lock_held(name: str) -> bool:
    """Whether anyone holds the lock `name` (for pages and tests)."""
    return cache.get(f"lock:{name}") is not None
