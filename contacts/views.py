"""Contacts pages: the address book, groups, CSV imports and the gateway's copy."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import workspace_view
from accounts.csv_export import csv_response
from accounts.roles import Role

from . import csvread, selectors
from .consent import Origin, consent_history
from .fields import field_labels
from .forms import BulkForm, ContactForm, GroupForm, MappingForm, UploadForm
from .models import (
    CUSTOM_FIELDS,
    AddressBook,
    Contact,
    ContactImport,
    GatewayJob,
    Group,
    ImportState,
    IssueResult,
    JobKind,
    SyncState,
)
from .phone import display_number
from .services import address_book as book
from .services import importing
from .services.suppression import suppression_of

# -- helpers ----------------------------------------------------------------------------------


def _contact(request: HttpRequest, contact_id: UUID) -> Contact:
    return get_object_or_404(Contact.objects.for_workspace(request.workspace), public_id=contact_id)


def _group(request: HttpRequest, group_id: UUID) -> Group:
    return get_object_or_404(Group.objects.for_workspace(request.workspace), public_id=group_id)


def _import(request: HttpRequest, import_id: UUID) -> ContactImport:
    return get_object_or_404(
        ContactImport.objects.for_workspace(request.workspace), public_id=import_id
    )


def _to(name: str, request: HttpRequest, **kwargs: object) -> HttpResponse:
    return redirect(f"contacts:{name}", slug=request.workspace.slug, **kwargs)


# -- contacts ---------------------------------------------------------------------------------


@workspace_view(Role.VIEWER)
def contact_list(request: HttpRequest) -> HttpResponse:
    contacts = selectors.contacts_filtered(request.workspace, request.GET)
    page = selectors.contacts_page(
        request.workspace,
        contacts.prefetch_related("groups"),
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    results_only = request.htmx and request.htmx.target == "contact-results"
    context = {
        "page": page,
        "total": None if results_only else contacts.count(),  # the heading is not in the results
        "groups": Group.objects.for_workspace(request.workspace),
        "statuses": selectors.STATUSES,
        "filters": request.GET,
        "query": query.urlencode(),
        "bulk_form": BulkForm(request.workspace),
        "can_edit": request.role.at_least(Role.SENDER),
        "book": AddressBook.objects.filter(workspace=request.workspace).first(),
    }
    template = "contacts/contact_list.html"
    return render(request, template + "#results" if results_only else template, context)


@workspace_view(Role.SENDER)
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.workspace, request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.workspace = request.workspace
        book.contact_save(
            contact=contact,
            groups=list(form.cleaned_data["groups"]),
            origin=Origin.of_request(request),
        )
        messages.success(
            request, _("%(contact)s added; it is being sent to the gateway.") % {"contact": contact}
        )
        return _to("detail", request, contact_id=contact.public_id)
    return render(request, "contacts/contact_form.html", {"form": form})


@workspace_view(Role.VIEWER)
def contact_detail(request: HttpRequest, contact_id: UUID) -> HttpResponse:
    contact = _contact(request, contact_id)
    history = getattr(contact, "messages", None)  # the messaging app's messages, when installed
    context = {
        "contact": contact,
        "display_number": display_number(contact.number),
        "groups": contact.groups.all(),
        "suppression": suppression_of(request.workspace, contact.number),
        "custom": [
            (label, getattr(contact, field))
            for field, label in field_labels(request.workspace).items()
        ],
        "consent": consent_history(request.workspace, contact.number),
        "history": (
            history.select_related("broadcast").annotate(clicks=Sum("links__clicks"))[:50]
            if history is not None
            else None
        ),
    }
    return render(request, "contacts/contact_detail.html", context)


@workspace_view(Role.SENDER)
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: UUID) -> HttpResponse:
    contact = _contact(request, contact_id)
    form = ContactForm(request.workspace, request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        book.contact_save(contact=form.save(commit=False), groups=list(form.cleaned_data["groups"]))
        messages.success(request, _("%(contact)s saved.") % {"contact": contact})
        return _to("detail", request, contact_id=contact.public_id)
    return render(request, "contacts/contact_form.html", {"form": form, "contact": contact})


def _export(request: HttpRequest, contacts: QuerySet[Contact]) -> HttpResponse:
    header = ["name", "number", "email", *CUSTOM_FIELDS, "groups", "opted_out_at", "sync_state"]
    rows = (
        (c.name, c.number, c.email, *(getattr(c, f) for f in CUSTOM_FIELDS),
         ";".join(g.name for g in c.groups.all()),
         c.opted_out_at.isoformat() if c.opted_out_at else "", c.sync_state)
        for c in contacts.order_by("pk").prefetch_related("groups").iterator(chunk_size=2000)
    )  # fmt: skip
    return csv_response(
        f"contacts-{request.workspace.slug}.csv", header, rows, request=request, what="contacts"
    )


@workspace_view(Role.SENDER)
def contacts_export(request: HttpRequest) -> HttpResponse:
    return _export(request, selectors.contacts_filtered(request.workspace, request.GET))


@workspace_view(Role.SENDER)
@require_POST
def contacts_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.workspace, request.POST)
    ids = [i for i in request.POST.getlist("ids") if selectors._uuid(i)]
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("__all__", ["Choose an action."])))
        return _to("list", request)
    contacts = Contact.objects.for_workspace(request.workspace).filter(public_id__in=ids)
    action, group = form.cleaned_data["action"], form.cleaned_data["group"]
    if action == "export":
        return _export(request, contacts)
    if not ids:
        messages.error(request, _("Select some contacts first."))
    elif action == "add_to_group":
        count = book.contacts_add_to_group(contacts=contacts, group=group)
        messages.success(
            request,
            ngettext(
                "%(count)s contact added to %(group)s.",
                "%(count)s contacts added to %(group)s.",
                count,
            )
            % {"count": count, "group": group},
        )
    elif action == "remove_from_group":
        count = book.contacts_remove_from_group(request=request, contacts=contacts, group=group)
        messages.success(
            request,
            ngettext(
                "%(count)s contact removed from %(group)s.",
                "%(count)s contacts removed from %(group)s.",
                count,
            )
            % {"count": count, "group": group},
        )
    elif action == "delete":
        count = book.contacts_delete(request=request, contacts=contacts)
        messages.success(
            request,
            ngettext(
                "%(count)s contact deleted. Resync the address book to remove it from the gateway.",
                "%(count)s contacts deleted. Resync the address book to remove them from the "
                "gateway.",
                count,
            )
            % {"count": count},
        )
    return _to("list", request)


# -- groups -----------------------------------------------------------------------------------


@workspace_view(Role.VIEWER, post_role=Role.SENDER)
@require_http_methods(["GET", "POST"])
def group_list(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = book.group_create(workspace=request.workspace, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(request, _("Group “%(group)s” created.") % {"group": group})
            return _to("groups", request)
    context = {
        "groups": selectors.groups_with_counts(request.workspace),
        "form": form,
        "can_edit": request.role.at_least(Role.SENDER),
    }
    return render(request, "contacts/group_list.html", context)


@workspace_view(Role.VIEWER, post_role=Role.SENDER)
@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, group_id: UUID) -> HttpResponse:
    group = _group(request, group_id)
    form = GroupForm(request.POST or None, initial={"name": group.name})
    if request.method == "POST" and form.is_valid():
        try:
            book.group_rename(request=request, group=group, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(request, _("Group renamed to “%(group)s”.") % {"group": group})
            return _to("group", request, group_id=group.public_id)
    context = {
        "group": group,
        "size": group.groupmembership_set.count(),
        "form": form,
        "can_edit": request.role.at_least(Role.SENDER),
        "jobs": GatewayJob.objects.for_workspace(request.workspace).filter(
            target=group.gateway_name
        )[:5],
    }
    return render(request, "contacts/group_detail.html", context)


@workspace_view(Role.SENDER)
@require_POST
def group_empty(request: HttpRequest, group_id: UUID) -> HttpResponse:
    group = _group(request, group_id)
    book.group_empty(request=request, group=group)
    messages.success(
        request, _("Group “%(group)s” emptied here; emptying it on the gateway…") % {"group": group}
    )
    return _to("sync", request)


@workspace_view(Role.SENDER)
@require_POST
def group_delete(request: HttpRequest, group_id: UUID) -> HttpResponse:
    group = _group(request, group_id)
    name = group.name
    book.group_delete(request=request, group=group)
    messages.success(
        request, _("Group “%(name)s” deleted here; deleting it on the gateway…") % {"name": name}
    )
    return _to("sync", request)


# -- imports ----------------------------------------------------------------------------------


class _SizeLimit(FileUploadHandler):
    """Stops reading an upload once it passes the limit, whatever Content-Length said."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit, self.seen, self.exceeded = limit, 0, False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: ANN001, ANN201, N803
        if content_length and content_length > self.limit + 64 * 1024:
            self.exceeded = True
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.seen += len(raw_data)
        if self.seen > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _limit_text() -> str:
    return f"{settings.CONTACT_IMPORT_MAX_BYTES // (1024 * 1024)} MB"


