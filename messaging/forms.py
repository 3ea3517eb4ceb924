import uuid
import zoneinfo
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import IdempotentForm
from accounts.models import Workspace
from accounts.widgets import LocalDateInput, LocalDateTimeInput, LocalTimeInput
from contacts.fields import merge_tags
from contacts.models import Contact, Group
from textconnect.limits import MAX_BODY_CHARS

from .models import (
    ApprovalPolicy,
    Broadcast,
    LinkSettings,
    MarketingSettings,
    MessageTemplate,
    QuietHours,
    SenderID,
)
from .services import links, marketing
from .services.compose import (
    Draft,
    clean_body,
    clean_schedule,
    clean_sent_length,
    clean_source,
    clean_validity,
    parse_numbers,
)
from .services.quiet import clean_window
from .services.recurring import Repeat, clean_repeat, occurrences

VALIDITY_CHOICES = [
    (h * 3600, lazy(lambda h=h: ngettext("%(n)s hour", "%(n)s hours", h) % {"n": h}, str)())
    for h in (1, 2, 4, 8, 12, 24)
]
SHOWN_BAD_LINES = 10


class MessageFieldsMixin:
    """The checks a message's sender ID, body, schedule and validity get, wherever they are set."""

    workspace: Workspace
    cleaned_data: dict

    def approved_sender_ids(self) -> list[str]:
        if not hasattr(self, "_approved"):
            self._approved = list(
                SenderID.objects.for_workspace(self.workspace).values_list("value", flat=True)
            )
        return self._approved

    def clean_source(self) -> str:
        source = clean_source(self.cleaned_data["source"])
        approved = self.approved_sender_ids()
        # The workspace's own virtual mobile numbers may always send: replies reach its inbox.
        if approved and source not in approved + marketing.reply_numbers(self.workspace):
            raise ValidationError(
                "Use one of the workspace's approved sender IDs: " + ", ".join(approved) + "."
            )
        return source

    def clean_body(self) -> str:
        return clean_body(self.cleaned_data["body"])

    def clean_validity_seconds(self) -> int:
        return clean_validity(self.cleaned_data["validity_seconds"])

    def clean_schedule_at(self) -> datetime | None:
        value = self.cleaned_data["schedule_at"]
        if value is not None:
            # The time typed is the workspace's wall time.
            naive = value.replace(tzinfo=None)
            value = naive.replace(tzinfo=zoneinfo.ZoneInfo(self.workspace.time_zone))
        return clean_schedule(value)


WEEKDAY_CHOICES = [
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
    (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday")),
]  # fmt: skip
REPEAT_CHOICES = [
    ("", _("Does not repeat")),
    ("daily", _("Every day")),
    ("weekdays", _("Every weekday (Monday to Friday)")),
    ("weekly", _("Every week on…")),
    ("monthly_day", _("Every month on a day…")),
    ("monthly_weekday", _("Every month on a weekday… (e.g. the last Friday)")),
]
ORDINAL_CHOICES = [(1, _("first")), (2, _("second")), (3, _("third")), (4, _("fourth")),
                   (-1, _("last"))]  # fmt: skip
END_CHOICES = [
    ("never", _("Never")),
    ("on", _("On a date")),
    ("after", _("After a number of times")),
]


class RepeatFieldsMixin(forms.Form):
    """ "Repeat" in the composer: the choices become an RFC 5545 rule (services/recurring.py)."""

    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, required=False, label=_("Repeat"))
    repeat_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_CHOICES, coerce=int, required=False, label=_("On"),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    repeat_month_day = forms.IntegerField(
        required=False, min_value=1, max_value=31, label=_("Day of the month")
    )
    repeat_ordinal = forms.TypedChoiceField(
        choices=ORDINAL_CHOICES, coerce=int, required=False, empty_value=None, label=_("Which")
    )
    repeat_weekday = forms.TypedChoiceField(
        choices=WEEKDAY_CHOICES, coerce=int, required=False, empty_value=None, label=_("Weekday")
    )
    repeat_end = forms.ChoiceField(choices=END_CHOICES, required=False, initial="never",
                                   label=_("Ends"))  # fmt: skip
    repeat_until = forms.DateField(required=False, label=_("Last date"), widget=LocalDateInput())
    repeat_count = forms.IntegerField(required=False, min_value=1, max_value=1000,
                                      label=_("Number of times"))  # fmt: skip

    workspace: Workspace

    def repetition(self) -> Repeat | None:
        data = self.cleaned_data
        if not data.get("repeat"):
            return None
        end = data.get("repeat_end") or "never"
        return Repeat(
            frequency=data["repeat"],
            days=tuple(data.get("repeat_days") or ()),
            month_day=data.get("repeat_month_day"),
            ordinal=data.get("repeat_ordinal"),
            weekday=data.get("repeat_weekday"),
            until=data.get("repeat_until") if end == "on" else None,
            count=data.get("repeat_count") if end == "after" else None,
        )

    def clean_repetition(self, starts: datetime | None) -> None:
        """Refuse a repetition that cannot be used, on its field (the schedule gives its start)."""
        repeat = self.repetition() if not self.errors.get("repeat") else None
        if repeat is None:
            return
        end = self.cleaned_data.get("repeat_end")
        if end == "on" and repeat.until is None:
            self.add_error("repeat_until", _("Choose the last date."))
            return
        if end == "after" and repeat.count is None:
            self.add_error("repeat_count", _("Say how many times."))
            return
        try:
            self.rule = clean_repeat(repeat, starts, zoneinfo.ZoneInfo(self.workspace.time_zone))
        except ValidationError as exc:
            self.add_error("repeat", exc)


