from collections.abc import Callable

import pytest

from accounts.models import GatewayConnection, Workspace


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
