"""Settings → API: the workspace's API keys (made and revoked by admins)."""

from datetime import timedelta
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .access import workspace_view
from .audit import audit_record
from .crypto import decrypt, encrypt
from .models import ApiKey, ApiScope, WebhookEndpoint, WebhookEvent
from .roles import Role

EXPIRY_CHOICES = [
    ("", gettext_lazy("Never")),
    ("30", gettext_lazy("In 30 days")),
    ("90", gettext_lazy("In 90 days")),
    ("365", gettext_lazy("In a year")),
]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What uses it, e.g. “Booking system”."),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("It may"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiScope.READ],
    )
    expires = forms.ChoiceField(
        label=gettext_lazy("Expires"), choices=EXPIRY_CHOICES, required=False
    )


def _context(request: HttpRequest, form: ApiKeyForm, new_key: str = "") -> dict:
    keys = ApiKey.objects.for_workspace(request.workspace).select_related("created_by")
    return {
        "form": form,
        "keys": keys,
        "new_key": new_key,
        "endpoints": WebhookEndpoint.objects.for_workspace(request.workspace),
        "event_labels": dict(WebhookEvent.choices),
    }


@workspace_view(Role.ADMIN)
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires"]
        key, raw = ApiKey.issue(
            workspace=request.workspace,
            name=form.cleaned_data["name"],
            scopes=sorted(form.cleaned_data["scopes"]),
            expires_at=timezone.now() + timedelta(days=int(days)) if days else None,
            created_by=request.user,
        )
        audit_record("api_key_created", request=request, obj=key, prefix=key.prefix,
                     scopes=key.scopes)  # fmt: skip
        show_once(request, "api_key", raw)
        return redirect("accounts_ws:api_keys", slug=request.workspace.slug)
    new_key = shown_once(request, "api_key")
    return render(request, "accounts/api_keys.html", _context(request, form, new_key))


def show_once(request: HttpRequest, name: str, secret: str) -> None:
    """Keep a new secret for the next page only (encrypted in the session), so the page that shows
    it is a GET: reloading it neither shows the secret again nor makes another one."""
    request.session[f"show-once:{name}"] = encrypt(secret)


def shown_once(request: HttpRequest, name: str) -> str:
    kept = request.session.pop(f"show-once:{name}", "")
    return decrypt(kept) if kept else ""


@workspace_view(Role.ADMIN)
@require_POST
def api_key_revoke(request: HttpRequest, key_id: UUID) -> HttpResponse:
    key = get_object_or_404(ApiKey.objects.for_workspace(request.workspace), public_id=key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record("api_key_revoked", request=request, obj=key, prefix=key.prefix)
        messages.success(request, _("The key “%(name)s” is revoked: it no longer works.")
                         % {"name": key.name})  # fmt: skip
    return redirect("accounts_ws:api_keys", slug=request.workspace.slug)
