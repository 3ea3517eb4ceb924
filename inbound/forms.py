"""Forms of the inbox: VMNs, opt-out words, auto-reply rules, replies. Workspace first."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import IdempotentForm
from accounts.models import Workspace
from contacts.models import Group
from contacts.phone import InvalidNumber, normalise_number
from textconnect.limits import MAX_BODY_CHARS

from .models import AutoReplyRule, InboxSettings, VirtualNumber
from .services.process import keyword_set


class VirtualNumberForm(forms.ModelForm):
    class Meta:
        model = VirtualNumber
        fields = ["number", "label", "method"]
        help_texts = {"method": "Choose the same on the gateway; both are accepted."}

    def __init__(self, workspace: Workspace, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_number(self) -> str:
        try:
            number = normalise_number(self.cleaned_data["number"], self.workspace.default_country)
        except InvalidNumber as exc:
            raise forms.ValidationError(str(exc)) from None
        others = VirtualNumber.objects.for_workspace(self.workspace).filter(number=number)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("This workspace has this VMN already."))
        return number


class InboxSettingsForm(forms.ModelForm):
    class Meta:
        model = InboxSettings
        fields = [
            "opt_out_words",
            "opt_in_words",
            "opt_out_reply",
            "opt_in_reply",
            "notify_members",
        ]
        labels = {"opt_out_words": "Opt-out words", "opt_in_words": "Opt-in words"}
        widgets = {
            "opt_out_reply": forms.Textarea(attrs={"rows": 2, "data-sms-counter": ""}),
            "opt_in_reply": forms.Textarea(attrs={"rows": 2, "data-sms-counter": ""}),
        }

    def clean(self) -> dict:
        data = super().clean()
        # Read as the processing reads them, so the form checks what will actually apply.
        out = keyword_set(data.get("opt_out_words", ""))
        back = keyword_set(data.get("opt_in_words", ""))
        if not out:
            self.add_error("opt_out_words", _("Keep at least one opt-out word."))
        if out & back:
            self.add_error("opt_in_words", f"Also an opt-out word: {', '.join(sorted(out & back))}")
        return data


class AutoReplyRuleForm(forms.ModelForm):
    class Meta:
        model = AutoReplyRule
        fields = ["keyword", "reply", "add_to_group", "is_active"]
        widgets = {"reply": forms.Textarea(attrs={"rows": 2, "data-sms-counter": ""})}
        labels = {"add_to_group": "Add the sender to group", "is_active": "Active"}

    def __init__(self, workspace: Workspace, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["add_to_group"].queryset = Group.objects.for_workspace(workspace)
        self.fields["add_to_group"].required = False
        self.fields["add_to_group"].empty_label = gettext_lazy("No group")

    def clean_keyword(self) -> str:
        keyword = self.cleaned_data["keyword"].strip().upper()
        if keyword and not keyword.isalnum():
            raise forms.ValidationError(
                _("One word of letters and digits, or blank for any message.")
            )
        return keyword


class ReplyForm(IdempotentForm):
    body = forms.CharField(
        label=gettext_lazy("Reply"),
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "Write a reply…", "data-sms-counter": ""}
        ),
    )
