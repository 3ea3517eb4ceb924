"""The dashboard and the report pages: requests, snapshots with tables and charts, downloads."""

import zoneinfo
from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import workspace_view
from accounts.csv_export import export_audit
from accounts.roles import Role

from . import exports
from .charts import snapshot_charts
from .columns import columns_for, table_cells
from .dashboard import dashboard_figures
from .forms import ReportRequestForm, ScheduleForm
from .models import ReportSnapshot, ScheduledReport
from .selectors import RowQuery, snapshot_rows
from .services.schedules import scheduled_report_create, scheduled_report_delete
from .services.snapshots import (
    snapshot_claim,
    snapshot_is_stale,
    snapshot_request,
    snapshot_viewed,
)


@workspace_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    request.session["last_workspace"] = request.workspace.slug
    gateway = getattr(request.workspace, "gateway", None)  # loaded with the membership
    figures = dashboard_figures(request.workspace, gateway)
    zone = zoneinfo.ZoneInfo(request.workspace.time_zone)
    trend = {  # drawn on a time axis (static/js/reports.js): the checks are unevenly spaced
        "label": gettext("Credits"),
        "zone": request.workspace.time_zone,
        "labels": [f"{p.checked_at.astimezone(zone):%-d %b %H:%M}" for p in figures.balance_trend],
        "times": [int(p.checked_at.timestamp() * 1000) for p in figures.balance_trend],
        "values": [float(p.balance) for p in figures.balance_trend],
    }
    context = {"gateway": gateway, "figures": figures, "trend": trend}
    return render(request, "reporting/dashboard.html", context)


@workspace_view()
def reports(request: HttpRequest) -> HttpResponse:
    form = ReportRequestForm(request.workspace, request.POST or None)
    if request.method == "POST" and form.is_valid():
        snapshot = snapshot_request(
            workspace=request.workspace,
            report_type=form.cleaned_data["report_type"],
            rng=form.range,
            user=request.user,
        )
        return redirect(
            "reporting:snapshot", slug=request.workspace.slug, snapshot_id=snapshot.public_id
        )
    recent = ReportSnapshot.objects.for_workspace(request.workspace).order_by("-created_at")[:20]
    context = {
        "form": form,
        "recent": recent,
        "schedules": ScheduledReport.objects.for_workspace(request.workspace).prefetch_related(
            "recipients"
        ),
        "schedule_form": ScheduleForm(request.workspace),
    }
    return render(request, "reporting/reports.html", context, status=400 if form.errors else 200)


def _snapshot(request: HttpRequest, snapshot_id: UUID) -> ReportSnapshot:
    return get_object_or_404(
        ReportSnapshot.objects.for_workspace(request.workspace).select_related("workspace"),
        public_id=snapshot_id,
    )


@workspace_view()
def snapshot_detail(request: HttpRequest, snapshot_id: UUID) -> HttpResponse:
    snapshot = _snapshot(request, snapshot_id)
    if not request.htmx:
        snapshot_viewed(snapshot)
        if snapshot_is_stale(snapshot):
            snapshot = snapshot_claim(snapshot=snapshot, user=request.user)
    query = RowQuery.from_params(request.GET)
    params = request.GET.copy()
    params.pop("cursor", None)
    has_rows = snapshot.fetched_at is not None
    page = snapshot_rows(snapshot, query, request.GET.get("cursor")) if has_rows else None
    columns = columns_for(snapshot.report_type)
    zone = zoneinfo.ZoneInfo(request.workspace.time_zone)
    context = {
        "snapshot": snapshot,
        "columns": columns,
        "query": query,
        "params": params.urlencode(),
        "page": page,
        "table": [table_cells(row, columns, zone) for row in page.rows] if page else [],
        "charts": snapshot_charts(snapshot) if snapshot.fetched_at else [],
        "statuses": sorted((snapshot.summary or {}).get("by_status", {})),
    }
    template = "reporting/snapshot.html"
    if request.htmx and request.htmx.target == "report-rows":
        template += "#rows"
    elif request.htmx:
        if not snapshot.is_working:
            # The fetch has ended: reload the page for the new rows and charts.
            return HttpResponse(headers={"HX-Refresh": "true"})
        template += "#live"
    return render(request, template, context)


@workspace_view()
@require_POST
def snapshot_refresh(request: HttpRequest, snapshot_id: UUID) -> HttpResponse:
    snapshot = _snapshot(request, snapshot_id)
    if snapshot.is_final:
        messages.info(request, _("This range has ended: its report is final and kept as it is."))
    else:
        snapshot_claim(snapshot=snapshot, user=request.user, refresh=True)
    return redirect("reporting:snapshot", slug=request.workspace.slug, snapshot_id=snapshot_id)


def _ready(request: HttpRequest, snapshot_id: UUID) -> ReportSnapshot:
    snapshot = _snapshot(request, snapshot_id)
    if not snapshot.fetched_at:
        raise Http404("This report has no data yet.")
    return snapshot


@workspace_view()
def snapshot_original(request: HttpRequest, snapshot_id: UUID) -> HttpResponse:
    return exports.original_csv(_ready(request, snapshot_id), request)


@workspace_view()
def snapshot_view_csv(request: HttpRequest, snapshot_id: UUID) -> HttpResponse:
    return exports.view_csv(
        _ready(request, snapshot_id), RowQuery.from_params(request.GET), request
    )


@workspace_view()
def snapshot_view_xlsx(request: HttpRequest, snapshot_id: UUID) -> HttpResponse:
    return exports.view_xlsx(
        _ready(request, snapshot_id), RowQuery.from_params(request.GET), request
    )


@workspace_view(Role.ADMIN)
def snapshot_raw(request: HttpRequest, snapshot_id: UUID) -> HttpResponse:
    """The gateway's answer byte for byte, as plain text (for support; never opened as a sheet)."""
    snapshot = _snapshot(request, snapshot_id)
    if not snapshot.raw_file:
        raise Http404("No answer was kept for this report.")
    export_audit(
        request,
        f"{snapshot.report_type} report, the gateway's answer",
        f"{snapshot.report_type}-{snapshot.public_id}-raw.txt",
        snapshot.row_count,
    )
    return FileResponse(
        snapshot.raw_file.open("rb"),
        as_attachment=True,
        filename=f"{snapshot.report_type}-{snapshot.public_id}-raw.txt",
        content_type="text/plain; charset=utf-8",
    )


@workspace_view(Role.ADMIN)
@require_POST
def schedule_create(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.workspace, request.POST)
    if form.is_valid():
        scheduled_report_create(
            workspace=request.workspace,
            report_type=form.cleaned_data["report_type"],
            frequency=form.cleaned_data["frequency"],
            recipients=list(form.cleaned_data["recipients"]),
            user=request.user,
        )
        messages.success(request, _("Scheduled report saved."))
    else:
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        messages.error(request, _("The schedule was not saved (%(errors)s).") % {"errors": errors})
    return redirect("reporting:reports", slug=request.workspace.slug)


@workspace_view(Role.ADMIN)
@require_POST
def schedule_delete(request: HttpRequest, schedule_id: UUID) -> HttpResponse:
    schedule = get_object_or_404(
        ScheduledReport.objects.for_workspace(request.workspace), public_id=schedule_id
    )
    scheduled_report_delete(schedule=schedule, user=request.user)
    messages.success(request, _("Scheduled report removed."))
    return redirect("reporting:reports", slug=request.workspace.slug)
