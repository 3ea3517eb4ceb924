"""Compose and send; broadcasts; the message log; templates and sender IDs."""

import uuid
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import workspace_view
from accounts.audit import audit_record
from accounts.csv_export import csv_response
from accounts.roles import Role
from contacts.fields import merge_tags
from contacts.selectors import contacts_filtered
from textconnect.limits import MAX_BODY_CHARS
from textconnect.segments import credits_per_part, segments, ucs2_characters

from .forms import (
    BroadcastEditForm,
    ComposeForm,
    LogFilterForm,
    SenderIDForm,
    TemplateForm,
    compose_repeat_preview,
    follow_up_label,
)
from .models import (
    Broadcast,
    BroadcastStatus,
    Message,
    MessageState,
    MessageTemplate,
    SenderID,
    with_footer,
)
from .selectors import filtered_messages, message_log
from .services import compose, links, recurring, schedule
from .services.controls import needs_approval
from .services.forecast import send_forecast
from .services.marketing import cannot_receive_replies, footer_for, reply_numbers
from .services.outcomes import BUCKETS, Outcomes, failure_reasons
from .services.reconcile import message_resend

# -- compose ----------------------------------------------------------------------------------


@workspace_view(Role.SENDER)
@require_http_methods(["GET", "POST"])
def compose_view(request: HttpRequest) -> HttpResponse:
    earlier = _draft(request, request.POST.get("replaces") or request.GET.get("draft"))
    initial = compose.draft_initial(earlier) if earlier and request.method == "GET" else {}
    if request.method == "GET" and request.GET.get("follow_up"):  # from a broadcast's links card
        initial["follow_up"] = request.GET["follow_up"]
        initial["follow_up_who"] = request.GET.get("follow_up_who", "clicked")
    form = ComposeForm(request.workspace, request.POST or None, initial=initial)
    if earlier and request.method == "GET":
        form.contacts = compose.draft_contacts(earlier)
    if request.method == "POST" and form.is_valid():
        try:
            broadcast = compose.broadcast_create(
                workspace=request.workspace,
                user=request.user,
                draft=form.draft(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if earlier is not None:  # the draft it was changed from has no use any more
                earlier.delete()
            return redirect(
                "messaging:confirm", slug=request.workspace.slug, broadcast_id=broadcast.public_id
            )
    context = {
        "preview": compose_repeat_preview(form) if form.is_bound else {},
        "form": form,
        "earlier": earlier,
        "picked": form.contacts,
        "counter": _counter(
            form["body"].value() or "",
            request.workspace,
            bool(form["track_links"].value()),
            marketing=bool(form["marketing"].value()),
            source=form["source"].value() or "",
        ),
        "blocker": compose.sending_blocker(request.workspace),
        "follow_up": _follow_up(request, form),
    }
    return render(request, "messaging/compose.html", context)


def _follow_up(request: HttpRequest, form: ComposeForm) -> dict | None:
    """The broadcast a follow-up goes to the clickers (or non-clickers) of, for the composer."""
    wanted = form["follow_up"].value()
    try:
        wanted_id = UUID(str(wanted)) if wanted else None
    except ValueError:
        return None
    earlier = (
        Broadcast.objects.for_workspace(request.workspace)
        .filter(public_id=wanted_id, track_links=True)
        .first()
        if wanted_id
        else None
    )
    if earlier is None:
        return None
    clicked = form["follow_up_who"].value() != "not_clicked"
    contact_ids, numbers = links.follow_up_recipients(earlier.pk, clicked)
    count = len(contact_ids) + len(numbers)
    return {"label": follow_up_label(earlier), "clicked": clicked, "count": count}


def _counter(
    body: str,
    workspace=None,  # noqa: ANN001
    track_links: bool = False,
    *,
    marketing: bool = False,
    source: str = "",
) -> dict:
    """The counter's figures for the text as it will be sent: with a marketing message's opt-out
    instruction and with short links in place of tracked URLs. For marketing from a sender ID
    that cannot receive replies, the workspace's numbers that can."""
    footer = footer_for(workspace) if marketing and workspace is not None else ""
    body = with_footer(body, footer)
    tracked = track_links and links.has_links(body)
    body = links.as_sent_example(body) if tracked else body  # counted as it will be sent
    shape = segments(body)
    no_replies = bool(footer) and cannot_receive_replies(source)
    return {
        "footer": footer,
        "no_replies": no_replies,
        "reply_numbers": reply_numbers(workspace) if no_replies else [],
        "tracked": tracked,
        "chars": len(body),
        "max": MAX_BODY_CHARS,
        "units": shape.chars,
        "encoding": shape.encoding,
        "parts": shape.parts,
        "ucs2": ucs2_characters(body),
        "personalised": compose.is_personalised(body, merge_tags(workspace) if workspace else None),
        "credits_uk": shape.parts * credits_per_part("44"),
    }


@workspace_view(Role.SENDER)
@require_POST
def counter_view(request: HttpRequest) -> HttpResponse:
    """The live counter under the message box (htmx, as you type)."""
    body = request.POST.get("body", "")
    track = request.POST.get("track_links") == "on"
    counter = _counter(
        body,
        request.workspace,
        track,
        marketing=request.POST.get("marketing") == "on",
        source=request.POST.get("source", ""),
    )
    return render(request, "messaging/_counter.html", {"counter": counter})


@workspace_view(Role.SENDER)
def contact_search(request: HttpRequest) -> HttpResponse:
    """The composer's contact picker: the contact list's own search (name, email or number)."""
    query = request.GET.get("q", "").strip()
    results = []
    if query:
        matching = contacts_filtered(request.workspace, {"q": query})
        results = list(matching.order_by("name")[:20])
    return render(request, "messaging/_contact_results.html", {"results": results, "query": query})


@workspace_view(Role.SENDER)
def template_body(request: HttpRequest) -> HttpResponse:
    """Put a template's text in the message box (htmx)."""
    template = (
        MessageTemplate.objects.for_workspace(request.workspace)
        .filter(public_id=request.GET.get("template") or None)
        .first()
    )
    form = ComposeForm(request.workspace, initial={"body": template.body if template else ""})
    body = template.body if template else ""
    counter = _counter(
        body,
        request.workspace,
        request.GET.get("track_links") == "on",
        marketing=request.GET.get("marketing") == "on",
        source=request.GET.get("source", ""),
    )  # the composer's choices come along (hx-include), so the text is counted as it is sent
    return render(request, "messaging/_body_field.html", {"form": form, "counter": counter})


def _draft(request: HttpRequest, raw: str | None) -> Broadcast | None:
    """The workspace's draft with this id, if there is one (for changing it before it is sent)."""
    try:
        public_id = uuid.UUID(raw or "")
    except ValueError:
        return None
    return (
        Broadcast.objects.for_workspace(request.workspace)
        .filter(public_id=public_id, status=BroadcastStatus.DRAFT)
        .first()
    )


def _broadcast(request: HttpRequest, broadcast_id: UUID) -> Broadcast:
    return get_object_or_404(
        Broadcast.objects.for_workspace(request.workspace), public_id=broadcast_id
    )


@workspace_view(Role.SENDER)
@require_http_methods(["GET", "POST"])
def confirm_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    if broadcast.status != BroadcastStatus.DRAFT:
        return redirect(
            "messaging:broadcast", slug=request.workspace.slug, broadcast_id=broadcast.public_id
        )
    error = None
    repeats = "repeat" in broadcast.recipients_spec
    if request.method == "POST":
        override = ""
        if request.role.at_least(Role.ADMIN) and request.POST.get("override_quiet"):
            override = request.POST.get("quiet_override_reason", "").strip()
            if not override:
                error = _("Give the reason for sending in quiet hours: it is recorded.")
        try:
            if error:
                pass
            elif repeats:
                series = recurring.series_create(
                    broadcast=broadcast, user=request.user, request=request
                )
                flash.success(request, _("The repeating message is set up."))
                return redirect(
                    "messaging:series", slug=request.workspace.slug, series_id=series.public_id
                )
            else:
                broadcast = compose.broadcast_confirm(broadcast=broadcast, user=request.user,
                                                      request=request,
                                                      quiet_override_reason=override)  # fmt: skip
                flash.success(request, _sent_note(broadcast))
                return redirect("messaging:broadcast", slug=request.workspace.slug,
                                broadcast_id=broadcast.public_id)  # fmt: skip
        except ValidationError as exc:
            error = exc.messages[0]
    sample = broadcast.messages.order_by("id").first()
    breakdown = compose.Breakdown.stored(broadcast.recipients_spec)
    zone = ZoneInfo(request.workspace.time_zone)
    context = {
        "forecast": send_forecast(broadcast),
        "zone": zone,
        "can_override": request.role.at_least(Role.ADMIN),
        "needs_approval": needs_approval(broadcast),
        "can_test": bool(getattr(request.user, "mobile_verified_at", None)),
        "upcoming": (
            recurring.occurrences(
                broadcast.recipients_spec["repeat"]["rule"],
                broadcast.schedule_at,
                zone,
                limit=recurring.PREVIEW,
            )
            if repeats
            else []
        ),  # fmt: skip
        "broadcast": broadcast,
        "sample": sample.text if sample else broadcast.text_as_sent,
        "no_replies": broadcast.marketing and cannot_receive_replies(broadcast.source),
        "reply_numbers": reply_numbers(request.workspace) if broadcast.marketing else [],
        "balance": compose.cached_balance(request.workspace),
        "error": error,
        "blocker": compose.sending_blocker(request.workspace),
        "breakdown": breakdown,
        "unknown_fields": compose.unknown_fields(broadcast.body, merge_tags(request.workspace)),
        "empty_fields": [
            ("{%s}" % name, count, compose.fallback_hint(name))  # noqa: UP031
            for name, count in breakdown.empty_fields.items()
        ],
    }
    return render(request, "messaging/confirm.html", context)


def _sent_note(broadcast: Broadcast) -> str:
    n = broadcast.recipient_count
    if broadcast.status == BroadcastStatus.AWAITING_APPROVAL:
        text = ngettext(
            "Your message to %(n)s recipient waits for an admin's approval.",
            "Your message to %(n)s recipients waits for an admin's approval.",
            n,
        )
    elif broadcast.status == BroadcastStatus.SCHEDULED:
        text = ngettext(
            "Your message to %(n)s recipient is scheduled.",
            "Your message to %(n)s recipients is scheduled.",
            n,
        )
    else:
        text = ngettext(
            "Your message to %(n)s recipient is on its way.",
            "Your message to %(n)s recipients is on its way.",
            n,
        )
    text = text % {"n": f"{n:,}"}
    breakdown = compose.Breakdown.stored(broadcast.recipients_spec)
    if skipped := breakdown.opted_out_only:
        text += " " + ngettext(
            "%(n)s of them opted out: skipped, not charged.",
            "%(n)s of them opted out: skipped, not charged.",
            skipped,
        ) % {"n": f"{skipped:,}"}
    if suppressed := breakdown.suppressed:
        text += " " + ngettext(
            "%(n)s is suppressed for failing permanently: skipped, not charged.",
            "%(n)s are suppressed for failing permanently: skipped, not charged.",
            suppressed,
        ) % {"n": f"{suppressed:,}"}
    return text


@workspace_view(Role.SENDER)
@require_POST
def discard_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    if broadcast.status == BroadcastStatus.DRAFT:
        broadcast.delete()
        flash.info(request, _("Draft discarded."))
    return redirect("messaging:compose", slug=request.workspace.slug)


# -- broadcasts -------------------------------------------------------------------------------


@workspace_view()
def broadcasts_view(request: HttpRequest) -> HttpResponse:
    broadcasts = (
        Broadcast.objects.for_workspace(request.workspace)
        .exclude(status=BroadcastStatus.DRAFT)
        .select_related("created_by")[:100]
    )
    scheduled = [b for b in broadcasts if b.status == BroadcastStatus.SCHEDULED]
    return render(
        request, "messaging/broadcasts.html", {"broadcasts": broadcasts, "scheduled": scheduled}
    )


@workspace_view()
def broadcasts_export(request: HttpRequest) -> HttpResponse:
    """Every broadcast with what happened to its recipients (the same counts as its page)."""
    broadcasts = (
        Broadcast.objects.for_workspace(request.workspace)
        .exclude(status=BroadcastStatus.DRAFT)
        .order_by("-created_at")
    )
    header = ["created_at", "status", "sender", "body", "recipients", "sent", *BUCKETS]
    rows = (
        (b.created_at.isoformat(), b.get_status_display(), b.source, b.body, b.recipient_count,
         b.sent_count, *(getattr(b, f"{name}_count") for name in BUCKETS))
        for b in broadcasts.iterator(chunk_size=2000)
    )  # fmt: skip
    return csv_response(
        f"broadcasts-{request.workspace.slug}.csv", header, rows, request=request, what="broadcasts"
    )


@workspace_view()
def broadcast_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    if broadcast.status == BroadcastStatus.DRAFT:
        return redirect(
            "messaging:confirm", slug=request.workspace.slug, broadcast_id=broadcast.public_id
        )
    page = message_log(
        request.workspace, {"broadcast": broadcast.public_id}, request.GET.get("cursor")
    )
    outcomes = Outcomes.of(broadcast)
    queued = outcomes.outbox if broadcast.status in ("queued", "sending") else 0
    context = {
        "cancellable": schedule.CANCELLABLE,
        "can_pause": queued > 0
        and broadcast.kind == "direct"
        and request.role.at_least(Role.SENDER),
        "can_approve": broadcast.status == BroadcastStatus.AWAITING_APPROVAL
        and request.role.at_least(Role.ADMIN)
        and broadcast.created_by_id != request.user.pk,
        "broadcast": broadcast,
        "page": page,
        "outcomes": outcomes,
        "reasons": failure_reasons(broadcast) if outcomes.failed or outcomes.skipped else [],
        "retryable": broadcast.messages.filter(state=MessageState.FAILED).exists(),
        "can_send": request.role.at_least(Role.SENDER),
    }
    if broadcast.track_links:
        clicks = links.broadcast_clicks(broadcast.pk)
        clicks["rate_percent"] = round(clicks["rate"] * 100)
        by_hour = links.clicks_over_time(broadcast.pk)
        context["clicks"] = clicks
        context["clickers"] = links.clickers(broadcast.pk)
        context["clicks_by_hour"] = by_hour
        context["clicks_peak"] = max((n for _, n in by_hour), default=1)
    template = "messaging/broadcast_detail.html"
    if request.htmx:
        template += "#live"
    return render(request, template, context)


@workspace_view(Role.SENDER)
@require_POST
def broadcast_cancel_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    try:
        count = schedule.broadcast_cancel(broadcast=broadcast, request=request)
    except ValidationError as exc:
        flash.error(request, exc.messages[0])
    else:
        flash.success(
            request,
            ngettext(
                "Cancelled: %(count)s recipient will not get this message.",
                "Cancelled: %(count)s recipients will not get this message.",
                count,
            )
            % {"count": f"{count:,}"},
        )
    return redirect(
        "messaging:broadcast", slug=request.workspace.slug, broadcast_id=broadcast.public_id
    )


@workspace_view(Role.SENDER)
@require_http_methods(["GET", "POST"])
def broadcast_edit_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    if broadcast.status != BroadcastStatus.SCHEDULED:
        flash.error(request, "Only a scheduled broadcast can be edited, before it is due.")
        return redirect(
            "messaging:broadcast", slug=request.workspace.slug, broadcast_id=broadcast.public_id
        )
    local = timezone.localtime(broadcast.schedule_at, ZoneInfo(request.workspace.time_zone))
    initial = {
        "source": broadcast.source,
        "body": broadcast.body,
        "schedule_at": local.replace(tzinfo=None),
        "validity_seconds": broadcast.validity_seconds,
    }
    form = BroadcastEditForm(request.workspace, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            schedule.broadcast_edit(broadcast=broadcast, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, "Scheduled broadcast updated.")
            return redirect(
                "messaging:broadcast", slug=request.workspace.slug, broadcast_id=broadcast.public_id
            )
    context = {
        "form": form,
        "broadcast": broadcast,
        "counter": _counter(
            form["body"].value() or "",
            request.workspace,
            marketing=broadcast.marketing,
            source=form["source"].value() or "",
        ),
    }
    return render(request, "messaging/broadcast_edit.html", context)


@workspace_view(Role.SENDER)
@require_POST
def broadcast_retry_view(request: HttpRequest, broadcast_id: UUID) -> HttpResponse:
    """Failed recipients of a broadcast as a new draft, to check and send."""
    original = _broadcast(request, broadcast_id)
    failed = list(
        original.messages.filter(state=MessageState.FAILED).values_list("destination", "contact_id")
    )
    if not failed:
        flash.info(request, "No failed recipients to retry.")
        return redirect(
            "messaging:broadcast", slug=request.workspace.slug, broadcast_id=original.public_id
        )
    draft = compose.Draft(
        body=original.body,
        source=original.source,
        numbers=[d for d, c in failed if c is None],
        contact_ids=[c for d, c in failed if c is not None],
        validity_seconds=original.validity_seconds,
        marketing=original.marketing,  # with the opt-out instruction as the workspace words it now
    )
    key = request.POST.get("idempotency_key") or None
    try:
        retry = compose.broadcast_create(
            workspace=request.workspace, user=request.user, draft=draft,
            idempotency_key=UUID(key) if key else uuid.uuid4(), retry_of=original,
        )  # fmt: skip
    except (ValidationError, ValueError) as exc:
        flash.error(request, str(exc))
        return redirect(
            "messaging:broadcast", slug=request.workspace.slug, broadcast_id=original.public_id
        )
    return redirect("messaging:confirm", slug=request.workspace.slug, broadcast_id=retry.public_id)


# -- the message log --------------------------------------------------------------------------


@workspace_view()
def log_view(request: HttpRequest) -> HttpResponse:
    form = LogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = message_log(request.workspace, filters, request.GET.get("cursor"))
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
    }
    template = "messaging/log.html#rows" if request.htmx else "messaging/log.html"
    return render(request, template, context)


@workspace_view()
def log_export(request: HttpRequest) -> HttpResponse:
    form = LogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    messages = (
        filtered_messages(request.workspace, filters).select_related("broadcast").order_by("-id")
    )
    rows = (
        (m.queued_at.isoformat(), m.destination, m.broadcast.source, m.text, m.get_state_display(),
         m.gateway_status, m.gateway_id, m.error_code, m.error_text,
         m.delivered_at.isoformat() if m.delivered_at else "")
        for m in messages.iterator(chunk_size=2000)
    )  # fmt: skip
    header = ["queued_at", "destination", "sender", "body", "state", "gateway_status",
              "gateway_id", "error_code", "error_text", "delivered_at"]  # fmt: skip
    return csv_response(
        f"messages-{request.workspace.slug}.csv", header, rows, request=request, what="message log"
    )


def _message(request: HttpRequest, message_id: UUID) -> Message:
    return get_object_or_404(
        Message.objects.for_workspace(request.workspace).select_related("broadcast", "contact"),
        public_id=message_id,
    )


@workspace_view()
def message_view(request: HttpRequest, message_id: UUID) -> HttpResponse:
    message = _message(request, message_id)
    return render(
        request,
        "messaging/message_detail.html",
        {"message": message, "events": message.events.all()},
    )


@workspace_view(Role.SENDER)
@require_POST
def message_resend_view(request: HttpRequest, message_id: UUID) -> HttpResponse:
    message = _message(request, message_id)
    try:
        new = message_resend(message=message, user=request.user, request=request)
    except (ValueError, ValidationError) as exc:
        flash.error(request, str(exc))
        return redirect(
            "messaging:message", slug=request.workspace.slug, message_id=message.public_id
        )
    flash.success(request, f"Sent again to {message.destination} as a new message.")
    return redirect("messaging:message", slug=request.workspace.slug, message_id=new.public_id)


# -- templates and sender IDs -----------------------------------------------------------------


@workspace_view(Role.VIEWER, post_role=Role.SENDER)
@require_http_methods(["GET", "POST"])
def templates_view(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(request.workspace, request.POST or None)
    if request.method == "POST" and form.is_valid():
        template = form.save(commit=False)
        template.workspace = request.workspace
        template.save()
        flash.success(request, f"Template “{template.name}” saved.")
        return redirect("messaging:templates", slug=request.workspace.slug)
    templates = MessageTemplate.objects.for_workspace(request.workspace)
    return render(request, "messaging/templates.html", {"form": form, "templates": templates})


def _template(request: HttpRequest, template_id: UUID) -> MessageTemplate:
    return get_object_or_404(
        MessageTemplate.objects.for_workspace(request.workspace), public_id=template_id
    )


@workspace_view(Role.SENDER)
@require_http_methods(["GET", "POST"])
def template_edit_view(request: HttpRequest, template_id: UUID) -> HttpResponse:
    template = _template(request, template_id)
    form = TemplateForm(request.workspace, request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, f"Template “{template.name}” saved.")
        return redirect("messaging:templates", slug=request.workspace.slug)
    return render(request, "messaging/template_edit.html", {"form": form, "template": template})


@workspace_view(Role.SENDER)
@require_POST
def template_delete_view(request: HttpRequest, template_id: UUID) -> HttpResponse:
    template = _template(request, template_id)
    template.delete()
    flash.success(request, f"Template “{template.name}” deleted.")
    return redirect("messaging:templates", slug=request.workspace.slug)


@workspace_view(Role.VIEWER, post_role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def senders_view(request: HttpRequest) -> HttpResponse:
    form = SenderIDForm(request.workspace, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if form.cleaned_data["is_default"]:
                SenderID.objects.for_workspace(request.workspace).update(is_default=False)
            sender = SenderID.objects.create(
                workspace=request.workspace,
                value=form.cleaned_data["value"],
                is_default=form.cleaned_data["is_default"]
                or not SenderID.objects.for_workspace(request.workspace).exists(),
            )
            audit_record("sender_id_added", request=request, obj=sender)
        flash.success(request, f"Sender ID “{sender.value}” approved.")
        return redirect("messaging:senders", slug=request.workspace.slug)
    senders = SenderID.objects.for_workspace(request.workspace)
    can_edit = request.role.at_least(Role.ADMIN)
    return render(
        request, "messaging/senders.html", {"form": form, "senders": senders, "can_edit": can_edit}
    )


def _sender(request: HttpRequest, sender_id: UUID) -> SenderID:
    return get_object_or_404(SenderID.objects.for_workspace(request.workspace), public_id=sender_id)


@workspace_view(Role.ADMIN)
@require_POST
def sender_default_view(request: HttpRequest, sender_id: UUID) -> HttpResponse:
    sender = _sender(request, sender_id)
    try:
        with transaction.atomic():
            SenderID.objects.for_workspace(request.workspace).update(is_default=False)
            SenderID.objects.filter(pk=sender.pk).update(is_default=True)
    except IntegrityError:
        flash.error(request, "Could not change the default; try again.")
    return redirect("messaging:senders", slug=request.workspace.slug)


@workspace_view(Role.ADMIN)
@require_POST
def sender_delete_view(request: HttpRequest, sender_id: UUID) -> HttpResponse:
    sender = _sender(request, sender_id)
    audit_record("sender_id_removed", request=request, obj=sender)
    sender.delete()
    flash.success(request, f"Sender ID “{sender.value}” removed.")
    return redirect("messaging:senders", slug=request.workspace.slug)