def _imports_page(
    request: HttpRequest, form: UploadForm, status: int = 200, error: str = ""
) -> HttpResponse:
    context = {
        "form": form,
        "upload_error": error,
        "imports": ContactImport.objects.for_workspace(request.workspace)[:20],
        "limit": _limit_text(),
        "can_edit": request.role.at_least(Role.SENDER),
    }
    return TemplateResponse(request, "contacts/import_list.html", context, status=status)


@csrf_exempt  # the token is checked below, once the size is known to be acceptable
@workspace_view(Role.VIEWER, post_role=Role.SENDER)
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _imports_page(request, UploadForm())
    limit = settings.CONTACT_IMPORT_MAX_BYTES
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > limit + 64 * 1024:  # refused before a byte of the body is read
        error = f"The file is too large: at most {_limit_text()}."
        response = _imports_page(request, UploadForm(), status=413, error=error)
        response["Connection"] = "close"
        return response
    handler = _SizeLimit(request, limit)
    request.upload_handlers.insert(0, handler)
    return _import_upload(request, handler)


@csrf_protect
def _import_upload(request: HttpRequest, handler: _SizeLimit) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if handler.exceeded:
        error = f"The file is too large: at most {_limit_text()}."
        return _imports_page(request, UploadForm(), status=413, error=error)
    if form.is_valid():
        try:
            job = importing.import_upload(
                workspace=request.workspace, user=request.user, uploaded=form.cleaned_data["file"]
            )
        except csvread.UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            return _to("import", request, import_id=job.public_id)
    return _imports_page(request, form, status=400)


