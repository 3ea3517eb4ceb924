"""Inbox pages: conversations, a thread with its reply box, and the VMN settings."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import workspace_view
from accounts.roles import Role

from .forms import AutoReplyRuleForm, InboxSettingsForm, ReplyForm, VirtualNumberForm
from .models import AutoReplyRule, Conversation, VirtualNumber
from .services import conversations as services
from .services import setup
from .services.process import inbox_settings

PAGE_SIZE = 50


def _conversation(request: HttpRequest, conversation_id: UUID) -> Conversation:
    return get_object_or_404(
        Conversation.objects.for_workspace(request.workspace).select_related("contact", "vmn"),
        public_id=conversation_id,
    )


@workspace_view(Role.VIEWER)
def inbox(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")
    page = Paginator(
        services.conversation_list(request.workspace, search=search), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "search": search,
        "has_vmns": VirtualNumber.objects.for_workspace(request.workspace).exists(),
    }
    template = "inbound/inbox.html#conversations" if request.htmx else "inbound/inbox.html"
    return render(request, template, context)


@workspace_view(Role.VIEWER)
def unread_badge(request: HttpRequest) -> HttpResponse:
    return render(
        request, "inbound/_unread_badge.html", {"unread": services.unread_total(request.workspace)}
    )


def _thread_context(request: HttpRequest, conversation: Conversation) -> dict:
    return {
        "conversation": conversation,
        "entries": services.conversation_thread(conversation),
    }


@workspace_view(Role.VIEWER, post_role=Role.SENDER)
def conversation(request: HttpRequest, conversation_id: UUID) -> HttpResponse:
    conv = _conversation(request, conversation_id)
    if conv.unread_count:
        services.conversation_mark_read(conv)
    context = _thread_context(request, conv)
    if request.htmx:
        return render(request, "inbound/conversation.html#thread", context)
    context["form"] = ReplyForm()
    return render(request, "inbound/conversation.html", context)


@workspace_view(Role.SENDER)
@require_POST
def reply(request: HttpRequest, conversation_id: UUID) -> HttpResponse:
    conv = _conversation(request, conversation_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:  # a double submit carries the same key: the messaging pipeline sends once
            services.conversation_reply(
                conversation=conv,
                body=form.cleaned_data["body"],
                user=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            form.add_error("body", exc)
    if form.is_valid():
        messages.success(request, _("Reply queued."))
        return redirect(
            "inbound:conversation", slug=request.workspace.slug, conversation_id=conv.public_id
        )
    context = _thread_context(request, conv) | {"form": form}
    return render(request, "inbound/conversation.html", context)


@workspace_view(Role.SENDER)
@require_POST
def mark_unread(request: HttpRequest, conversation_id: UUID) -> HttpResponse:
    conv = _conversation(request, conversation_id)
    services.conversation_mark_unread(conv)
    messages.info(request, _("The conversation with %(conv)s is marked unread.") % {"conv": conv})
    return redirect("inbound:inbox", slug=request.workspace.slug)


@workspace_view(Role.SENDER)
@require_POST
def mark_read(request: HttpRequest, conversation_id: UUID) -> HttpResponse:
    conv = _conversation(request, conversation_id)
    services.conversation_mark_read(conv)
    return redirect("inbound:inbox", slug=request.workspace.slug)


# -- settings (owners and admins) -------------------------------------------------------------


def _settings_context(request: HttpRequest, **forms: object) -> dict:
    workspace = request.workspace
    vmns = VirtualNumber.objects.for_workspace(workspace)
    return {
        "vmns": [(vmn, setup.forwarding_url(vmn)) for vmn in vmns],
        "vmn_form": forms.get("vmn_form") or VirtualNumberForm(workspace),
        "prefs_form": forms.get("prefs_form")
        or InboxSettingsForm(instance=inbox_settings(workspace)),
        "rules": AutoReplyRule.objects.for_workspace(workspace).select_related("add_to_group"),
        "rule_form": forms.get("rule_form") or AutoReplyRuleForm(workspace),
        "now": timezone.now(),
    }


def _to_settings(request: HttpRequest) -> HttpResponse:
    return redirect("inbound:settings", slug=request.workspace.slug)


@workspace_view(Role.ADMIN)
def inbox_settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "inbound/settings.html", _settings_context(request))


@workspace_view(Role.ADMIN)
@require_POST
def vmn_add(request: HttpRequest) -> HttpResponse:
    form = VirtualNumberForm(request.workspace, request.POST)
    if not form.is_valid():
        return render(request, "inbound/settings.html", _settings_context(request, vmn_form=form))
    vmn = setup.vmn_create(
        request=request,
        workspace=request.workspace,
        number=form.cleaned_data["number"],
        label=form.cleaned_data["label"],
        method=form.cleaned_data["method"],
    )
    messages.success(
        request,
        _("VMN %(number)s added: enter its settings on the gateway.") % {"number": vmn.number},
    )
    return _to_settings(request)


def _vmn(request: HttpRequest, vmn_id: UUID) -> VirtualNumber:
    vmns = VirtualNumber.objects.for_workspace(request.workspace)
    return get_object_or_404(vmns, public_id=vmn_id)


@workspace_view(Role.ADMIN)
@require_POST
def vmn_update(request: HttpRequest, vmn_id: UUID) -> HttpResponse:
    vmn = _vmn(request, vmn_id)
    form = VirtualNumberForm(request.workspace, request.POST, instance=vmn)
    if form.is_valid():
        form.save()
        messages.success(request, _("VMN %(number)s saved.") % {"number": vmn.number})
    else:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return _to_settings(request)


@workspace_view(Role.ADMIN)
@require_POST
def vmn_rotate(request: HttpRequest, vmn_id: UUID) -> HttpResponse:
    vmn = setup.vmn_rotate_auth(request=request, vmn=_vmn(request, vmn_id))
    messages.success(
        request,
        _(
            "New auth value for %(number)s. Enter it on the gateway; the old one is accepted "
            "until %(until)s UTC."
        )
        % {"number": vmn.number, "until": date_format(vmn.previous_auth_until, "j M Y H:i")},
    )
    return _to_settings(request)


@workspace_view(Role.ADMIN)
@require_POST
def vmn_delete(request: HttpRequest, vmn_id: UUID) -> HttpResponse:
    vmn = _vmn(request, vmn_id)
    vmn.delete()
    messages.info(
        request,
        _("VMN %(number)s removed; its URL no longer accepts texts.") % {"number": vmn.number},
    )
    return _to_settings(request)


@workspace_view(Role.ADMIN)
@require_POST
def opt_words(request: HttpRequest) -> HttpResponse:
    prefs = inbox_settings(request.workspace)
    form = InboxSettingsForm(request.POST, instance=prefs)
    if not form.is_valid():
        return render(request, "inbound/settings.html", _settings_context(request, prefs_form=form))
    setup.opt_words_update(request=request, prefs=form.instance, changed=form.changed_data)
    messages.success(request, _("Opt-out settings saved."))
    return _to_settings(request)


@workspace_view(Role.ADMIN)
@require_POST
def rule_add(request: HttpRequest) -> HttpResponse:
    form = AutoReplyRuleForm(request.workspace, request.POST)
    if not form.is_valid():
        return render(request, "inbound/settings.html", _settings_context(request, rule_form=form))
    form.instance.workspace = request.workspace
    setup.rule_save(request=request, rule=form.instance)
    messages.success(request, _("Auto-reply for %(instance)s saved.") % {"instance": form.instance})
    return _to_settings(request)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: UUID) -> HttpResponse:
    rule = get_object_or_404(
        AutoReplyRule.objects.for_workspace(request.workspace), public_id=rule_id
    )
    form = AutoReplyRuleForm(request.workspace, request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        setup.rule_save(request=request, rule=form.instance)
        messages.success(
            request, _("Auto-reply for %(instance)s saved.") % {"instance": form.instance}
        )
        return _to_settings(request)
    return render(request, "inbound/rule_edit.html", {"form": form, "rule": rule})


@workspace_view(Role.ADMIN)
@require_POST
def rule_delete(request: HttpRequest, rule_id: UUID) -> HttpResponse:
    rule = get_object_or_404(
        AutoReplyRule.objects.for_workspace(request.workspace), public_id=rule_id
    )
    rule.delete()
    messages.info(request, _("Auto-reply for %(rule)s deleted.") % {"rule": rule})
    return _to_settings(request)
