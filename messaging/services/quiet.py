"""Quiet hours: when a workspace does not text people, and when a held send may go.

A window is a daily span in the workspace's time zone (21:00 to 08:00 crosses midnight) plus whole
days (all Sunday). A send that would go out in it is held and released when it ends; a broadcast
that runs into it pauses at its next batch. Replies to a text just received are never held, and an
admin may override the window for one broadcast, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Workspace

from ..models import Broadcast, QuietHours

DAYS_AHEAD = 9  # a week of quiet days and a window cannot reach further


@dataclass(frozen=True)
class Window:
    start: time | None
    end: time | None
    quiet_days: frozenset[int]
    zone: ZoneInfo

    def is_quiet(self, local: datetime) -> bool:
        """Whether this wall-clock moment (in the window's zone) is quiet."""
        if local.weekday() in self.quiet_days:
            return True
        if self.start is None or self.end is None:
            return False
        now = local.time()
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end  # crosses midnight

    def release(self, at: datetime) -> datetime | None:
        """When a send due at `at` (aware) may go: None when `at` is not quiet."""
        local = at.astimezone(self.zone)
        if not self.is_quiet(local):
            return None
        for moment in self._boundaries(local.date()):
            if moment > local and not self.is_quiet(moment):
                return moment.astimezone(UTC)
        raise ValidationError(_("These quiet hours never end."))

    def next_start(self, at: datetime) -> datetime | None:
        """The next moment after `at` (not quiet) when quiet time begins, or None."""
        local = at.astimezone(self.zone)
        for moment in self._boundaries(local.date(), starts=True):
            if moment > local and self.is_quiet(moment):
                return moment.astimezone(UTC)
        return None

    def _boundaries(self, first: date, starts: bool = False) -> list[datetime]:
        """Every moment quiet time may end (or begin), in order, from `first` on."""
        wall = [time(0, 0)]
        if (self.start, self.end) != (None, None):
            wall.append(self.start if starts else self.end)
        moments = [
            datetime.combine(first + timedelta(days=day), clock, self.zone)
            for day in range(DAYS_AHEAD)
            for clock in wall
            if clock is not None
        ]
        return sorted(set(moments))


def window_for(workspace: Workspace) -> Window | None:
    """The workspace's quiet hours, or None when it has none switched on."""
    quiet = QuietHours.objects.filter(workspace=workspace, enabled=True).first()
    if quiet is None:
        return None
    return Window(
        start=quiet.start,
        end=quiet.end,
        quiet_days=frozenset(quiet.quiet_days),
        zone=ZoneInfo(workspace.time_zone),
    )


def clean_window(start: time | None, end: time | None, quiet_days: list[int]) -> None:
    """Refuse quiet hours that leave no time to send, or a window of no length."""
    if (start is None) != (end is None):
        raise ValidationError(_("Give both the start and the end of the quiet window."))
    if start is not None and start == end:
        raise ValidationError(
            _("The window starts and ends at the same time: give it a length, or leave it out.")
        )
    if len(set(quiet_days)) >= 7:
        raise ValidationError(_("Every day is quiet: nothing could ever be sent."))
    if start is None and not quiet_days:
        raise ValidationError(_("Choose a daily window or at least one quiet day."))


def held_until(broadcast: Broadcast, at: datetime) -> datetime | None:
    """When this broadcast's rows due at `at` may go, if quiet hours hold them; None otherwise."""
    if broadcast.is_reply or broadcast.is_test or broadcast.quiet_override_reason:
        return None
    window = window_for(broadcast.workspace)
    return window.release(at) if window else None
