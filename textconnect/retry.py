"""Retry policy for read-only actions: exponential backoff with jitter, a bounded number of times.

Only CheckCredits, CheckMessageStatus, Report and GetBGMessages are retried, and only on
transport failures (timeouts, connection errors, HTTP 5xx, 408 and 429, garbled answers) and the
gateway's ``-511`` (maintenance) and ``-300`` (database error).
Every action that changes something (Send, CreateUser, UpdateCredits, ImportContactsCSV and the
delete actions) is attempted exactly once: repeating it could send or charge twice.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from textconnect.errors import RETRYABLE_CODES, TextConnectError, TransportError

logger = logging.getLogger("textconnect")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently read-only calls are retried.

    ``attempts`` counts the first try: the default makes at most 4 calls. Before retry ``n``
    (1-based) the client sleeps a random time between half and all of
    ``min(backoff_max, backoff_base * 2 ** (n - 1))`` seconds.
    """

    attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.backoff_base < 0 or self.backoff_max < 0:
            raise ValueError("backoff_base and backoff_max must not be negative")

    def delays(self) -> Iterator[float]:
        """The pauses before each retry, jittered."""
        for retry in range(1, self.attempts):
            ceiling = min(self.backoff_max, self.backoff_base * 2 ** (retry - 1))
            yield ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not crypto


NO_RETRY = RetryPolicy(attempts=1)


def is_retryable(error: TextConnectError) -> bool:
    """True for failures a read-only call may be repeated after."""
    if isinstance(error, TransportError):
        status = error.status_code
        # A 4xx refusal will be refused again; except "timed out" and "too many requests".
        return status is None or not 400 <= status < 500 or status in (408, 429)
    return error.code in RETRYABLE_CODES


def call_with_retries[T](
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    action: str,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``call``; on a retryable failure wait and try again, up to ``policy.attempts`` calls."""
    delays = policy.delays()
    while True:
        try:
            return call()
        except TextConnectError as error:
            if not is_retryable(error):
                raise
            delay = next(delays, None)
            if delay is None:
                raise
            logger.warning("%s failed (%r); retrying in %.2fs", action, error, delay)
            sleep(delay)
