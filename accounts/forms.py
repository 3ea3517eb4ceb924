import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import regions
from .models import User, Workspace
from .models.reseller import AccessLevel
from .roles import Role, invitable_roles


class BrowserTimeZoneInput(forms.HiddenInput):
    """Filled in by static/js/time_zone.js with the browser's time zone (no inline script)."""

    def __init__(self) -> None:
        super().__init__(attrs={"data-browser-time-zone": ""})


class TimeZoneSelect(forms.Select):
    """Each zone carries its country, so that static/js/time_zone.js can suggest it."""

    def create_option(self, name, value, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        option = super().create_option(name, value, *args, **kwargs)
        if country := regions.country_for_time_zone(str(value)):
            option["attrs"]["data-country"] = country
        return option


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(tz, tz) for tz in regions.time_zones()]


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )

    def clean_username(self) -> str:
        # As stored at sign-up; the lock-out then counts every spelling of an email as one.
        return self.cleaned_data["username"].strip().lower()


class SignUpForm(forms.Form):
    """The first step: who and which workspace. Whether the address has an account is not
    checked here (the answer would tell anyone); the mail tells the address itself."""

    name = forms.CharField(max_length=150, label=_("Your name"))
    email = forms.EmailField(label=_("Email address"))
    workspace_name = forms.CharField(
        max_length=100, label=_("Workspace name"), help_text=_("Your team or company.")
    )
    browser_time_zone = forms.CharField(required=False, widget=BrowserTimeZoneInput())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_browser_time_zone(self) -> str:
        """What the browser said, if it names a zone we know; it is only a suggestion."""
        value = self.cleaned_data["browser_time_zone"].strip()
        return value if regions.is_time_zone(value) else ""


class SignUpFinishForm(forms.Form):
    """The second step, from the mailed link: the password."""

    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def __init__(self, *args: object, email: str, name: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.probe = User(email=email, name=name)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, self.probe)
        return password


class InvitationSignUpForm(forms.Form):
    """Signing up from an invitation: the invited email (shown, not editable: the link proved
    it), a name and a password. No workspace: the invitation's is joined."""

    name = forms.CharField(max_length=150, label=_("Your name"))
    email = forms.EmailField(label=_("Email address"), disabled=True, required=False)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["email"].initial = email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        probe = User(email=self.email, name=self.cleaned_data.get("name", ""))
        password_validation.validate_password(password, probe)
        return password


class WorkspaceForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=_time_zone_choices, label=_("Time zone"))
    default_country = forms.ChoiceField(
        choices=regions.country_choices,
        label=_("Default country"),
        help_text=_("Numbers typed without a country code are read as this country's."),
    )

    class Meta:
        model = Workspace
        fields = ["name", "time_zone", "default_country"]