@workspace_view(Role.VIEWER, post_role=Role.SENDER)
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, import_id: UUID) -> HttpResponse:
    job = _import(request, import_id)
    context: dict[str, object] = {"job": job, "can_edit": request.role.at_least(Role.SENDER)}
    if job.state == ImportState.UPLOADED:
        response = _import_mapping(request, job, context)
        if response is not None:
            return response
    else:
        issues = job.issues.select_related("duplicate_of")
        context["issues"] = issues[:ISSUES_SHOWN]
        context["issue_count"] = job.issues.count()
        context["failed_count"] = job.issues.filter(result=IssueResult.FAILED).count()
    template = "contacts/import_detail.html"
    if request.htmx and request.htmx.target in ("import-live", "import-preview"):
        template += "#live" if request.htmx.target == "import-live" else "#preview"
    return render(request, template, context)


ISSUES_SHOWN = 200


def _import_mapping(
    request: HttpRequest, job: ContactImport, context: dict[str, object]
) -> HttpResponse | None:
    """The preview with a choice above each column and each row's verdict; POST with `check`
    only checks the rows again with the choices made, POST without it starts the import."""
    try:
        records = importing.import_preview(job)
    except (csvread.UnreadableFile, OSError) as exc:
        records, context["preview_error"] = [], str(exc)
    columns = max((len(r.fields) for r in records), default=0)
    header = records[0].fields if records else []
    initial = {"has_header": job.has_header, "policy": job.policy}
    guesses = importing.guess_mapping(request.workspace, header, job.has_header)
    initial |= {f"col_{i}": t for i, t in enumerate(guesses)}
    form = MappingForm(columns, request.POST or None, initial=initial, workspace=request.workspace)
    checking = request.method == "POST" and "check" in request.POST
    if request.method == "POST" and form.is_valid() and not checking:
        try:
            importing.import_start(
                contact_import=job,
                mapping=form.mapping(),
                policy=form.cleaned_data["policy"],
                has_header=form.cleaned_data["has_header"],
                header=header,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _to("import", request, import_id=job.public_id)
    if request.method == "POST" and form.is_valid():
        choices = (form.mapping(), form.cleaned_data["has_header"], form.cleaned_data["policy"])
    else:
        choices = (guesses, job.has_header, job.policy)
    try:
        checks = importing.import_check(
            contact_import=job, records=records, mapping=choices[0], has_header=choices[1],
            policy=choices[2],
        )  # fmt: skip
    except ValidationError as exc:
        checks, context["check_error"] = [], exc.messages[0]
    context |= {
        "form": form,
        "checks": checks,
        "check_counts": _check_counts(checks),
        "column_fields": [form[f"col_{i}"] for i in range(columns)],
        "header_only": len(records) == 1 and job.size < csvread.SAMPLE_BYTES,
    }
    return None


def _check_counts(checks: list[importing.RowCheck]) -> dict[str, int]:
    results = [c.result for c in checks if c.result != "Header"]
    return {
        "rows": len(results),
        "failed": results.count(IssueResult.FAILED),
        "partial": results.count(IssueResult.PARTIAL),
        "duplicates": sum(1 for r in results if r.startswith("Duplicate")),
    }


@workspace_view(Role.SENDER)
@require_POST
def import_resume(request: HttpRequest, import_id: UUID) -> HttpResponse:
    job = _import(request, import_id)
    try:
        importing.import_resume(contact_import=job)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return _to("import", request, import_id=job.public_id)


@workspace_view(Role.VIEWER)
def import_issues_csv(request: HttpRequest, import_id: UUID) -> HttpResponse:
    """The failed rows as they were read, under the file's header, with the line and the reason
    last: fix them and upload the file again (the extra columns are ignored)."""
    job = _import(request, import_id)
    width = max(len(job.mapping), len(job.header), 1)
    header = job.header or [_TARGET_HEADERS.get(target, "") for target in job.mapping]
    header = [*header, *[""] * (width - len(header)), "line", "reason"]
    failed = job.issues.filter(result=IssueResult.FAILED).iterator(chunk_size=2000)
    rows = (
        [*issue.fields[:width], *[""] * (width - len(issue.fields)), issue.line, issue.reason]
        for issue in failed
    )
    return csv_response(
        f"import-{job.public_id}-to-fix.csv",
        header,
        rows,
        request=request,
        what="import rows to fix",
    )


# Headers for a file that had none: the words the mapping guesses from (importing.guess_mapping).
_TARGET_HEADERS = {"name": "name", "number": "number", "email": "email", "group": "group"} | {
    custom: custom for custom in CUSTOM_FIELDS
}


# -- the gateway's copy -----------------------------------------------------------------------


@workspace_view(Role.VIEWER)
def address_book(request: HttpRequest) -> HttpResponse:
    contacts = Contact.objects.for_workspace(request.workspace)
    jobs = GatewayJob.objects.for_workspace(request.workspace)[:20]
    context = {
        "book": AddressBook.objects.filter(workspace=request.workspace).first(),
        "jobs": jobs,
        "jobs_in_flight": any(j.in_flight for j in jobs),
        "waiting": contacts.filter(sync_state=SyncState.UNSYNCED).count(),
        "refused": contacts.filter(sync_state=SyncState.FAILED).count(),
        "total": contacts.count(),
        "group_count": Group.objects.for_workspace(request.workspace).count(),
        "is_admin": request.role.at_least(Role.ADMIN),
        "can_edit": request.role.at_least(Role.SENDER),
    }
    template = "contacts/address_book.html"
    if request.htmx and request.htmx.target == "sync-live":
        template += "#live"
    return render(request, template, context)


def _book_action(kind: JobKind, done: str | Promise):  # noqa: ANN202
    @workspace_view(Role.ADMIN)
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        book.address_book_action(request=request, kind=kind)
        messages.success(request, done)
        return _to("sync", request)

    return view


address_book_resync = _book_action(
    JobKind.RESYNC, gettext_lazy("Rebuilding the gateway's address book…")
)
address_book_delete_contacts = _book_action(
    JobKind.DELETE_ALL_CONTACTS, gettext_lazy("Deleting every contact here and on the gateway…")
)
address_book_delete_groups = _book_action(
    JobKind.DELETE_ALL_GROUPS, gettext_lazy("Deleting every group here and on the gateway…")
)


@workspace_view(Role.SENDER)
@require_POST
def address_book_retry(request: HttpRequest) -> HttpResponse:
    count = book.contacts_retry(workspace=request.workspace)
    messages.success(
        request, f"Pushing waiting contacts to the gateway ({count} refused ones again)."
    )
    return _to("sync", request)
