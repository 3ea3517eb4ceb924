"""Settings pages for owners and admins: the gateway connection and the audit log."""

from datetime import date, datetime, time

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import sandbox_gateway
from .access import workspace_view
from .audit_words import action_sentence
from .csv_export import csv_response
from .forms import GatewayForm
from .models import AuditEvent, GatewayConnection
from .roles import Role
from .services.gateway import (
    GatewayChangeRefused,
    TokenRefused,
    gateway_check_start,
    gateway_connect,
)


def _connection(request: HttpRequest) -> GatewayConnection | None:
    """The workspace's connection, loaded with the membership (see access.workspace_view)."""
    return getattr(request.workspace, "gateway", None)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def gateway_settings(request: HttpRequest) -> HttpResponse:
    connection = _connection(request)
    is_owner = request.role == Role.OWNER
    initial = {}
    if connection is not None:
        initial = {
            "api_url": connection.api_url,
            "is_admin_account": connection.is_admin_account,
            "low_balance_threshold": connection.low_balance_threshold,
        }
    form = None
    if is_owner or connection is not None:  # only the owner makes the first connection
        form = GatewayForm(
            request.POST or None,
            initial=initial,
            has_token=connection is not None,
            current_api_url=connection.effective_api_url if connection is not None else "",
            may_change_credentials=is_owner,
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            saved = gateway_connect(
                request=request,
                token=form.cleaned_data.get("token", ""),
                api_url=form.cleaned_data.get("api_url"),
                is_admin_account=form.cleaned_data["is_admin_account"],
                low_balance_threshold=form.cleaned_data["low_balance_threshold"],
            )
        except TokenRefused as exc:
            form.add_error("token", str(exc))
        except GatewayChangeRefused as exc:
            form.add_error(None, str(exc))
        else:
            if saved.token_checked:
                messages.success(
                    request,
                    _("Token checked and saved: the account has %(balance)s credits.")
                    % {"balance": floatformat(saved.connection.balance, "-2")},
                )
            else:  # the threshold may have changed: the balance is read again against it
                gateway_check_start(workspace=request.workspace)
                messages.success(request, _("Gateway settings saved. Checking the balance…"))
            return redirect("accounts_ws:gateway", slug=request.workspace.slug)
    context = {
        "form": form,
        "connection": connection,
        "is_owner": is_owner,
        "sandbox_offered": is_owner and sandbox_gateway.enabled(),
        "sandbox_credits": sandbox_gateway.SANDBOX_CREDITS,
        "sandbox_account_url": sandbox_gateway.account_page_url(connection),
    }
    return render(request, "accounts/gateway.html", context)


@workspace_view(Role.OWNER)
@require_POST
def gateway_sandbox(request: HttpRequest) -> HttpResponse:
    """Development only: a sandbox account with credits and a VMN, connected in one click."""
    if not sandbox_gateway.enabled():
        raise Http404("The sandbox is not available on this portal.")
    try:
        connection = sandbox_gateway.sandbox_connect(request=request)
    except GatewayChangeRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Connected to a new sandbox account with %(balance)s credits and a virtual "
                "number whose texts arrive in the inbox."
            )
            % {"balance": floatformat(connection.balance, "-2")},
        )
    return redirect("accounts_ws:gateway", slug=request.workspace.slug)


@workspace_view(Role.ADMIN)
@require_POST
def gateway_test(request: HttpRequest) -> HttpResponse:
    """Run CheckCredits in the worker; the status panel polls until it answers."""
    if _connection(request) is None:
        messages.error(request, _("Save a token first."))
        return redirect("accounts_ws:gateway", slug=request.workspace.slug)
    gateway_check_start(workspace=request.workspace)
    if request.htmx:  # the check's new state, written by gateway_check_start
        connection = GatewayConnection.objects.for_workspace(request.workspace).first()
        return render(request, "accounts/_gateway_status.html", {"connection": connection})
    return redirect("accounts_ws:gateway", slug=request.workspace.slug)


@workspace_view(Role.ADMIN)
def gateway_status(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/_gateway_status.html", {"connection": _connection(request)})


AUDIT_PAGE_SIZE = 50


def _day(value: str) -> date | None:
    """A day as typed in the page's language (02/12/2026) or as ISO (2026-12-02)."""
    for shape in get_format("DATE_INPUT_FORMATS"):
        try:
            return datetime.strptime(value.strip(), shape).date()
        except ValueError:
            continue
    return None


def _audit_events(request: HttpRequest):  # noqa: ANN202
    events = AuditEvent.objects.for_workspace(request.workspace)
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_email__icontains=actor)
    tz = timezone.get_current_timezone()
    for name, lookup, bound in [
        ("from", "created_at__gte", time.min),
        ("to", "created_at__lte", time.max),
    ]:
        day = _day(request.GET.get(name, ""))
        if day is None:
            continue
        events = events.filter(**{lookup: datetime.combine(day, bound, tzinfo=tz)})
    return events


@workspace_view(Role.ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = _audit_events(request)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    actions = (
        AuditEvent.objects.for_workspace(request.workspace)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    query = request.GET.copy()
    query.pop("page", None)
    choices = sorted(((a, action_sentence(a)) for a in actions), key=lambda choice: choice[1])
    context = {"page": page, "actions": choices, "filters": request.GET, "query": query.urlencode()}
    template = "accounts/audit_log.html#results" if request.htmx else "accounts/audit_log.html"
    return render(request, template, context)


@workspace_view(Role.ADMIN)
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    events = _audit_events(request).iterator(chunk_size=2000)
    rows = (
        (e.created_at.isoformat(), e.action, e.actor_email, e.ip_address, e.object_type,
         e.object_repr, e.detail)
        for e in events
    )  # fmt: skip
    header = ["time", "action", "actor", "ip_address", "object_type", "object", "detail"]
    return csv_response(
        f"audit-{request.workspace.slug}.csv", header, rows, request=request, what="audit log"
    )
