"""The contacts' custom fields as the workspace names them, and the merge fields they give.

A workspace may call field1 "Company": the contact form, the contact page and the import's column
choices say "Company", and `{company}` works in a message as well as `{field1}`.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Workspace
from accounts.tenancy import workspace_row

from .models import CUSTOM_FIELDS, CustomFieldNames

BUILT_IN_TAGS = {"name": "name", "first_name": "first_name"} | {f: f for f in CUSTOM_FIELDS}


def default_label(field: str) -> str:
    return _("Custom field %(n)s") % {"n": CUSTOM_FIELDS.index(field) + 1}


def _names(workspace: Workspace) -> list[str]:
    row = workspace_row(
        workspace,
        "custom_field_names",
        lambda: CustomFieldNames.objects.filter(workspace=workspace).first(),
    )
    return [getattr(row, f"label{i}") if row else "" for i in range(1, 6)]


def field_labels(workspace: Workspace) -> dict[str, str]:
    """field1..field5 -> what the workspace calls them ("Custom field 1" when unnamed)."""
    return {
        field: name or default_label(field)
        for field, name in zip(CUSTOM_FIELDS, _names(workspace), strict=True)
    }


def tag_for(label: str) -> str:
    """ "Appointment date" -> "appointment_date" (the merge field's name)."""
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")


def merge_tags(workspace: Workspace) -> dict[str, str]:
    """Every merge field the workspace can use -> the contact's attribute it reads."""
    tags = dict(BUILT_IN_TAGS)
    for field, name in zip(CUSTOM_FIELDS, _names(workspace), strict=True):
        if name and (tag := tag_for(name)):
            tags[tag] = field
    return tags


def clean_names(names: list[str]) -> list[str]:
    """Refuse names that would give the same merge field twice, or hide a built-in one."""
    cleaned = [" ".join(n.split()) for n in names]
    seen: dict[str, str] = {}
    for name in cleaned:
        if not name:
            continue
        tag = tag_for(name)
        if not tag or not tag[0].isalpha():
            raise ValidationError(_("“%(name)s”: start the name with a letter.") % {"name": name})
        if tag in BUILT_IN_TAGS:
            raise ValidationError(
                _("“%(name)s” would be the merge field {%(tag)s}, which exists already.")
                % {"name": name, "tag": tag}
            )
        if tag in seen:
            raise ValidationError(
                _("“%(a)s” and “%(b)s” would both be {%(tag)s}.")
                % {"a": seen[tag], "b": name, "tag": tag}
            )
        seen[tag] = name
    return cleaned
