"""Recurring broadcasts: the list, a series and its next occurrences, edit, pause, resume, end."""

from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import workspace_view
from accounts.roles import Role

from .forms import SeriesEditForm, compose_repeat_preview
from .models import Series
from .services import recurring


def _end_choice(choices: dict) -> str:
    if choices.get("until"):
        return "on"
    return "after" if choices.get("count") else "never"


def _series(request: HttpRequest, series_id: UUID) -> Series:
    return get_object_or_404(Series.objects.for_workspace(request.workspace), public_id=series_id)


@workspace_view()
def series_list(request: HttpRequest) -> HttpResponse:
    rows = [
        (series, recurring.describe(series), recurring.occurrence_label(series))
        for series in Series.objects.for_workspace(request.workspace).select_related("created_by")
    ]
    return render(request, "messaging/series_list.html", {"rows": rows})


@workspace_view()
def series_view(request: HttpRequest, series_id: UUID) -> HttpResponse:
    series = _series(request, series_id)
    context = {
        "series": series,
        "described": recurring.describe(series),
        "upcoming": recurring.next_occurrences(series) if series.status == "active" else [],
        "occurrences": series.occurrences.order_by("-occurrence_at")[:50],
        "zone": ZoneInfo(series.time_zone),
    }
    return render(request, "messaging/series_detail.html", context)


@workspace_view(Role.SENDER)
@require_http_methods(["GET", "POST"])
def series_edit_view(request: HttpRequest, series_id: UUID) -> HttpResponse:
    series = _series(request, series_id)
    zone = ZoneInfo(series.time_zone)
    choices = series.selection.get("repeat", {})
    initial = {
        "body": series.body,
        "source": series.source,
        "validity_seconds": series.validity_seconds,
        "marketing": series.marketing,
        "schedule_at": timezone.localtime(series.next_at or series.starts, zone).replace(
            tzinfo=None
        ),
        "repeat": choices.get("frequency"),
        "repeat_days": choices.get("days"),
        "repeat_month_day": choices.get("month_day"),
        "repeat_ordinal": choices.get("ordinal"),
        "repeat_weekday": choices.get("weekday"),
        "repeat_end": "on"
        if choices.get("until")
        else "after"
        if choices.get("count")
        else "never",
        "repeat_until": choices.get("until"),
        "repeat_count": choices.get("count"),
    }
    form = SeriesEditForm(request.workspace, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recurring.series_edit(
                series=series,
                request=request,
                body=form.cleaned_data["body"],
                source=form.cleaned_data["source"],
                validity_seconds=form.cleaned_data["validity_seconds"],
                repeat=form.repetition(),
                starts=form.cleaned_data["schedule_at"],
                marketing=form.cleaned_data["marketing"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, _("Saved: the next occurrences follow the change."))
            return redirect(
                "messaging:series", slug=request.workspace.slug, series_id=series.public_id
            )
    from .views import _counter

    context = {
        "form": form,
        "series": series,
        "counter": _counter(
            form["body"].value() or "",
            request.workspace,
            marketing=bool(form["marketing"].value()),
            source=form["source"].value() or "",
        ),
        "preview": compose_repeat_preview(form),
    }
    return render(request, "messaging/series_edit.html", context)


def _series_action(request: HttpRequest, series_id: UUID, action, done: str) -> HttpResponse:  # noqa: ANN001
    series = _series(request, series_id)
    try:
        action(series=series, request=request)
    except ValidationError as exc:
        flash.error(request, exc.messages[0])
    else:
        flash.success(request, done)
    return redirect("messaging:series", slug=request.workspace.slug, series_id=series.public_id)


@workspace_view(Role.SENDER)
@require_POST
def series_pause_view(request: HttpRequest, series_id: UUID) -> HttpResponse:
    return _series_action(request, series_id, recurring.series_pause,
                          _("Paused: no occurrence goes until you resume it."))  # fmt: skip


@workspace_view(Role.SENDER)
@require_POST
def series_resume_view(request: HttpRequest, series_id: UUID) -> HttpResponse:
    return _series_action(request, series_id, recurring.series_resume,
                          _("Resumed from the next occurrence."))  # fmt: skip


@workspace_view(Role.SENDER)
@require_POST
def series_end_view(request: HttpRequest, series_id: UUID) -> HttpResponse:
    return _series_action(request, series_id, recurring.series_end,
                          _("Ended: no more occurrences."))  # fmt: skip


@workspace_view(Role.SENDER)
@require_POST
def repeat_preview_view(request: HttpRequest) -> HttpResponse:
    """The next five occurrences of the repetition being composed (htmx, as it changes)."""
    form = SeriesEditForm(request.workspace, request.POST)
    form.is_valid()
    return render(
        request, "messaging/_repeat_preview.html", {"preview": compose_repeat_preview(form)}
    )