class MarketingFieldMixin(forms.Form):
    """ "This is a marketing message": the workspace's opt-out instruction is added after the
    body, and the body and the instruction together must fit in one message's characters."""

    marketing = forms.BooleanField(
        required=False, label=_("This is a marketing message"), widget=forms.CheckboxInput
    )

    workspace: Workspace

    def marketing_footer(self) -> str:
        if not hasattr(self, "_footer"):
            self._footer = marketing.footer_for(self.workspace)
        return self._footer

    def marketing_help(self) -> str:
        return _(
            "Offers, news and anything else that promotes: the opt-out instruction “%(footer)s” "
            "is added on its own line at the end, and counted above."
        ) % {"footer": self.marketing_footer()}

    def clean_marketing_length(self) -> None:
        body = self.cleaned_data.get("body")
        if body and self.cleaned_data.get("marketing"):
            try:
                clean_sent_length(body, self.marketing_footer())
            except ValidationError as exc:
                self.add_error("body", exc)


def merge_fields_help(workspace: Workspace) -> str:
    """ "Merge fields: {name}, {first_name}, {company} …", as the workspace names its fields."""
    tags = [tag for tag in merge_tags(workspace) if not tag.startswith("field")]
    shown = ", ".join("{%s}" % tag for tag in tags)  # noqa: UP031
    return _("Merge fields: %(fields)s; {field1} … {field5} also work; {first_name|there} gives a "
             "stand-in for an empty one.") % {"fields": shown}  # fmt: skip


def follow_up_label(broadcast: Broadcast) -> str:
    text = broadcast.body if len(broadcast.body) <= 40 else broadcast.body[:39] + "…"
    return f"{text} ({broadcast.created_at:%-d %b})"


