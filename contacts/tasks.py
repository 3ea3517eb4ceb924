"""Celery tasks of the contacts app: thin, take ids, re-check state, call a service."""

from celery import shared_task

from accounts.locks import task_lock
from accounts.models import Workspace

from . import privacy
from .models import ContactImport, GatewayJob
from .services import importing, sync


@shared_task
def contact_import_task(import_id: int) -> None:
    if ContactImport.objects.filter(pk=import_id).exists():
        importing.import_run(import_id=import_id)


@shared_task
def contacts_push_task(workspace_id: int) -> None:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        sync.contacts_push(workspace=workspace)


@shared_task
def gateway_job_task(job_id: int) -> None:
    if GatewayJob.objects.filter(pk=job_id).exists():
        sync.gateway_job_run(job_id=job_id)


@shared_task
def contacts_sweep() -> None:
    """Beat: resume stopped imports and push contacts whose last push failed."""
    importing.import_sweep()
    sync.push_sweep()


RETENTION_LOCK = "contacts:retention"


@shared_task
def retention_sweep_task() -> None:
    """Beat: one retention purge per workspace (a large workspace never delays another's)."""
    with task_lock(RETENTION_LOCK) as held:
        if not held:
            return
        for workspace_id in Workspace.objects.values_list("pk", flat=True):
            retention_purge_task.delay(workspace_id)


@shared_task
def retention_purge_task(workspace_id: int) -> None:
    with task_lock(f"{RETENTION_LOCK}:{workspace_id}") as held:
        workspace = Workspace.objects.filter(pk=workspace_id).first()
        if held and workspace is not None:
            privacy.retention_purge(workspace)
