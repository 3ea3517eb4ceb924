import uuid
from collections.abc import Callable

import pytest

from accounts.models import GatewayConnection, Workspace
from messaging.models import Broadcast
from messaging.services.compose import Draft, broadcast_confirm, broadcast_create


@pytest.fixture
def gateway(sandbox_account, sandbox_api_url, workspace, settings):  # noqa: ANN001, ANN201
    """The workspace connected to a sandbox account that delivers at once."""
    settings.SANDBOX_DELIVERY_SECONDS = 0
    account = sandbox_account(username="acme", credits=100_000)
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    return account


@pytest.fixture
def compose(workspace: Workspace, owner) -> Callable[..., Broadcast]:  # noqa: ANN001
    """Create a broadcast as the owner would (confirmed unless confirm=False)."""

    def make(
        numbers=(), body="Hello from Acme", source="Acme", confirm=True, **fields
    ) -> Broadcast:  # noqa: ANN001, ANN003
        draft = Draft(body=body, source=source, numbers=list(numbers), **fields)
        broadcast = broadcast_create(
            workspace=workspace, user=owner, draft=draft, idempotency_key=uuid.uuid4()
        )
        return broadcast_confirm(broadcast=broadcast, user=owner) if confirm else broadcast

    return make


def uk(last: int) -> str:
    """A UK mobile in the drama range whose last three digits choose the sandbox's outcome."""
    return f"+447700900{last:03d}"


def many(count: int, start: int = 0) -> list[str]:
    """`count` distinct UK mobiles that the sandbox delivers (they all end in 500)."""
    return [f"+447{i:06d}500" for i in range(start, start + count)]
