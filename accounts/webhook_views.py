"""Settings → API → webhooks: endpoints, their delivery log, resend, test, rotate, switch off."""

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import webhooks
from .access import workspace_view
from .api_key_views import show_once, shown_once
from .audit import audit_record
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .models.webhooks import new_secret
from .roles import Role

LOG_ROWS = 50


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("Where the portal POSTs each event, e.g. https://example.com/sms."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[WebhookEvent.MESSAGE_STATUS_CHANGED, WebhookEvent.MESSAGE_INBOUND],
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        webhooks.check_url(url)
        return url


def _endpoint(request: HttpRequest, webhook_id: UUID) -> WebhookEndpoint:
    return get_object_or_404(
        WebhookEndpoint.objects.for_workspace(request.workspace), public_id=webhook_id
    )


def _secret_page(request: HttpRequest, endpoint: WebhookEndpoint, note: str) -> HttpResponse:
    """The secret is shown once, on the endpoint's page (a GET, so a reload does not repeat it)."""
    show_once(request, f"webhook:{endpoint.public_id}", note)
    return redirect(
        "accounts_ws:webhook", slug=request.workspace.slug, webhook_id=endpoint.public_id
    )


def _detail_context(request: HttpRequest, endpoint: WebhookEndpoint, note: str = "") -> dict:
    deliveries = WebhookDelivery.objects.for_workspace(request.workspace).filter(endpoint=endpoint)
    return {
        "endpoint": endpoint,
        "deliveries": deliveries.order_by("-id")[:LOG_ROWS],
        "event_labels": dict(WebhookEvent.choices),
        "secret_note": note,
        "pending": deliveries.filter(state="pending").count(),
    }


@workspace_view(Role.ADMIN)
def webhook_create(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if (
            WebhookEndpoint.objects.for_workspace(request.workspace).count()
            >= webhooks.MAX_ENDPOINTS
        ):
            form.add_error(
                None, _("A workspace has at most %(n)d endpoints.") % {"n": webhooks.MAX_ENDPOINTS}
            )
        else:
            endpoint = WebhookEndpoint.objects.create(
                workspace=request.workspace,
                url=form.cleaned_data["url"],
                events=sorted(form.cleaned_data["events"]),
                created_by=request.user,
            )
            audit_record(
                "webhook_created",
                request=request,
                obj=endpoint,
                url=endpoint.url,
                events=endpoint.events,
            )
            return _secret_page(request, endpoint, _("The endpoint is set up."))
    return render(request, "accounts/webhook_new.html", {"form": form})


@workspace_view(Role.ADMIN)
def webhook_detail(request: HttpRequest, webhook_id: UUID) -> HttpResponse:
    endpoint = _endpoint(request, webhook_id)
    form = WebhookForm(
        request.POST or None, initial={"url": endpoint.url, "events": endpoint.events}
    )
    if request.method == "POST" and form.is_valid():
        endpoint.url, endpoint.events = (
            form.cleaned_data["url"],
            sorted(form.cleaned_data["events"]),
        )
        endpoint.save(update_fields=["url", "events"])
        audit_record(
            "webhook_changed",
            request=request,
            obj=endpoint,
            url=endpoint.url,
            events=endpoint.events,
        )
        messages.success(request, _("The endpoint is saved."))
        return redirect("accounts_ws:webhook", slug=request.workspace.slug, webhook_id=webhook_id)
    note = shown_once(request, f"webhook:{endpoint.public_id}")
    context = _detail_context(request, endpoint, note)
    return render(request, "accounts/webhook.html", {**context, "form": form})


@workspace_view(Role.ADMIN)
@require_POST
def webhook_test(request: HttpRequest, webhook_id: UUID) -> HttpResponse:
    endpoint = _endpoint(request, webhook_id)
    webhooks.webhook_test(endpoint=endpoint, request=request)
    messages.success(request, _("A test event is on its way; it shows in the log below."))
    return redirect("accounts_ws:webhook", slug=request.workspace.slug, webhook_id=webhook_id)


@workspace_view(Role.ADMIN)
@require_POST
def webhook_rotate(request: HttpRequest, webhook_id: UUID) -> HttpResponse:
    """A new secret; the old one also signs for a day, so the receiver can switch over."""
    endpoint = _endpoint(request, webhook_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_until = timezone.now() + webhooks.DISABLE_AFTER
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_until"])
    audit_record("webhook_secret_rotated", request=request, obj=endpoint)
    return _secret_page(
        request,
        endpoint,
        _("The secret is new. For a day, events are signed with the old one too."),
    )


@workspace_view(Role.ADMIN)
@require_POST
def webhook_toggle(request: HttpRequest, webhook_id: UUID) -> HttpResponse:
    endpoint = _endpoint(request, webhook_id)
    if endpoint.disabled_at is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            disabled_at=timezone.now(),
            disabled_reason=_("Switched off by %(email)s.") % {"email": request.user.email},
        )
        audit_record("webhook_disabled", request=request, obj=endpoint)
        messages.success(request, _("The endpoint is off: events wait until it is on again."))
    else:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            disabled_at=None, disabled_reason="", failing_since=None
        )
        audit_record("webhook_enabled", request=request, obj=endpoint)
        webhooks.deliveries_queue([endpoint.pk])
        messages.success(request, _("The endpoint is on: the events that waited are sent now."))
    return redirect("accounts_ws:webhook", slug=request.workspace.slug, webhook_id=webhook_id)


@workspace_view(Role.ADMIN)
@require_POST
def webhook_delete(request: HttpRequest, webhook_id: UUID) -> HttpResponse:
    endpoint = _endpoint(request, webhook_id)
    audit_record("webhook_deleted", request=request, obj=endpoint, url=endpoint.url)
    endpoint.delete()
    messages.success(request, _("The endpoint is deleted."))
    return redirect("accounts_ws:api_keys", slug=request.workspace.slug)


@workspace_view(Role.ADMIN)
@require_POST
def webhook_resend(request: HttpRequest, webhook_id: UUID, delivery_id: UUID) -> HttpResponse:
    endpoint = _endpoint(request, webhook_id)
    delivery = get_object_or_404(
        WebhookDelivery.objects.for_workspace(request.workspace).filter(endpoint=endpoint),
        public_id=delivery_id,
    )
    try:
        webhooks.webhook_resend(delivery=delivery, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The event is sent again."))
    return redirect("accounts_ws:webhook", slug=request.workspace.slug, webhook_id=webhook_id)
