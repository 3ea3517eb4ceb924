"""Fixtures for the reporting tests: a workspace on a sandbox account, messages sent to it,
snapshots built from CSV text, and tasks run inline."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from accounts.gateway import client_for as gateway_client
from accounts.models import GatewayConnection, Workspace
from reporting.models import ReportSnapshot
from reporting.services.snapshots import snapshot_store_body

HEADER = (
    '"MessageID","Username","Destination","Source","Status","Schedule Date","Sent Date",'
    '"Delivery Date"\n'
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def gateway(sandbox_account, sandbox_api_url, workspace, settings):  # noqa: ANN001, ANN201
    """The workspace connected to a sandbox account that delivers at once."""
    settings.SANDBOX_DELIVERY_SECONDS = 0
    account = sandbox_account(username="acme-reports", credits=100_000, vmn="447700900999")
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    return account


@pytest.fixture
def send(gateway, workspace) -> Callable[..., list]:  # noqa: ANN001
    """Send messages on the workspace's sandbox account, straight through the client."""

    def make(numbers: list[str], body: str = "Hello from Acme") -> list:
        return gateway_client(workspace).send(numbers, "Acme", body)

    return make


@pytest.fixture
def make_snapshot(workspace: Workspace) -> Callable[..., ReportSnapshot]:
    """A snapshot of `report_type` whose body is `csv` (stored and parsed as a fetch would)."""

    def make(
        csv: str | None = None,
        report_type: str = "Messages",
        start: datetime = datetime(2026, 1, 1, tzinfo=UTC),
        end: datetime = datetime(2026, 1, 1, 23, 59, 59, tzinfo=UTC),
    ) -> ReportSnapshot:
        snapshot = ReportSnapshot.objects.create(
            workspace=workspace,
            report_type=report_type,
            range_start=start,
            range_end=end,
            state="fetching",
            requested_at=timezone.now(),
        )
        if csv is not None:
            snapshot_store_body(snapshot=snapshot, body=csv, fetched_at=timezone.now())
            snapshot.refresh_from_db()
        return snapshot

    return make


def messages_csv(count: int, status: str = "Delivered", start: int = 1) -> str:
    rows = [
        f'"{i}","acme","4477009{i:05d}","Acme","{status}","","01/01/2026 10:{i % 60:02d}:00",'
        f'"01/01/2026 10:{i % 60:02d}:05"\n'
        for i in range(start, start + count)
    ]
    return HEADER + "".join(rows)
