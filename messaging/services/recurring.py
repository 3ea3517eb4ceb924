"""Recurring broadcasts: a series with an RFC 5545 rule, read in the workspace's time zone.

The rule runs on wall-clock time (python-dateutil's rrule on naive local times, each then placed in
the zone), so 09:00 stays 09:00 across the clock changes. Beat makes each occurrence its own
broadcast when it is due, exactly once: the series row is locked while its occurrence is made, the
broadcast's idempotency key comes from the series and the occurrence time, and a unique constraint
on (series, occurrence time) backs both. Recipients are resolved at each occurrence: a group's
members then, not when the series was made.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import audit_record
from accounts.models import User

from ..models import Broadcast, BroadcastStatus, Series, SeriesStatus

log = logging.getLogger(__name__)

SERIES_NAMESPACE = uuid.UUID("7d3f1c2e-8a4b-4f6d-9c1e-2b5a7d9e0f13")
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
LATE_GRACE = timedelta(
    hours=1
)  # an occurrence found later than this (the portal was down) is missed
PREVIEW = 5


@dataclass(frozen=True)
class Repeat:
    """A repetition as the composer offers it."""

    frequency: str  # daily, weekdays, weekly, monthly_day, monthly_weekday
    days: tuple[int, ...] = ()  # weekly: 0 = Monday
    month_day: int | None = None  # monthly_day: 1..31
    ordinal: int | None = None  # monthly_weekday: 1..4, or -1 for the last
    weekday: int | None = None  # monthly_weekday
    until: date | None = None
    count: int | None = None

    def rule(self) -> str:
        parts = {
            "daily": ["FREQ=DAILY"],
            "weekdays": ["FREQ=WEEKLY", "BYDAY=MO,TU,WE,TH,FR"],
            "weekly": ["FREQ=WEEKLY", "BYDAY=" + ",".join(WEEKDAYS[d] for d in sorted(self.days))],
            "monthly_day": ["FREQ=MONTHLY", f"BYMONTHDAY={self.month_day}"],
            "monthly_weekday": [
                "FREQ=MONTHLY",
                f"BYDAY={self.ordinal}{WEEKDAYS[self.weekday or 0]}",
            ],
        }[self.frequency]
        if self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}T235959")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        return "RRULE:" + ";".join(parts)


def occurrences(
    rule: str, starts: datetime, zone: ZoneInfo, *, after: datetime | None = None, limit: int = 1
) -> list[datetime]:
    """The next `limit` occurrences (aware, UTC) strictly after `after` (default: from the first
    one on), counted on the wall clock of `zone`."""
    first = starts.astimezone(zone).replace(tzinfo=None)
    recurrence = rrulestr(rule, dtstart=first)
    cursor = first - timedelta(seconds=1)
    if after is not None:
        cursor = max(cursor, after.astimezone(zone).replace(tzinfo=None))
    found: list[datetime] = []
    while len(found) < limit:
        wall = recurrence.after(cursor)
        if wall is None:
            break
        moment = wall.replace(tzinfo=zone).astimezone(UTC)
        if after is None or moment > after:
            found.append(moment)
        cursor = wall
    return found


def clean_repeat(repeat: Repeat, starts: datetime | None, zone: ZoneInfo) -> str:
    """The rule for `repeat`, refused with a clear reason when it cannot be used."""
    if starts is None:
        raise ValidationError(_("Choose when the first message goes (“Send later”) to repeat it."))
    if repeat.frequency == "weekly" and not repeat.days:
        raise ValidationError(_("Choose the days of the week it goes on."))
    if repeat.frequency == "monthly_day" and not (repeat.month_day and 1 <= repeat.month_day <= 31):
        raise ValidationError(_("Choose a day of the month from 1 to 31."))
    if repeat.frequency == "monthly_weekday" and (repeat.ordinal is None or repeat.weekday is None):
        raise ValidationError(_("Choose which weekday of the month it goes on."))
    if repeat.until is not None and repeat.until < starts.astimezone(zone).date():
        raise ValidationError(_("The end date is before the first message."))
    if repeat.count is not None and repeat.count < 1:
        raise ValidationError(_("Repeat at least once."))
    rule = repeat.rule()
    if not occurrences(rule, starts, zone, limit=1):
        raise ValidationError(_("This repetition never happens: no date matches it."))
    return rule


def describe(series: Series) -> str:
    """The rule in words, as the composer's choices read."""
    repeat = series.selection.get("repeat", {})
    clock = f"{series.starts.astimezone(ZoneInfo(series.time_zone)):%H:%M}"
    names = [date_format(datetime(2024, 1, 1 + d), "l") for d in range(7)]  # 1 Jan 2024: Monday
    frequency = repeat.get("frequency")
    if frequency == "daily":
        text = _("Every day at %(time)s") % {"time": clock}
    elif frequency == "weekdays":
        text = _("Every weekday at %(time)s") % {"time": clock}
    elif frequency == "weekly":
        days = ", ".join(names[d] for d in sorted(repeat.get("days", [])))
        text = _("Every week on %(days)s at %(time)s") % {"days": days, "time": clock}
    elif frequency == "monthly_day":
        text = _("Every month on day %(day)s at %(time)s") % {
            "day": repeat.get("month_day"), "time": clock
        }  # fmt: skip
    else:
        ordinal = repeat.get("ordinal")
        ordinals = {1: _("first"), 2: _("second"), 3: _("third"), 4: _("fourth"), -1: _("last")}
        which = ordinals.get(ordinal, "")
        text = _("Every month on the %(which)s %(day)s at %(time)s") % {
            "which": which, "day": names[repeat.get("weekday") or 0], "time": clock
        }  # fmt: skip
    if repeat.get("count"):
        count = repeat["count"]
        text += ", " + ngettext("once", "%(n)s times", count) % {"n": count}
    elif repeat.get("until"):
        text += ", " + _("until %(date)s") % {"date": repeat["until"]}
    return text


