"""The sandbox's own pages: accounts and tokens, handsets, address book, inbound, faults."""

from __future__ import annotations

from collections import OrderedDict

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from . import inbound, sending, services, workers
from .access import account_for, require_staff, visible_accounts
from .faults import clear_faults, set_faults
from .forms import AccountForm, FaultsForm, TextInForm, VmnForm
from .models import Faults, SandboxAccount

MESSAGES_SHOWN = 300


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    workers.resume_due()
    if request.method == "POST":
        require_staff(request)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = services.account_create(
            data["username"],
            credits=data["credits"],
            admin=data["admin"],
            vmn=data["vmn"] or None,
            forward_url=data["forward_url"] or None,
            forward_method=data["forward_method"],
            forward_auth=data["forward_auth"],
        )
        flash.success(request, f"Account {account.username} created.")
        return redirect("sandbox:accounts")
    rows = (
        visible_accounts(request.user).select_related("parent", "faults").prefetch_related("vmns")
    )
    context = {
        "accounts": rows,
        "form": form if request.user.is_staff else None,
        "test_numbers": sending.magic_endings(),
    }
    return render(request, "sandbox/accounts.html", context)


def handsets(account: SandboxAccount) -> list[tuple[str, list]]:
    """The account's latest messages grouped per destination, newest handset first."""
    now = timezone.now()
    grouped: OrderedDict[str, list] = OrderedDict()
    for message in account.messages.filter(part=1).order_by("-pk")[:MESSAGES_SHOWN]:
        message.status_now = message.status_at(now)
        grouped.setdefault(message.destination, []).append(message)
    return list(grouped.items())


@login_required
def account_messages(request: HttpRequest, pk: int) -> HttpResponse:
    workers.resume_due()
    account = account_for(request, pk)
    context = {"account": account, "handsets": handsets(account), "tab": "messages"}
    if request.headers.get("HX-Request"):
        return render(request, "sandbox/account_messages.html#handsets", context)
    return render(request, "sandbox/account_messages.html", context)


@login_required
def account_book(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_for(request, pk)
    context = {
        "account": account,
        "tab": "book",
        "contacts": account.contacts.prefetch_related("groups")[:500],
        "groups": account.groups.prefetch_related("contacts"),
        "lists": account.lists.prefetch_related("entries"),
    }
    return render(request, "sandbox/account_book.html", context)


@login_required
def account_inbound(request: HttpRequest, pk: int) -> HttpResponse:
    workers.resume_due()
    account = account_for(request, pk)
    adding = request.method == "POST" and "add_vmn" in request.POST
    form = TextInForm(
        request.POST if request.method == "POST" and not adding else None, account=account
    )
    vmn_form = VmnForm(request.POST if adding else None)
    if adding and vmn_form.is_valid():
        data = vmn_form.cleaned_data
        try:
            vmn = services.vmn_add(
                account,
                data["number"],
                forward_url=data["forward_url"],
                forward_method=data["forward_method"],
                forward_auth=data["forward_auth"],
            )
        except services.VmnTaken:  # taken since the form looked
            vmn_form.add_error("number", _("That VMN belongs to an account already."))
        else:
            flash.success(request, _("VMN %(number)s added.") % {"number": vmn.number})
            return redirect("sandbox:inbound", pk=account.pk)
    if request.method == "POST" and not adding and form.is_valid():
        try:
            message = inbound.receive(
                to=form.cleaned_data["vmn"],
                sender=form.cleaned_data["sender"],
                text=form.cleaned_data["text"],
            )
        except inbound.InboundError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, f"Inbound message {message.pk} received.")
            return redirect("sandbox:inbound", pk=account.pk)
    received = account.inbound.select_related("vmn").prefetch_related("attempts")
    context = {
        "account": account,
        "tab": "inbound",
        "form": form,
        "vmn_form": vmn_form,
        "vmns": account.vmns.select_related("linked_list"),
        "received": received.order_by("-pk")[:100],
    }
    return render(request, "sandbox/account_inbound.html", context)


@login_required
def account_faults(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_for(request, pk)
    faults, _ = Faults.objects.get_or_create(account=account)
    form = FaultsForm(request.POST or None, instance=faults)
    if request.method == "POST":
        if "clear" in request.POST:
            clear_faults(account)
            flash.success(request, "Faults cleared.")
            return redirect("sandbox:faults", pk=account.pk)
        if form.is_valid():
            set_faults(account, **form.settings())
            flash.success(request, "Faults saved.")
            return redirect("sandbox:faults", pk=account.pk)
    context = {"account": account, "tab": "faults", "form": form, "faults": faults}
    return render(request, "sandbox/account_faults.html", context)


page_patterns = [
    path("", accounts, name="accounts"),
    path("accounts/<int:pk>/", account_messages, name="messages"),
    path("accounts/<int:pk>/book/", account_book, name="book"),
    path("accounts/<int:pk>/inbound/", account_inbound, name="inbound"),
    path("accounts/<int:pk>/faults/", account_faults, name="faults"),
]
