"""Celery tasks of the accounts app: thin, take ids, re-check state, call a service."""

from celery import shared_task

from .models import GatewayConnection, Workspace
from .services import gateway as gateway_services
from .services import reseller as reseller_services


@shared_task
def gateway_check_task(workspace_id: int) -> None:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        gateway_services.gateway_check(workspace=workspace)


@shared_task
def balances_refresh() -> None:
    """Beat: one balance check per connected workspace, each its own task, so that a gateway
    that does not answer holds up only its own check."""
    ids = GatewayConnection.objects.filter(workspace__suspended_at__isnull=True).values_list(
        "workspace_id", flat=True
    )
    for workspace_id in ids:
        gateway_check_task.delay(workspace_id)


@shared_task
def child_create_task(child_id: int) -> None:
    reseller_services.child_create_run(child_id=child_id)  # claims the child, or does nothing


@shared_task
def credits_transfer_task(entry_id: int) -> None:
    reseller_services.credits_transfer_run(entry_id=entry_id)  # claims the entry, or does nothing


@shared_task
def reseller_sweep() -> None:
    """Beat: re-queue work that never started; mark calls cut off mid-way for review."""
    reseller_services.reseller_sweep()


@shared_task
def webhook_deliver_task(endpoint_id: int) -> None:
    from . import webhooks

    if webhooks.endpoint_deliver(endpoint_id):  # its turn ran out: the rest after the others
        webhook_deliver_task.delay(endpoint_id)


@shared_task
def webhooks_sweep() -> None:
    """Retries that are due, and deliveries whose first task was lost: one task per endpoint."""
    from . import webhooks

    for endpoint_id in webhooks.endpoints_due():
        webhook_deliver_task.delay(endpoint_id)