# -- the series' life -------------------------------------------------------------------------


def series_create(
    *,
    broadcast: Broadcast,
    user: User | None,
    request: HttpRequest | None = None,
) -> Series:
    """Make a series from a reviewed draft that carries a repetition; the draft goes."""
    spec = broadcast.recipients_spec
    repeat = spec.get("repeat")
    if not repeat or broadcast.status != BroadcastStatus.DRAFT or broadcast.schedule_at is None:
        raise ValidationError(_("This draft does not repeat."))
    zone = ZoneInfo(broadcast.workspace.time_zone)
    with transaction.atomic():
        series = Series.objects.create(
            workspace=broadcast.workspace,
            created_by=user,
            body=broadcast.body,
            source=broadcast.source,
            validity_seconds=broadcast.validity_seconds,
            marketing=broadcast.marketing,
            selection={
                **spec.get("selection", {}),
                "gateway_group": broadcast.gateway_target
                if broadcast.kind == "gateway_group"
                else "",
                "gateway_list": broadcast.gateway_target
                if broadcast.kind == "gateway_list"
                else "",
                "repeat": repeat["choices"],
            },
            rule=repeat["rule"],
            starts=broadcast.schedule_at,
            time_zone=broadcast.workspace.time_zone,
        )
        first = occurrences(series.rule, series.starts, zone, limit=1)
        Series.objects.filter(pk=series.pk).update(next_at=first[0] if first else None)
        audit_record("series_created", request=request, workspace=series.workspace, actor=user,
                     obj=series, rule=series.rule)  # fmt: skip
        broadcast.delete()
    series.refresh_from_db()
    return series


def next_occurrences(series: Series, *, limit: int = PREVIEW, now: datetime | None = None) -> list:
    after = max(now or timezone.now(), series.next_at or series.starts) - timedelta(seconds=1)
    return occurrences(series.rule, series.starts, ZoneInfo(series.time_zone), after=after,
                       limit=limit)  # fmt: skip


