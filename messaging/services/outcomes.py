"""What happened to a broadcast's recipients: every recipient in exactly one bucket.

One function counts them (`outcomes_count`); the broadcast page, the list, the dashboard and the
CSV read the counts it stores on the broadcast (`Outcomes.of`). The buckets add up to the
recipients by construction: each row of the outbox is classified once, by `bucket`.

"Sent" is not a bucket: it is every recipient the gateway accepted (it gave a message ID), whatever
happened next (delivered, undeliverable, expired, failed later, or still on its way).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.gateway_words import gateway_error_text

from ..models import Broadcast, Message, MessageState

S = MessageState

BUCKETS = (
    "delivered", "failed", "undeliverable", "expired", "skipped", "cancelled", "pending", "unknown",
)  # fmt: skip
STORED = (*BUCKETS, "sent")  # kept on the broadcast as <name>_count
LABELS = {
    "delivered": _("Delivered"),
    "failed": _("Failed"),
    "undeliverable": _("Undeliverable"),
    "expired": _("Expired"),
    "skipped": _("Skipped"),
    "cancelled": _("Cancelled"),
    "pending": _("Pending"),
    "unknown": _("Needs a decision"),
}


def bucket(state: str, gateway_status: str) -> str:
    """The one bucket a recipient is in, from its row's state and the gateway's last word."""
    if state == S.FAILED:
        if gateway_status == "Undeliverable":
            return "undeliverable"
        if gateway_status == "Expired":
            return "expired"
        return "failed"
    if state in (S.QUEUED, S.SUBMITTING, S.SUBMITTED):
        return "pending"
    return str(state)  # delivered, skipped, cancelled, unknown


@dataclass(frozen=True)
class Outcomes:
    delivered: int = 0
    failed: int = 0  # refused at the call (the gateway's code) or reported failed later
    undeliverable: int = 0
    expired: int = 0
    skipped: int = 0  # opted out: never sent, never charged
    cancelled: int = 0
    pending: int = 0  # queued, being sent, or accepted and waiting for a final word
    unknown: int = 0  # the gateway's report could not tell: a person decides
    sent: int = 0  # accepted by the gateway (not a bucket: it overlaps the others)
    outbox: int = 0  # of `pending`, those not handed to the gateway yet or in doubt (not stored)

    @property
    def recipients(self) -> int:
        return sum(getattr(self, name) for name in BUCKETS)

    @property
    def not_reached(self) -> int:
        """Recipients the message failed to reach (for delivery rates)."""
        return self.failed + self.undeliverable + self.expired

    def rows(self) -> list[tuple[str, str, int]]:
        """(bucket, label, count) of every bucket with recipients, in a fixed order."""
        return [
            (name, LABELS[name], getattr(self, name)) for name in BUCKETS if getattr(self, name)
        ]

    @classmethod
    def tally(cls, rows: Iterable[tuple[str, str, int, int]]) -> Outcomes:
        """From (state, gateway status, rows, rows the gateway accepted) groups."""
        counts = dict.fromkeys([*STORED, "outbox"], 0)
        for state, gateway_status, count, accepted in rows:
            counts[bucket(state, gateway_status)] += count
            counts["sent"] += accepted
            if state in (S.QUEUED, S.SUBMITTING):
                counts["outbox"] += count
        return cls(**counts)

    @classmethod
    def queued(cls, recipients: int) -> Outcomes:
        """A broadcast none of whose rows has moved yet (just written): all pending, in the
        outbox; what `outcomes_count` would count then, without the query."""
        return cls(pending=recipients, outbox=recipients)

    @classmethod
    def of(cls, broadcast: Broadcast) -> Outcomes:
        """The counts last stored on the broadcast (no query)."""
        return cls(**{name: getattr(broadcast, f"{name}_count") for name in STORED})


def outcomes_count(broadcast: Broadcast) -> Outcomes:
    """Count the broadcast's recipients into the buckets (one GROUP BY query)."""
    groups = (
        Message.objects.filter(broadcast=broadcast)
        .order_by()
        .values_list("state", "gateway_status")
        .annotate(n=Count("id"), accepted=Count("id", filter=~Q(gateway_id="")))
    )
    return Outcomes.tally(groups)


def stored_fields(outcomes: Outcomes) -> dict[str, int]:
    """The broadcast's columns that keep the counts."""
    return {f"{name}_count": getattr(outcomes, name) for name in STORED}


def failure_reasons(broadcast: Broadcast, limit: int = 10) -> list[tuple[str, int]]:
    """Why recipients failed or were skipped, most common first: the gateway's code and text, or
    its last status word."""
    rows = (
        Message.objects.filter(broadcast=broadcast, state__in=[S.FAILED, S.SKIPPED])
        .order_by()
        .values_list("error_code", "error_text", "gateway_status")
        .annotate(n=Count("id"))
        .order_by("-n")[:limit]
    )
    reasons = []
    for code, text, word, count in rows:
        if code is not None:
            reasons.append((gateway_error_text(code, text), count))
        else:
            reasons.append((text or word or str(_("No reason given")), count))
    return reasons