class ComposeForm(MarketingFieldMixin, RepeatFieldsMixin, MessageFieldsMixin, IdempotentForm):
    numbers = forms.CharField(
        label=_("Numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "07700 900123\n+44 7700 900456"}),
        help_text=_(
            "One per line, or separated by commas. Numbers without a country code are read "
            "in the workspace's default country."
        ),
    )
    skip_invalid = forms.BooleanField(required=False, label=_("Skip the invalid numbers and send"))
    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    gateway_group = forms.CharField(
        required=False,
        max_length=100,
        label=_("Group on the gateway"),
        help_text=_("The name of a group in the gateway's address book."),
    )
    gateway_list = forms.CharField(
        required=False,
        max_length=100,
        label=_("Distribution list on the gateway"),
    )
    source = forms.CharField(label=_("Sender ID"), max_length=16)
    template = forms.ModelChoiceField(
        queryset=MessageTemplate.objects.none(), required=False, to_field_name="public_id"
    )
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_BODY_CHARS}),
        strip=False,
        help_text=_("Merge fields: {name}, {first_name}, {field1} … {field5}."),
    )
    schedule_at = forms.DateTimeField(
        required=False,
        label=_("Send later"),
        widget=LocalDateTimeInput(),
        help_text=_("Leave empty to send now."),
    )
    validity_seconds = forms.TypedChoiceField(
        choices=VALIDITY_CHOICES, coerce=int, initial=86400, label=_("Try delivering for")
    )
    follow_up = forms.UUIDField(required=False, widget=forms.HiddenInput)
    follow_up_who = forms.ChoiceField(
        required=False,
        choices=[("clicked", _("who clicked")), ("not_clicked", _("who did not click"))],
        widget=forms.HiddenInput,
    )
    track_links = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Track links"),
        help_text=_(
            "Each link becomes a short link of this portal, one per recipient, so you see "
            "who clicked. Counted in the characters above."
        ),
    )

    def __init__(self, workspace: Workspace, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["groups"].queryset = Group.objects.for_workspace(workspace)
        self.fields["template"].queryset = MessageTemplate.objects.for_workspace(workspace)
        self.fields["body"].help_text = merge_fields_help(workspace)
        self.approved = self.approved_sender_ids()
        if not self.is_bound and self.approved:
            self.initial.setdefault("source", self.approved[0])
        self.contacts: list[Contact] = []
        self.parsed = None

    def clean(self) -> dict:
        cleaned = super().clean()
        ids = self.data.getlist("contact") if hasattr(self.data, "getlist") else []
        valid_ids = []
        for raw in ids:
            try:
                valid_ids.append(uuid.UUID(raw))
            except ValueError:
                continue
        self.contacts = list(
            Contact.objects.for_workspace(self.workspace).filter(public_id__in=valid_ids)
        )
        parsed = parse_numbers(cleaned.get("numbers", ""), self.workspace.default_country)
        self.parsed = parsed
        if parsed.invalid and not cleaned.get("skip_invalid"):
            shown = "; ".join(
                f"line {n}: “{raw}”" for n, raw, _ in parsed.invalid[:SHOWN_BAD_LINES]
            )
            more = len(parsed.invalid) - SHOWN_BAD_LINES
            count = len(parsed.invalid)
            what = "is not a phone number" if count == 1 else "are not phone numbers"
            self.add_error(
                "numbers",
                f"{count} of these {what} ({shown}"
                + (f"; and {more} more" if more > 0 else "")
                + "). Fix them, or tick “Skip the invalid numbers”.",
            )
        on_gateway = [f for f in ("gateway_group", "gateway_list") if cleaned.get(f)]
        self.follow_up = None
        if cleaned.get("follow_up"):
            earlier = (
                Broadcast.objects.for_workspace(self.workspace)
                .filter(public_id=cleaned["follow_up"], track_links=True)
                .first()
            )
            if earlier is None:
                raise ValidationError(
                    _("That message is not one of this workspace's with tracked links.")
                )
            clicked = cleaned.get("follow_up_who") != "not_clicked"
            contact_ids, numbers = links.follow_up_recipients(earlier.pk, clicked)
            self.follow_up = (follow_up_label(earlier), clicked, contact_ids, numbers)
        follow_up = bool(self.follow_up and (self.follow_up[2] or self.follow_up[3]))
        local = parsed.numbers or self.contacts or cleaned.get("groups") or follow_up
        if len(on_gateway) > 1 or (on_gateway and local):
            raise ValidationError(
                "Send either to numbers, contacts and groups, or to one group or list held on "
                "the gateway."
            )
        if not on_gateway and not local and not parsed.invalid:
            raise ValidationError(_("Add at least one recipient."))
        self.clean_repetition(cleaned.get("schedule_at"))
        self.clean_marketing_length()
        return cleaned

    def draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(
            body=data["body"],
            source=data["source"],
            numbers=self.parsed.numbers,
            typed_invalid=self.parsed.invalid,
            typed_duplicates=self.parsed.duplicates,
            contact_ids=[c.pk for c in self.contacts],
            group_ids=[g.pk for g in data.get("groups") or []],
            gateway_group=data.get("gateway_group", "").strip(),
            gateway_list=data.get("gateway_list", "").strip(),
            schedule_at=data.get("schedule_at"),
            validity_seconds=data["validity_seconds"],
            repeat=self.repetition(),
            track_links=data.get("track_links", False),
            marketing=data.get("marketing", False),
            follow_up=self.follow_up[:2] if self.follow_up else None,
            follow_up_contact_ids=self.follow_up[2] if self.follow_up else [],
            follow_up_numbers=self.follow_up[3] if self.follow_up else [],
        )


class BroadcastEditForm(MessageFieldsMixin, forms.Form):
    """The composer's message fields (sender ID, body with its counter, time, validity)."""

    source = forms.CharField(label=_("Sender ID"), max_length=16)
    body = ComposeForm.base_fields["body"]
    schedule_at = forms.DateTimeField(
        label=_("Send at"),
        widget=LocalDateTimeInput(),
    )
    validity_seconds = forms.TypedChoiceField(
        choices=VALIDITY_CHOICES, coerce=int, label=_("Try delivering for")
    )

    def __init__(self, workspace: Workspace, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.approved = self.approved_sender_ids()


class TemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "body"]
        widgets = {
            "body": forms.Textarea(
                attrs={"rows": 5, "maxlength": MAX_BODY_CHARS, "data-sms-counter": ""}
            )
        }

    def __init__(self, workspace: Workspace, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_body(self) -> str:
        return clean_body(self.cleaned_data["body"])

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = MessageTemplate.objects.for_workspace(self.workspace).filter(name=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("A template with this name exists already."))
        return name


class SenderIDForm(forms.Form):
    value = forms.CharField(label=_("Sender ID"), max_length=16)
    is_default = forms.BooleanField(required=False, label=_("Use by default"))

    def __init__(self, workspace: Workspace, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_value(self) -> str:
        value = clean_source(self.cleaned_data["value"])
        if SenderID.objects.for_workspace(self.workspace).filter(value=value).exists():
            raise ValidationError(_("This sender ID is on the list already."))
        return value


class LogFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, label=_("Status"))
    destination = forms.CharField(required=False, label=_("Number"))
    source = forms.CharField(required=False, label=_("Sender ID"))
    broadcast = forms.UUIDField(required=False, widget=forms.HiddenInput)
    date_from = forms.DateField(required=False, label=_("From"), widget=LocalDateInput())
    date_to = forms.DateField(required=False, label=_("To"), widget=LocalDateInput())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from .models import MessageState

        self.fields["state"].choices = [("", "Any status"), *MessageState.choices]


class SeriesEditForm(MarketingFieldMixin, RepeatFieldsMixin, MessageFieldsMixin, forms.Form):
    """A repeating message's text and repetition; the change applies to future occurrences."""

    source = forms.CharField(label=_("Sender ID"), max_length=16)
    body = ComposeForm.base_fields["body"]
    schedule_at = forms.DateTimeField(
        label=_("Next message at"),
        widget=LocalDateTimeInput(),
    )
    validity_seconds = forms.TypedChoiceField(
        choices=VALIDITY_CHOICES, coerce=int, label=_("Try delivering for")
    )

    def __init__(self, workspace: Workspace, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.approved = self.approved_sender_ids()
        self.fields["repeat"].choices = REPEAT_CHOICES[1:]
        self.fields["repeat"].required = True

    def clean(self) -> dict:
        cleaned = super().clean()
        self.clean_repetition(cleaned.get("schedule_at"))
        self.clean_marketing_length()
        return cleaned


def compose_repeat_preview(form: RepeatFieldsMixin) -> dict:
    """The next five occurrences the form's repetition gives, or why it cannot be used."""
    rule = getattr(form, "rule", None)
    errors = [str(e) for name in ("repeat", "repeat_until", "repeat_count") for e in
              form.errors.get(name, [])]  # fmt: skip
    if errors or rule is None:
        return {"dates": [], "error": errors[0] if errors else ""}
    zone = zoneinfo.ZoneInfo(form.workspace.time_zone)
    starts = form.cleaned_data["schedule_at"]
    dates = occurrences(rule, starts, zone, limit=5)
    return {"dates": [d.astimezone(zone) for d in dates], "error": ""}


class QuietHoursForm(forms.ModelForm):
    quiet_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_CHOICES, coerce=int, required=False, label=_("Quiet all day on"),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = QuietHours
        fields = ["enabled", "start", "end", "quiet_days"]
        labels = {
            "enabled": _("Hold messages in quiet hours"),
            "start": _("Quiet from"),
            "end": _("Until"),
        }
        widgets = {
            "start": LocalTimeInput(),
            "end": LocalTimeInput(),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("enabled"):
            clean_window(cleaned.get("start"), cleaned.get("end"), cleaned.get("quiet_days") or [])
        return cleaned


class ApprovalPolicyForm(forms.ModelForm):
    class Meta:
        model = ApprovalPolicy
        fields = ["enabled", "recipients_over", "credits_over"]
        labels = {
            "enabled": _("Large sends need an admin's approval"),
            "recipients_over": _("When there are more recipients than"),
            "credits_over": _("Or when it costs more credits than"),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("enabled") and not (
            cleaned.get("recipients_over") is not None or cleaned.get("credits_over") is not None
        ):
            raise ValidationError(_("Give a number of recipients or of credits."))
        return cleaned


class LinkSettingsForm(forms.ModelForm):
    class Meta:
        model = LinkSettings
        fields = ["expire_days"]

    def clean_expire_days(self) -> int:
        days = self.cleaned_data["expire_days"]
        if not 1 <= days <= 3650:
            raise ValidationError(_("Between 1 and 3,650 days."))
        return days


class MarketingSettingsForm(forms.ModelForm):
    class Meta:
        model = MarketingSettings
        fields = ["opt_out_footer"]
        help_texts = {
            "opt_out_footer": _(
                "Added on its own line at the end of every marketing message. Name the word "
                "the inbox takes as an opt-out (Inbox → Numbers and rules), such as STOP."
            )
        }

    def clean_opt_out_footer(self) -> str:
        footer = " ".join(self.cleaned_data["opt_out_footer"].split())
        if not footer:
            raise ValidationError(_("Write the opt-out instruction."))
        return footer