def series_pause(*, series: Series, request: HttpRequest) -> None:
    if not Series.objects.filter(pk=series.pk, status=SeriesStatus.ACTIVE).update(
        status=SeriesStatus.PAUSED
    ):
        raise ValidationError(_("Only an active series can be paused."))
    audit_record("series_paused", request=request, obj=series)


def series_resume(*, series: Series, request: HttpRequest) -> None:
    """Go on from the next occurrence after now (the ones missed while paused are not sent)."""
    with transaction.atomic():
        locked = Series.objects.select_for_update().get(pk=series.pk)
        if locked.status != SeriesStatus.PAUSED:
            raise ValidationError(_("Only a paused series can be resumed."))
        following = occurrences(locked.rule, locked.starts, ZoneInfo(locked.time_zone),
                                after=timezone.now(), limit=1)  # fmt: skip
        Series.objects.filter(pk=locked.pk).update(
            status=SeriesStatus.ACTIVE if following else SeriesStatus.ENDED,
            next_at=following[0] if following else None,
        )
        audit_record("series_resumed", request=request, obj=locked)


def series_end(*, series: Series, request: HttpRequest) -> None:
    if (
        not Series.objects.filter(pk=series.pk)
        .exclude(status=SeriesStatus.ENDED)
        .update(status=SeriesStatus.ENDED, next_at=None)
    ):
        raise ValidationError(_("This series has ended already."))
    audit_record("series_ended", request=request, obj=series)


def series_edit(
    *,
    series: Series,
    request: HttpRequest,
    body: str,
    source: str,
    validity_seconds: int,
    repeat: Repeat,
    starts: datetime,
    marketing: bool | None = None,
) -> None:
    """Change the future occurrences (those already made keep their text); `marketing` None
    keeps the series' choice."""
    zone = ZoneInfo(series.time_zone)
    rule = clean_repeat(repeat, starts, zone)
    with transaction.atomic():
        locked = Series.objects.select_for_update().get(pk=series.pk)
        if locked.status == SeriesStatus.ENDED:
            raise ValidationError(_("This series has ended: make a new one."))
        following = occurrences(rule, starts, zone, after=timezone.now() - timedelta(seconds=1))
        locked.body, locked.source, locked.validity_seconds = body, source, validity_seconds
        if marketing is not None:
            locked.marketing = marketing
        locked.rule, locked.starts = rule, starts
        locked.selection = {**locked.selection, "repeat": repeat_choices(repeat)}
        locked.next_at = following[0] if following else None
        if not following:
            locked.status = SeriesStatus.ENDED
        locked.save()
        audit_record("series_edited", request=request, obj=locked, rule=rule)


def repeat_choices(repeat: Repeat) -> dict:
    return {
        "frequency": repeat.frequency,
        "days": list(repeat.days),
        "month_day": repeat.month_day,
        "ordinal": repeat.ordinal,
        "weekday": repeat.weekday,
        "until": repeat.until.isoformat() if repeat.until else None,
        "count": repeat.count,
    }


def repeat_from_choices(choices: dict) -> Repeat:
    return Repeat(
        frequency=choices["frequency"],
        days=tuple(choices.get("days") or ()),
        month_day=choices.get("month_day"),
        ordinal=choices.get("ordinal"),
        weekday=choices.get("weekday"),
        until=date.fromisoformat(choices["until"]) if choices.get("until") else None,
        count=choices.get("count"),
    )


# -- beat: the occurrences that are due -------------------------------------------------------


def series_due(*, now: datetime | None = None) -> list[int]:
    """Make every due occurrence its own broadcast, once; returns the broadcast ids made."""
    now = now or timezone.now()
    made: list[int] = []
    due = Series.objects.filter(status=SeriesStatus.ACTIVE, next_at__lte=now).values_list(
        "pk", flat=True
    )
    for series_id in list(due):
        broadcast_id = _occurrence(series_id, now)
        if broadcast_id is not None:
            made.append(broadcast_id)
    return made


