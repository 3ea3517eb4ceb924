from collections.abc import Callable, Iterator

import pytest

from accounts.models import GatewayConnection, Workspace
from config.celery import app as celery_app


@pytest.fixture
def eager_tasks(django_capture_on_commit_callbacks) -> Iterator[None]:  # noqa: ANN001
    """Run queued tasks inline, for view tests; the worker tests use a real worker."""
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False


@pytest.fixture
def connect(sandbox_api_url: str) -> Callable[..., GatewayConnection]:
    """Connect a workspace to a sandbox account over the live server."""

    def make(workspace: Workspace, account, admin: bool = False, **fields) -> GatewayConnection:  # noqa: ANN001, ANN003
        return GatewayConnection.objects.create(
            workspace=workspace,
            token=account.token,
            api_url=sandbox_api_url,
            is_admin_account=admin,
            **fields,
        )

    return make
