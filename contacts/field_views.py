"""Contacts → Fields (admins): what the workspace calls its five custom fields."""

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import workspace_view
from accounts.audit import audit_record
from accounts.roles import Role

from .fields import merge_tags
from .forms import CustomFieldNamesForm
from .models import CustomFieldNames


@workspace_view(Role.VIEWER, post_role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def custom_fields(request: HttpRequest) -> HttpResponse:
    names, _created = CustomFieldNames.objects.get_or_create(workspace=request.workspace)
    form = CustomFieldNamesForm(request.POST or None, instance=names)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        labels = [saved.label1, saved.label2, saved.label3, saved.label4, saved.label5]
        audit_record("contact_fields_renamed", request=request, obj=request.workspace,
                     names=labels)  # fmt: skip
        flash.success(request, _("Saved: the new names show everywhere and work as merge fields."))
        return redirect("contacts:fields", slug=request.workspace.slug)
    tags = [tag for tag, field in merge_tags(request.workspace).items() if tag != field]
    return render(request, "contacts/custom_fields.html", {"form": form, "tags": tags})
