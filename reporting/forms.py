"""Forms of the report pages; each takes the workspace first and scopes its choices."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User, Workspace
from accounts.widgets import LocalDateInput

from .models import Frequency, ReportType
from .ranges import PRESETS, RangeError, ReportRange, preset_range


class ReportRequestForm(forms.Form):
    report_type = forms.ChoiceField(label=gettext_lazy("Report"), choices=ReportType.choices)
    preset = forms.ChoiceField(
        label=gettext_lazy("Range"), choices=list(PRESETS.items()), initial="today"
    )
    first = forms.DateField(required=False, label=gettext_lazy("From"), widget=LocalDateInput())
    last = forms.DateField(required=False, label=gettext_lazy("To"), widget=LocalDateInput())

    def __init__(self, workspace: Workspace, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.range: ReportRange | None = None

    def clean(self) -> dict:
        data = super().clean()
        preset = data.get("preset")
        if not preset:
            return data
        try:
            self.range = preset_range(
                preset,
                tz=self.workspace.time_zone,
                now=timezone.now(),
                first=data.get("first"),
                last=data.get("last"),
            )
        except RangeError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data


class ScheduleForm(forms.Form):
    report_type = forms.ChoiceField(label=gettext_lazy("Report"), choices=ReportType.choices)
    frequency = forms.ChoiceField(choices=Frequency.choices)
    recipients = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, workspace: Workspace, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["report_type"].choices = [
            c for c in ReportType.choices if c[0] != ReportType.OUTBOX
        ]
        self.fields["recipients"].queryset = User.objects.filter(
            memberships__workspace=workspace
        ).order_by("email")
        self.fields["recipients"].label_from_instance = lambda user: user.email
