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
    """Beat: e-mail the scheduled reports that are due (one run at a time)."""
    with task_lock(SCHEDULED_LOCK) as held:
        if held:
            schedule_services.scheduled_reports_send()
