"""Celery tasks of the reporting app: thin, take ids, call a service."""

from celery import shared_task

from accounts.locks import task_lock

from .services import balance as balance_services
from .services import schedules as schedule_services
from .services import snapshots as snapshot_services

SCHEDULED_LOCK = "reporting:scheduled_reports"


@shared_task
def snapshot_fetch_task(snapshot_id: int) -> None:
    snapshot_services.snapshot_fetch(snapshot_id=snapshot_id)


@shared_task
def snapshots_prune_task() -> None:
    """Beat: delete snapshots nobody has looked at for REPORTING_PRUNE_DAYS."""
    snapshot_services.snapshots_prune()


@shared_task
def balance_points_task() -> None:
    """Beat: record each workspace's last checked balance as a point of its trend."""
    balance_services.balance_points_record()


@shared_task
def scheduled_reports_task() -> None:
    """Beat: one task per workspace with scheduled reports due."""
    with task_lock(SCHEDULED_LOCK) as held:
        if held:
            for workspace_id in schedule_services.workspaces_with_reports_due():
                scheduled_reports_workspace_task.delay(workspace_id)


@shared_task
def scheduled_reports_workspace_task(workspace_id: int) -> None:
    """One workspace's due scheduled reports; a slow report holds up only its own workspace."""
    with task_lock(f"{SCHEDULED_LOCK}:{workspace_id}") as held:
        if held:
            schedule_services.scheduled_reports_send(workspace_id=workspace_id)
