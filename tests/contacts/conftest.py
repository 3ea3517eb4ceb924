"""Fixtures for the contacts tests: inline tasks, a workspace connected to the sandbox, imports."""

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import GatewayConnection, Workspace
from contacts.models import ContactImport
from contacts.services import importing


@pytest.fixture(autouse=True)
def _media(request, settings, tmp_path) -> None:  # noqa: ANN001
    """Uploads go to a throw-away folder; the worker process keeps the default one."""
    if request.node.get_closest_marker("worker") is None:
        settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def connect(sandbox_api_url: str) -> Callable[..., GatewayConnection]:
    """Connect a workspace to a sandbox account over the live server."""

    def make(workspace: Workspace, account) -> GatewayConnection:  # noqa: ANN001
        return GatewayConnection.objects.create(
            workspace=workspace, token=account.token, api_url=sandbox_api_url
        )

    return make


@pytest.fixture
def run_import() -> Callable[..., ContactImport]:
    """Upload bytes, map the columns and run the job inline; returns the finished job."""

    def run(
        workspace: Workspace,
        data: bytes,
        mapping: list[str] | None = None,
        policy: str = "refuse",
        has_header: bool = False,
        name: str = "contacts.csv",
    ) -> ContactImport:
        upload = SimpleUploadedFile(name, data, content_type="text/csv")
        job = importing.import_upload(workspace=workspace, user=None, uploaded=upload)
        ContactImport.objects.filter(pk=job.pk).update(
            mapping=mapping or ["name", "number", "email", "group", "group", "group"],
            policy=policy,
            has_header=has_header,
            state="queued",
        )
        importing.import_run(import_id=job.pk)
        job.refresh_from_db()
        return job

    return run
