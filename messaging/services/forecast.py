"""When a send will finish: the workspace's measured sending rate, and any quiet hours on the way.

"About 4 minutes; 212 held until 08:00" on the review page comes from here. The rate is what this
workspace's dispatch runs managed lately (runs.sending_rate); the quiet window is the workspace's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from ..models import Broadcast, BroadcastKind
from .quiet import window_for
from .runs import sending_rate


@dataclass(frozen=True)
class Forecast:
    starts: datetime
    seconds: float  # sending time, without any wait
    finishes: datetime
    held: int = 0  # recipients the quiet window holds back
    held_from: datetime | None = None  # when the window begins (None: held from the start)
    released_at: datetime | None = None

    @property
    def minutes(self) -> int:
        return max(1, round(self.seconds / 60))


def send_forecast(broadcast: Broadcast, *, now: datetime | None = None) -> Forecast | None:
    """The forecast for a direct send of this draft, or None for a gateway group or list."""
    if broadcast.kind != BroadcastKind.DIRECT:
        return None
    now = now or timezone.now()
    starts = max(broadcast.schedule_at or now, now)
    count = broadcast.recipient_count - broadcast.recipients_spec.get("opted_out", 0)
    rate = sending_rate(broadcast.workspace_id)
    seconds = count / rate
    window = None if broadcast.is_reply or broadcast.is_test else window_for(broadcast.workspace)
    if window is None:
        return Forecast(starts, seconds, starts + timedelta(seconds=seconds))
    if (release := window.release(starts)) is not None:  # it starts inside the window
        return Forecast(starts, seconds, release + timedelta(seconds=seconds), held=count,
                        released_at=release)  # fmt: skip
    begins = window.next_start(starts)
    if begins is None or starts + timedelta(seconds=seconds) <= begins:
        return Forecast(starts, seconds, starts + timedelta(seconds=seconds))
    before = int(rate * (begins - starts).total_seconds())
    held = max(0, count - before)
    release = window.release(begins) or begins
    return Forecast(starts, seconds, release + timedelta(seconds=held / rate), held=held,
                    held_from=begins, released_at=release)  # fmt: skip
