"""Recovering texts the endpoint never received, from the gateway's InboundMessages report."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

import textconnect
from accounts.gateway import GatewayNotConnected, client_for
from accounts.models import Workspace
from contacts.phone import InvalidNumber, normalise_number

from ..models import InboundMessage, InboxSettings, VirtualNumber
from .process import inbox_settings
from .receive import Refused, inbound_store

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=10)  # texts the gateway dated just before the last run's end


def _window(prefs: InboxSettings, now: datetime) -> datetime:
    oldest = now - timedelta(hours=settings.INBOUND_RECONCILE_MAX_HOURS)
    if prefs.reconciled_until is None:
        return now - timedelta(hours=settings.INBOUND_RECONCILE_FIRST_HOURS)
    return max(prefs.reconciled_until - OVERLAP, oldest)


def _e164(value: str, country: str) -> str | None:
    try:
        return normalise_number(value, country)
    except InvalidNumber:
        return None


def reconcile_workspace(*, workspace: Workspace, now: datetime | None = None) -> int:
    """Store every text of the report window that is not in the inbox yet; returns how many."""
    now = now or timezone.now()
    vmns = {v.number: v for v in VirtualNumber.objects.for_workspace(workspace)}
    if not vmns:
        return 0
    prefs = inbox_settings(workspace)
    start = _window(prefs, now)
    try:
        with client_for(workspace) as client:
            rows = client.report("InboundMessages", start, now)
    except (textconnect.TextConnectError, GatewayNotConnected) as exc:
        log.warning("inbound reconcile: no report for workspace %s: %s", workspace.pk, exc)
        return 0
    rows = [r for r in rows if isinstance(r, textconnect.InboundRow) and r.message_id]
    known = set(
        InboundMessage.objects.for_workspace(workspace)
        .filter(gateway_id__in=[r.message_id for r in rows])
        .values_list("gateway_id", flat=True)
    )
    recovered = 0
    for row in rows:
        if row.message_id in known:
            continue
        vmn = vmns.get(_e164(row.number, workspace.default_country) or "")
        if vmn is None:
            continue  # a number of the account that this workspace does not receive on
        source = _e164(row.from_number, workspace.default_country) or row.from_number[:20]
        fields = {
            "gateway_id": row.message_id[:40],
            "source": source,
            "dest": vmn.number,
            "body": row.message,
            "received_at": row.received_date or now,
            "recovered": True,
            "raw": {"report": "InboundMessages", "From": row.from_number, "Number": row.number},
        }
        try:
            if inbound_store(workspace_id=workspace.pk, vmn=vmn, fields=fields).created:
                recovered += 1
        except Refused:
            continue
    InboxSettings.objects.filter(pk=prefs.pk).update(reconciled_until=now)
    if recovered:
        log.info("inbound reconcile: workspace %s recovered %s texts", workspace.pk, recovered)
    return recovered


def workspaces_to_reconcile() -> list[int]:
    """Workspaces with a virtual number (beat queues one task for each)."""
    return list(
        Workspace.objects.filter(vmns__isnull=False, suspended_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def reconcile_all() -> int:
    """Every such workspace, one after another in this process (tests)."""
    workspaces = Workspace.objects.filter(pk__in=workspaces_to_reconcile())
    return sum(reconcile_workspace(workspace=ws) for ws in workspaces)
