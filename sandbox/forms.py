"""Forms of the sandbox pages."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .faults import fault_problems
from .models import Faults, SandboxAccount, VirtualNumber
from .rules import normalize_number


class AccountForm(forms.Form):
    username = forms.CharField(max_length=100)
    credits = forms.DecimalField(
        min_value=Decimal(0), max_digits=14, decimal_places=2, initial=1000
    )
    admin = forms.BooleanField(required=False, label=_("Admin (may create child users)"))
    vmn = forms.CharField(max_length=20, required=False, label=_("Virtual number (VMN)"))
    forward_url = forms.URLField(required=False, label=_("Forwarding URL"))
    forward_method = forms.ChoiceField(choices=[("POST", "POST"), ("GET", "GET")], initial="POST")
    forward_auth = forms.CharField(max_length=200, required=False, label=_("Auth value"))

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if SandboxAccount.objects.filter(username=username).exists():
            raise forms.ValidationError(_("That username is taken."))
        return username

    def clean_vmn(self) -> str:
        vmn = self.cleaned_data["vmn"].strip()
        if vmn and VirtualNumber.objects.filter(number=vmn).exists():
            raise forms.ValidationError(_("That VMN belongs to another account."))
        return vmn


class TextInForm(forms.Form):
    vmn = forms.ChoiceField(label=_("To (VMN)"))
    sender = forms.CharField(max_length=20, label=_("From (handset)"), initial="447700900100")
    text = forms.CharField(max_length=918, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: object, account: SandboxAccount, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["vmn"].choices = [(v.number, v.number) for v in account.vmns.all()]


class FaultsForm(forms.ModelForm):
    class Meta:
        model = Faults
        fields = [
            "latency_before",
            "latency_after",
            "http_500_rate",
            "drop_before_rate",
            "drop_after_rate",
            "db_error_rate",
            "maintenance",
            "calls_remaining",
        ]
        labels = {
            "latency_before": "Latency before processing (s)",
            "latency_after": "Latency after processing (s)",
            "http_500_rate": "Share answered HTTP 500 (0-1)",
            "drop_before_rate": "Share dropped before processing (0-1)",
            "drop_after_rate": "Share dropped after processing (0-1)",
            "db_error_rate": "Share answered -300 (0-1)",
            "maintenance": "Maintenance mode (-511)",
            "calls_remaining": "Only for the next N calls (blank: until cleared)",
        }

    def clean(self) -> dict:
        data = super().clean() or {}
        for name, problem in fault_problems(data).items():  # the same checks as set_faults
            self.add_error(name, problem)
        return data

    def settings(self) -> dict[str, Any]:
        """The cleaned values as `set_faults` takes them."""
        data = dict(self.cleaned_data)
        data["calls"] = data.pop("calls_remaining")
        return data


class VmnForm(forms.Form):
    """A VMN for the account: where its texts are forwarded, how, and with which auth value."""

    number = forms.CharField(max_length=20, label=_("VMN"), help_text=_("e.g. 447700900123"))
    forward_url = forms.URLField(max_length=500, required=False, label=_("Forwarding URL"))
    forward_method = forms.ChoiceField(choices=[("POST", "POST"), ("GET", "GET")], initial="POST")
    forward_auth = forms.CharField(max_length=200, required=False, label=_("Auth value"))

    def clean_number(self) -> str:
        number = normalize_number(self.cleaned_data["number"])
        if number is None:
            raise forms.ValidationError(_("A handset number: 10 to 15 digits, e.g. 447700900123."))
        if VirtualNumber.objects.filter(number=number).exists():
            raise forms.ValidationError(_("That VMN belongs to an account already."))
        return number
