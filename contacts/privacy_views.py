"""Data protection pages: a person's data (download, erase) and the workspace's retention."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import workspace_view
from accounts.audit import audit_record
from accounts.csv_export import export_audit
from accounts.models import ErasedNumber
from accounts.roles import Role

from . import privacy
from .forms import EraseForm, PersonForm, RetentionForm
from .models import Contact
from .phone import display_number


def _zip(request: HttpRequest, number: str) -> HttpResponse:
    data, rows = privacy.subject_access_zip(request.workspace, number)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"subject-access-{number.lstrip('+')}-{stamp}.zip"
    export_audit(request, "subject access", filename, rows, number=number)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _confirm(request: HttpRequest, number: str, form: EraseForm, contact: Contact | None):  # noqa: ANN202
    context = {
        "number": number,
        "display_number": display_number(number),
        "contact": contact,
        "preview": privacy.labelled(privacy.erasure_preview(request.workspace, number)),
        "form": form,
    }
    return render(request, "contacts/erase_confirm.html", context)


def _erase(request: HttpRequest, number: str) -> ErasedNumber:
    erased = privacy.erase_person(request.workspace, number, user=request.user)
    audit_record(
        "person_erased",
        request=request,
        obj=erased,
        rows=sum(erased.counts.values()),
        kept_opted_out=erased.opted_out,
    )
    messages.success(
        request,
        _("Everything about that number is erased.")
        + (" " + _("It stays opted out.") if erased.opted_out else ""),
    )
    return erased


@workspace_view(Role.ADMIN)
def contact_data(request: HttpRequest, contact_id: UUID) -> HttpResponse:
    """The subject-access file for a contact's number."""
    contact = get_object_or_404(
        Contact.objects.for_workspace(request.workspace), public_id=contact_id
    )
    return _zip(request, contact.number)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def contact_erase(request: HttpRequest, contact_id: UUID) -> HttpResponse:
    contact = get_object_or_404(
        Contact.objects.for_workspace(request.workspace), public_id=contact_id
    )
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _erase(request, contact.number)
        return redirect("contacts:list", slug=request.workspace.slug)
    return _confirm(request, contact.number, form, contact)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def privacy_home(request: HttpRequest) -> HttpResponse:
    """Retention settings, and a person by number (contact or not): what is held, download,
    erase. Numbers travel in POST bodies only, never in URLs (and so never in access logs)."""
    prefs = privacy.privacy_settings(request.workspace)
    retention = RetentionForm(
        request.POST if request.POST.get("action") == "retention" else None, instance=prefs
    )
    person = PersonForm(
        request.workspace, request.POST if request.POST.get("action") == "find" else None
    )
    found = None
    if request.method == "POST" and request.POST.get("action") == "retention":
        if retention.is_valid():
            retention.save()
            audit_record("retention_changed", request=request, obj=prefs, months=prefs.keep_months)
            messages.success(request, _("Retention saved."))
            return redirect("contacts:privacy", slug=request.workspace.slug)
    elif request.method == "POST" and person.is_valid():
        number = person.cleaned_data["number"]
        found = {
            "number": number,
            "display_number": display_number(number),
            "preview": privacy.labelled(privacy.erasure_preview(request.workspace, number)),
            "erased": privacy.is_erased(request.workspace, number),
        }
    context = {
        "prefs": prefs,
        "cutoff": privacy.retention_cutoff(prefs),
        "retention": retention,
        "person": person,
        "found": found,
        "last_purge": privacy.labelled(
            {k: v for k, v in prefs.last_purge_counts.items() if k != "cutoff"}
        ),
        "erased_count": ErasedNumber.objects.for_workspace(request.workspace).count(),
    }
    return render(request, "contacts/privacy.html", context)


def _posted_number(request: HttpRequest) -> str | None:
    """The number a Privacy page form posted, normalised; None (with a message) if it is not one."""
    person = PersonForm(request.workspace, request.POST)
    if person.is_valid():
        return person.cleaned_data["number"]
    messages.error(request, _("That is not a mobile number."))
    return None


@workspace_view(Role.ADMIN)
@require_POST
def person_data(request: HttpRequest) -> HttpResponse:
    if (number := _posted_number(request)) is None:
        return redirect("contacts:privacy", slug=request.workspace.slug)
    return _zip(request, number)


@workspace_view(Role.ADMIN)
@require_POST
def person_erase(request: HttpRequest) -> HttpResponse:
    if (number := _posted_number(request)) is None:
        return redirect("contacts:privacy", slug=request.workspace.slug)
    form = EraseForm(request.POST if "confirm_step" in request.POST else None)
    if form.is_valid():
        _erase(request, number)
        return redirect("contacts:privacy", slug=request.workspace.slug)
    contact = Contact.objects.for_workspace(request.workspace).filter(number=number).first()
    return _confirm(request, number, form, contact)