def _occurrence(series_id: int, now: datetime) -> int | None:
    from .compose import Draft, broadcast_confirm, broadcast_create

    with transaction.atomic():
        series = (
            Series.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("workspace", "created_by")
            .filter(pk=series_id, status=SeriesStatus.ACTIVE, next_at__lte=now)
            .first()
        )
        if series is None:  # another beat has it, or it moved on
            return None
        occurrence = series.next_at
        zone = ZoneInfo(series.time_zone)
        following = occurrences(series.rule, series.starts, zone, after=max(occurrence, now),
                                limit=1)  # fmt: skip
        series.next_at = following[0] if following else None
        series.status = SeriesStatus.ACTIVE if following else SeriesStatus.ENDED
        if now - occurrence > LATE_GRACE:
            series.last_note = (_("Missed %(when)s: the portal was not sending then.")
                                % {"when": _local(occurrence, zone)})[:300]  # fmt: skip
            series.save(update_fields=["next_at", "status", "last_note", "updated_at"])
            return None
        selection = series.selection
        draft = Draft(
            body=series.body,
            source=series.source,
            numbers=list(selection.get("numbers", [])),
            contact_ids=list(selection.get("contact_ids", [])),
            group_ids=list(selection.get("group_ids", [])),
            gateway_group=selection.get("gateway_group", ""),
            gateway_list=selection.get("gateway_list", ""),
            validity_seconds=series.validity_seconds,
            marketing=series.marketing,  # with the workspace's opt-out instruction of the day
        )
        key = uuid.uuid5(SERIES_NAMESPACE, f"{series.public_id}:{occurrence.isoformat()}")
        try:
            with transaction.atomic():
                broadcast = broadcast_create(workspace=series.workspace, user=series.created_by,
                                             draft=draft, idempotency_key=key)  # fmt: skip
                Broadcast.objects.filter(pk=broadcast.pk).update(
                    series=series, occurrence_at=occurrence
                )
        except IntegrityError:  # made already: exactly once
            return None
        except ValidationError as exc:  # nobody to send to at this occurrence
            series.last_note = _skip_note(occurrence, zone, exc)
            series.save(update_fields=["next_at", "status", "last_note", "updated_at"])
            return None
        series.occurrences_made += 1
        series.last_note = ""
        series.save(update_fields=["next_at", "status", "occurrences_made", "last_note",
                                   "updated_at"])  # fmt: skip
    try:
        broadcast_confirm(broadcast=broadcast, user=series.created_by)
    except (
        ValidationError
    ) as exc:  # it can no longer be paid for, or sent: skipped, the series goes on
        _skip(broadcast, series, occurrence, zone, exc)
    return broadcast.pk


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return date_format(moment.astimezone(zone), "D j M H:i")


def _skip_note(occurrence: datetime, zone: ZoneInfo, exc: ValidationError) -> str:
    return (_("Skipped %(when)s: %(reason)s") % {"when": _local(occurrence, zone),
                                                 "reason": exc.messages[0]})[:300]  # fmt: skip


def _skip(
    broadcast: Broadcast, series: Series, occurrence: datetime, zone: ZoneInfo, exc: ValidationError
) -> None:
    from .schedule import fail_broadcast

    note = _skip_note(occurrence, zone, exc)
    Series.objects.filter(pk=series.pk).update(last_note=note)
    fail_broadcast(broadcast, exc.messages[0], subject_prefix=_("A repeating message"))


def occurrence_label(series: Series) -> str | None:
    """ "Tue 09:00", the next occurrence as the list shows it."""
    if series.next_at is None:
        return None
    return _local(series.next_at, ZoneInfo(series.time_zone))


def starts_default() -> datetime:
    return timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
