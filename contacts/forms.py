"""Forms of the contacts app; each takes the workspace first and scopes its choices to it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import PrivacySettings, Workspace

from .fields import clean_names, field_labels
from .models import CUSTOM_FIELDS, Contact, CustomFieldNames, DuplicatePolicy, Group
from .phone import InvalidNumber, normalise_number
from .services.address_book import contact_number_taken
from .services.importing import TARGETS

TARGET_LABELS = {"name": "Name", "number": "Number", "email": "Email", "group": "Group"} | {
    f: f"Custom field {i} (MM{i})" for i, f in enumerate(CUSTOM_FIELDS, start=1)
}


class ContactForm(forms.ModelForm):
    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="public_id",
    )

    class Meta:
        model = Contact
        fields = ["name", "number", "email", *CUSTOM_FIELDS]

    def __init__(self, workspace: Workspace, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["name"].help_text = _("Leave it empty to show the contact as its number.")
        self.fields["groups"].queryset = Group.objects.for_workspace(workspace)
        self.fields["number"].help_text = (
            f"Any common format; numbers without a country code are read as "
            f"{workspace.default_country or 'GB'} numbers."
        )
        if self.instance.pk:
            self.fields["groups"].initial = list(self.instance.groups.all())
        for custom, label in field_labels(workspace).items():
            self.fields[custom].label = label

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_number(self) -> str:
        try:
            number = normalise_number(
                self.cleaned_data["number"], self.workspace.default_country or "GB"
            )
        except InvalidNumber as exc:
            raise forms.ValidationError(str(exc)) from None
        taken = contact_number_taken(workspace=self.workspace, number=number, exclude=self.instance)
        if taken is not None:
            raise forms.ValidationError(
                _("%(number)s is already in your contacts (%(taken)s).")
                % {"number": number, "taken": taken}
            )
        return number


class GroupForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Group name"))

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


class MappingForm(forms.Form):
    """One target per column, the header switch and the duplicate policy."""

    has_header = forms.BooleanField(required=False, label=_("The first row is a header"))
    policy = forms.ChoiceField(
        choices=DuplicatePolicy.choices, widget=forms.RadioSelect, label=_("Duplicates")
    )

    def __init__(
        self, columns: int, *args: Any, workspace: Workspace | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = TARGET_LABELS | (field_labels(workspace) if workspace is not None else {})
        choices = [("", "Ignore")] + [(t, labels[t]) for t in TARGETS]
        for index in range(columns):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                choices=choices, required=False, label=f"Column {index + 1}"
            )
        self.columns = columns

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"col_{i}", "") for i in range(self.columns)]


class BulkForm(forms.Form):
    ACTIONS = [
        ("add_to_group", "Add to group"),
        ("remove_from_group", "Remove from group"),
        ("export", "Export"),
        ("delete", "Delete"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(), required=False, to_field_name="public_id"
    )
    ids = forms.UUIDField(required=False)  # repeated; read with getlist

    def __init__(self, workspace: Workspace, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.for_workspace(workspace)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") in ("add_to_group", "remove_from_group") and not data.get("group"):
            raise forms.ValidationError(_("Choose a group."))
        return data


class CustomFieldNamesForm(forms.ModelForm):
    """What the workspace calls its five custom fields (each name is also a merge field)."""

    class Meta:
        model = CustomFieldNames
        fields = ["label1", "label2", "label3", "label4", "label5"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, name in enumerate(self.Meta.fields, start=1):
            self.fields[name].label = f"{index} (MM{index})"

    def clean(self) -> dict:
        cleaned = super().clean()
        names = clean_names([cleaned.get(name, "") for name in self.Meta.fields])
        return dict(zip(self.Meta.fields, names, strict=True))


class PersonForm(forms.Form):
    """A person by number, for subject access and erasure of someone who may not be a contact."""

    number = forms.CharField(label=_("Mobile number"), max_length=30)

    def __init__(self, workspace: Workspace, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_number(self) -> str:
        try:
            return normalise_number(
                self.cleaned_data["number"], self.workspace.default_country or "GB"
            )
        except InvalidNumber as exc:
            raise forms.ValidationError(str(exc)) from None


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


class RetentionForm(forms.ModelForm):
    class Meta:
        model = PrivacySettings
        fields = ["keep_months"]
        help_texts = {
            "keep_months": _(
                "Message texts and numbers, inbox texts, report snapshots and import files older "
                "than this are removed every hour; counts and figures stay."
            )
        }

    def clean_keep_months(self) -> int:
        months = self.cleaned_data["keep_months"]
        if months < 1:
            raise forms.ValidationError(_("Keep messages for at least one month."))
        cap = self.instance.max_keep_months
        if cap and months > cap:
            raise forms.ValidationError(
                _("Your provider keeps messages for at most %(months)s months.") % {"months": cap}
            )
        return months
