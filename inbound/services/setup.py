"""VMNs and their forwarding settings; opt-out words; auto-reply rules (owners and admins)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Workspace

from ..models import AutoReplyRule, InboxSettings, VirtualNumber, new_auth


def forwarding_url(vmn: VirtualNumber, *, site_url: str | None = None) -> str:
    """The URL to enter on the gateway for this VMN."""
    base = (site_url or settings.SITE_URL).rstrip("/")
    return base + reverse("inbound_endpoint:receive", kwargs={"key": vmn.key})


def vmn_create(
    *, request: HttpRequest | None, workspace: Workspace, number: str, label: str, method: str
) -> VirtualNumber:
    vmn = VirtualNumber.objects.create(
        workspace=workspace, number=number, label=label, method=method
    )
    audit_record("vmn_added", request=request, workspace=workspace, obj=vmn)
    return vmn


def vmn_rotate_auth(*, request: HttpRequest | None, vmn: VirtualNumber) -> VirtualNumber:
    """A new `auth` value; the old one is still accepted for the grace period."""
    now = timezone.now()
    grace = timedelta(hours=settings.INBOUND_AUTH_GRACE_HOURS)
    with transaction.atomic():
        vmn.previous_auth, vmn.auth = vmn.auth, new_auth()
        vmn.previous_auth_until = now + grace
        vmn.auth_rotated_at = now
        vmn.save(update_fields=["auth", "previous_auth", "previous_auth_until", "auth_rotated_at"])
        audit_record(
            "inbound_auth_rotated",
            request=request,
            workspace=vmn.workspace,
            obj=vmn,
            old_value_accepted_until=vmn.previous_auth_until.isoformat(),
        )
    return vmn


def opt_words_update(
    *, request: HttpRequest | None, prefs: InboxSettings, changed: list[str]
) -> None:
    prefs.save()
    if {"opt_out_words", "opt_in_words"} & set(changed):
        audit_record(
            "opt_out_keywords_changed",
            request=request,
            workspace=prefs.workspace,
            opt_out_words=prefs.opt_out_words,
            opt_in_words=prefs.opt_in_words,
        )


def rule_save(*, request: HttpRequest | None, rule: AutoReplyRule) -> AutoReplyRule:
    rule.save()
    audit_record("auto_reply_saved", request=request, workspace=rule.workspace, obj=rule)
    return rule
