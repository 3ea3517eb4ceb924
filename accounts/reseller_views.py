"""The reseller console: child accounts, credit transfers and the ledger."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .access import workspace_view
from .csv_export import csv_response
from .forms import ChildCreateForm, ChildReviewForm, ReviewForm, TransferForm
from .models import ChildAccount, LedgerEntry
from .models.reseller import EntryState, ReviewOutcome
from .roles import Role
from .services import reseller as services


def reseller_view(view):  # noqa: ANN001, ANN201
    """Owners and admins of a workspace whose gateway account is an admin account."""

    @workspace_view(Role.ADMIN)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.workspace.is_reseller:
            raise Http404("This workspace's gateway account is not an admin account.")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _child(request: HttpRequest, child_id: UUID) -> ChildAccount:
    return get_object_or_404(
        ChildAccount.objects.for_workspace(request.workspace), public_id=child_id
    )


def _entry(request: HttpRequest, entry_id: UUID) -> LedgerEntry:
    return get_object_or_404(
        LedgerEntry.objects.for_workspace(request.workspace).select_related("child"),
        public_id=entry_id,
    )


@reseller_view
def console(request: HttpRequest) -> HttpResponse:
    children = services.children_with_totals(request.workspace)
    review = LedgerEntry.objects.for_workspace(request.workspace).filter(
        state=EntryState.UNKNOWN, review_outcome=""
    )
    return render(
        request,
        "accounts/reseller/console.html",
        {"children": children, "needs_review": review.select_related("child")[:20]},
    )


@reseller_view
@require_http_methods(["GET", "POST"])
def child_new(request: HttpRequest) -> HttpResponse:
    form = ChildCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "idempotency_key"}
        data["telephone"] = data.get("telephone") or ""
        data["starting_credits"] = data.get("starting_credits") or 0
        try:
            child = services.child_create_start(
                request=request,
                data=services.ChildRequest(**data),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            form.add_error("username", exc)
        else:
            messages.info(
                request, _("Creating %(username)s on the gateway…") % {"username": child.username}
            )
            return redirect(
                "accounts_reseller:child", slug=request.workspace.slug, child_id=child.public_id
            )
    return render(request, "accounts/reseller/child_new.html", {"form": form})


def _child_context(
    request: HttpRequest, child_id: UUID, transfer_form: TransferForm | None = None
) -> dict:
    child = get_object_or_404(services.children_with_totals(request.workspace), public_id=child_id)
    in_flight = [EntryState.PENDING, EntryState.SUBMITTING]
    holding = services.child_holding(child)
    form = transfer_form or TransferForm()
    form.fields["quantity"].help_text = _(
        "The child holds %(held)s credits as far as the portal knows."
    ) % {"held": floatformat(holding.known, "-2")}
    announced = None
    if (entry_id := request.GET.get("entry")) and _is_uuid(entry_id):
        announced = child.ledger.filter(public_id=entry_id).select_related("child").first()
    outcome = services.transfer_outcome(announced) if announced else None
    return {
        "child": child,
        "entries": child.ledger.all()[:50],
        "entries_in_flight": child.ledger.filter(state__in=in_flight).exists(),
        "transfer_form": form,
        "review_form": ChildReviewForm(),
        "announced": announced,
        "outcome": outcome,
    }


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@reseller_view
def child_detail(request: HttpRequest, child_id: UUID) -> HttpResponse:
    template = "accounts/reseller/child_detail.html"
    if request.htmx:
        template += "#live"
    return render(request, template, _child_context(request, child_id))


@reseller_view
@require_POST
def child_transfer(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """Queue a transfer and show the child's page, which follows it to its outcome; a transfer
    refused before any call (a bad quantity, more than the child holds) shows on the form."""
    child = _child(request, child_id)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            entry = services.credits_transfer_start(
                request=request,
                child=child,
                quantity=form.signed_quantity(),
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except services.TransferRefused as exc:
            form.add_error("quantity", exc)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            page = reverse(
                "accounts_reseller:child",
                kwargs={"slug": request.workspace.slug, "child_id": child.public_id},
            )
            return redirect(f"{page}?entry={entry.public_id}")
    context = _child_context(request, child_id, transfer_form=form)
    return render(request, "accounts/reseller/child_detail.html", context)


@reseller_view
@require_POST
def child_review(request: HttpRequest, child_id: UUID) -> HttpResponse:
    child = _child(request, child_id)
    form = ChildReviewForm(request.POST)
    if form.is_valid():
        try:
            services.child_review(request=request, child=child, exists=form.cleaned_data["exists"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    return redirect(
        "accounts_reseller:child", slug=request.workspace.slug, child_id=child.public_id
    )


@reseller_view
@require_POST
def child_workspace(request: HttpRequest, child_id: UUID) -> HttpResponse:
    child = _child(request, child_id)
    try:
        workspace = services.child_workspace_create(request=request, child=child)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _(
                "Workspace “%(workspace)s” created; %(email)s is invited as its owner and "
                "pastes the child's token there."
            )
            % {"workspace": workspace.name, "email": child.email},
        )
    return redirect(
        "accounts_reseller:child", slug=request.workspace.slug, child_id=child.public_id
    )


LEDGER_PAGE_SIZE = 50


def _ledger(request: HttpRequest) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.for_workspace(request.workspace).select_related("child")
    if child := request.GET.get("child", "").strip():
        entries = entries.filter(child__username=child)
    if state := request.GET.get("state", "").strip():
        entries = entries.filter(state=state)
    return entries


@reseller_view
def ledger(request: HttpRequest) -> HttpResponse:
    page = Paginator(_ledger(request), LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "children": ChildAccount.objects.for_workspace(request.workspace).values_list(
            "username", flat=True
        ),
        "states": EntryState.choices,
        "filters": request.GET,
        "query": query.urlencode(),
    }
    template = (
        "accounts/reseller/ledger.html#results" if request.htmx else "accounts/reseller/ledger.html"
    )
    return render(request, template, context)


@reseller_view
def ledger_csv(request: HttpRequest) -> HttpResponse:
    rows = (
        (e.created_at.isoformat(), e.child.username, e.get_kind_display(), e.quantity, e.reason,
         e.get_state_display(), e.error_code, e.error_text, e.balance_before, e.balance_after,
         e.actor_email, e.review_outcome, e.review_note)
        for e in _ledger(request).iterator(chunk_size=2000)
    )  # fmt: skip
    header = ["time", "child", "kind", "quantity", "reason", "state", "error_code", "error_text",
              "balance_before", "balance_after", "actor", "review", "review_note"]  # fmt: skip
    return csv_response(
        f"ledger-{request.workspace.slug}.csv", header, rows, request=request, what="credit ledger"
    )


@reseller_view
@require_http_methods(["GET", "POST"])
def ledger_entry(request: HttpRequest, entry_id: UUID) -> HttpResponse:
    entry = _entry(request, entry_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ledger_entry_review(
                request=request,
                entry=entry,
                outcome=ReviewOutcome(form.cleaned_data["outcome"]),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Review recorded."))
        return redirect(
            "accounts_reseller:entry", slug=request.workspace.slug, entry_id=entry.public_id
        )
    return render(request, "accounts/reseller/entry.html", {"entry": entry, "form": form})
