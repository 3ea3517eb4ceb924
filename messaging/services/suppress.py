"""Automatic suppression, seen from the messages: a number whose messages fail permanently
(`Undeliverable`, or refused by the gateway with -401 or -412) three times in 90 days is
suppressed for the workspace (`contacts.Suppression`), so every send path skips it.

`states.py` calls `permanent_failures_check` with the rows it has just moved to a permanent
failure, a whole batch at a time (a status sweep settles thousands of rows at once): the work is
a fixed handful of queries per batch and workspace, never one per row.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone

from contacts.services.suppression import (
    PERMANENT_CODES,
    PERMANENT_WORDS,
    SUPPRESS_AFTER,
    SUPPRESS_WINDOW,
    suppressions_record,
    suppressions_standing,
)

from ..models import Message, MessageState

CHUNK = 5000  # ids per query (PostgreSQL takes at most 65,535 parameters)


def is_permanent(code: int | None, word: str) -> bool:
    """Whether a failure says the number itself cannot be reached."""
    return code in PERMANENT_CODES or word in PERMANENT_WORDS


def _permanent() -> Q:
    return Q(error_code__in=PERMANENT_CODES) | Q(gateway_status__in=PERMANENT_WORDS)


def _reason(code: int | None, text: str, word: str) -> str:
    return f"{code}: {text}" if code in PERMANENT_CODES else word


def permanent_failures_check(ids: Sequence[int]) -> int:
    """Suppress the numbers of these rows (just failed permanently) that have now failed so
    `SUPPRESS_AFTER` times within `SUPPRESS_WINDOW` (failures before a lift do not count).
    Returns how many numbers were suppressed."""
    if not ids:
        return 0
    numbers: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        pairs = Message.objects.filter(pk__in=chunk).values_list("workspace_id", "destination")
        for workspace_id, destination in pairs.order_by().distinct():
            numbers[workspace_id].add(destination)
    since = timezone.now() - SUPPRESS_WINDOW
    made = 0
    for workspace_id, destinations in numbers.items():
        standing = suppressions_standing(workspace_id, destinations)
        candidates = destinations - standing.suppressed
        if not candidates:
            continue
        failures = (
            Message.objects.filter(
                workspace_id=workspace_id,
                destination__in=candidates,
                state=MessageState.FAILED,
                failed_at__gte=since,
            )
            .filter(_permanent())
            .order_by("failed_at", "id")
            .values_list("destination", "failed_at", "error_code", "error_text", "gateway_status")
        )
        counts: Counter[str] = Counter()
        last: dict[str, str] = {}
        for destination, failed_at, code, text, word in failures:
            lifted = standing.lifted_at.get(destination)
            if lifted is not None and failed_at <= lifted:
                continue
            counts[destination] += 1
            last[destination] = _reason(code, text, word)
        found = {n: (c, last[n]) for n, c in counts.items() if c >= SUPPRESS_AFTER}
        made += suppressions_record(workspace_id, found)
    return made