class WorkspaceNewForm(WorkspaceForm):
    """A new workspace: its settings start from `initial` (the creator's other workspace). With
    `follow_browser`, the page's script picks the browser's time zone and its country instead
    of the fallback, until the person picks one themselves."""

    time_zone = forms.ChoiceField(
        choices=_time_zone_choices, label=_("Time zone"), widget=TimeZoneSelect
    )

    def __init__(self, *args: object, follow_browser: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if follow_browser:
            self.fields["time_zone"].widget.attrs.update(
                {"data-browser-time-zone": "", "data-country-select": "id_default_country"}
            )


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.SENDER)

    def __init__(self, *args: object, inviter_role: Role = Role.OWNER, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in invitable_roles(inviter_role)]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class GatewayForm(forms.Form):
    """The workspace's gateway settings. The token and the URL are the owner's to change (an admin
    sees neither field), and the URL is one the operator allows, never a free field."""

    token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        help_text=_(
            "From Settings in your Text-Connect account. Spaces and line breaks are ignored."
        ),
    )
    api_url = forms.ChoiceField(
        required=False,
        label=_("Gateway"),
        help_text=_("The gateways this portal's operator allows."),
    )
    is_admin_account = forms.BooleanField(
        required=False,
        label=_("This is an admin account (it can create child users and move credits)"),
    )
    low_balance_threshold = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        label=_("Low-balance alert below"),
        help_text=_("Owners and admins get an email, once each time the balance falls below this."),
    )

    def __init__(
        self,
        *args: object,
        has_token: bool = False,
        current_api_url: str = "",
        may_change_credentials: bool = True,
        **kwargs: object,
    ) -> None:
        from .gateway import allowed_api_urls

        super().__init__(*args, **kwargs)
        self.has_token = has_token
        self.current_api_url = current_api_url or settings.TEXTCONNECT_API_URL
        if not may_change_credentials:
            del self.fields["token"], self.fields["api_url"]
            return
        default = settings.TEXTCONNECT_API_URL
        self.fields["api_url"].choices = [("", _("Default (%(url)s)") % {"url": default})] + [
            (url, url) for url in allowed_api_urls() if url != default
        ]
        if has_token:
            self.fields["token"].help_text = _(
                "Leave blank to keep the current token; type it again to change the gateway."
            )

    def clean_token(self) -> str:
        from .services.gateway import clean_token

        token = clean_token(self.cleaned_data["token"])
        if not token and not self.has_token:
            raise forms.ValidationError(_("Paste the token of your Text-Connect account."))
        if token and len(token) > 200:
            raise forms.ValidationError(_("That does not look like a Text-Connect token."))
        return token

    def clean(self) -> dict:
        cleaned = super().clean()
        new_url = cleaned.get("api_url", "") or settings.TEXTCONNECT_API_URL
        # The stored token goes to a new URL only when the owner types it again.
        changed = "api_url" in cleaned and new_url != self.current_api_url
        if changed and cleaned.get("token") == "":
            self.add_error("token", _("Type the token again to use it with another gateway."))
        return cleaned


class IdempotentForm(forms.Form):
    """A hidden key rendered with the form, so a double submit is recognised as one request."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())


USERNAME_HELP = "Letters, digits and . _ - only; the child logs in to Text-Connect with it."


class ChildCreateForm(IdempotentForm):
    username = forms.RegexField(
        regex=r"^[A-Za-z0-9._-]{3,50}$",
        help_text=USERNAME_HELP,
        error_messages={"invalid": USERNAME_HELP},
    )
    password = forms.CharField(
        widget=forms.TextInput(attrs={"autocomplete": "new-password", "spellcheck": "false"}),
        strip=False,
        help_text=_("At least 10 characters. Give it to the child person safely."),
    )
    access_level = forms.ChoiceField(choices=AccessLevel.choices)
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField()
    telephone = forms.CharField(max_length=30, required=False)
    starting_credits = forms.IntegerField(
        min_value=0, max_value=1_000_000, initial=0, help_text=_("Taken from your balance.")
    )
    credit_reminder = forms.IntegerField(
        min_value=0, max_value=1_000_000, required=False, label=_("Low-credit reminder at")
    )
    inactivity_alert_days = forms.IntegerField(
        min_value=1, max_value=3650, required=False, label=_("Inactivity alert after (days)")
    )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if len(password) < 10:
            raise forms.ValidationError(_("Use at least 10 characters."))
        password_validation.validate_password(password)
        return password


class TransferForm(IdempotentForm):
    direction = forms.ChoiceField(
        choices=[("to", "Give credits to the child"), ("from", "Take credits back from the child")],
        widget=forms.RadioSelect,
        initial="to",
    )
    quantity = forms.IntegerField(min_value=1, max_value=1_000_000, label=_("Credits"))
    reason = forms.CharField(max_length=200)

    def signed_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        return quantity if self.cleaned_data["direction"] == "to" else -quantity


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("applied", "The credits moved"), ("not_applied", "The credits did not move")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(max_length=300, help_text=_("What you checked on the gateway."))


class ChildReviewForm(forms.Form):
    exists = forms.TypedChoiceField(
        choices=[("yes", "The child exists on the gateway"), ("no", "It does not exist")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
