"""Celery tasks of the accounts app: thin, take ids, re-check state, call a service."""

from celery import shared_task
from django.core.cache import cache

from .models import ChildAccount, GatewayConnection, LedgerEntry, Workspace
from .services import gateway as gateway_services
from .services import reseller as reseller_services

REFRESH_LOCK = "lock:accounts:balances_refresh"


@shared_task
def gateway_check_task(workspace_id: int) -> None:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        gateway_services.gateway_check(workspace=workspace)


@shared_task
def balances_refresh() -> None:
    """Beat: refresh every connected workspace's cached balance (one run at a time)."""
    if not cache.add(REFRESH_LOCK, "1", timeout=15 * 60):
        return
    try:
        ids = GatewayConnection.objects.filter(workspace__suspended_at__isnull=True).values_list(
            "workspace_id", flat=True
        )
        for workspace in Workspace.objects.filter(pk__in=list(ids)):
            gateway_services.gateway_check(workspace=workspace)
    finally:
        cache.delete(REFRESH_LOCK)


@shared_task
def child_create_task(child_id: int) -> None:
    if ChildAccount.objects.filter(pk=child_id).exists():
        reseller_services.child_create_run(child_id=child_id)


@shared_task
def credits_transfer_task(entry_id: int) -> None:
    if LedgerEntry.objects.filter(pk=entry_id).exists():
        reseller_services.credits_transfer_run(entry_id=entry_id)


@shared_task
def reseller_sweep() -> None:
    """Beat: re-queue work that never started; mark calls cut off mid-way for review."""
    reseller_services.reseller_sweep()
