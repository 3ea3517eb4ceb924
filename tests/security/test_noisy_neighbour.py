"""One tenant's load must never delay another tenant's sends: separate queues for bulk work, one
task per workspace per sweep, dispatch in turns, and a real worker pair proving it end to end."""

import json
import uuid

import pytest
from django.utils import timezone

from accounts.models import GatewayConnection
from config.celery import app as celery_app
from config.queues import WORKER_QUEUES
from contacts.models import Contact, SyncState
from contacts.services import sync
from contacts.tasks import contacts_push_task
from messaging.models import Broadcast, Message
from messaging.services import dispatch
from messaging.tasks import track_statuses_task
from sandbox.models import Message as SandboxMessage
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker():
    """The real broker, with nothing queued and no worker taking tasks (they stay to be counted)."""
    celery_app.control.purge()
    yield
    celery_app.control.purge()


def queued(queue: str) -> list[tuple[str, str]]:
    """(task name, arguments) of every message waiting in a Redis queue."""
    with celery_app.connection_for_write() as connection:
        raw = connection.default_channel.client.lrange(queue, 0, -1)
    messages = [json.loads(item) for item in raw]
    return [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in messages]


def connected_workspaces(count: int, api_url: str = "http://gateway.invalid/api") -> list:
    workspaces = [WorkspaceFactory() for _ in range(count)]
    for workspace in workspaces:
        GatewayConnection.objects.create(workspace=workspace, token="t0ken", api_url=api_url)
    return workspaces


def unsynced(workspace, count: int, start: int = 0) -> None:  # noqa: ANN001
    Contact.objects.bulk_create(
        (
            Contact(workspace=workspace, number=f"+447{i:06d}500", name=f"C{i}")
            for i in range(start, start + count)
        ),
        batch_size=5000,
    )


def test_a_big_import_queues_one_push_per_workspace_not_one_per_contact(broker):
    workspaces = connected_workspaces(3)
    for index, workspace in enumerate(workspaces):
        unsynced(workspace, [6000, 3000, 1000][index], start=index * 10_000)
    assert sync.push_sweep() == 3
    tasks = queued("bulk")
    assert sorted(tasks) == sorted(
        ("contacts.tasks.contacts_push_task", f"({w.pk},)") for w in workspaces
    )


def test_status_tracking_queues_one_task_per_workspace(broker):
    workspaces = connected_workspaces(2)
    for workspace in workspaces:
        broadcast = Broadcast.objects.create(
            workspace=workspace, body="Hi", source="Acme", idempotency_key=uuid.uuid4()
        )
        Message.objects.bulk_create(
            Message(
                workspace=workspace,
                broadcast=broadcast,
                destination=f"+4477009{i:05d}",
                state="submitted",
                next_check_at=timezone.now(),
            )
            for i in range(50)
        )
    track_statuses_task()
    sends = queued("send")
    tracked = {args for name, args in sends if name.endswith("track_workspace_task")}
    assert tracked == {f"({w.pk},)" for w in workspaces}
    assert len([n for n, _ in sends if n.endswith("track_workspace_task")]) == 2


def test_a_large_send_takes_turns_with_other_workspaces_sends(broker, gateway, compose, settings):
    settings.MESSAGING_BATCH_SIZE = 10
    settings.MESSAGING_DISPATCH_SLICE_SECONDS = 0  # every batch is a turn
    broadcast = compose(confirm=False, numbers=[f"+447{i:06d}500" for i in range(30)])
    broadcast.status = "queued"
    broadcast.save()
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    assert broadcast.messages.filter(state="submitted").count() == 10
    assert broadcast.messages.filter(state="queued").count() == 20
    assert queued("send") == [("messaging.tasks.broadcast_dispatch_task", f"({broadcast.pk},)")]


@pytest.mark.worker
def test_a_broadcast_in_one_workspace_reaches_the_gateway_while_another_syncs_100000_contacts(
    gateway, compose, workspace, sandbox_account, sandbox_api_url, start_worker, wait_for
):
    big = WorkspaceFactory(name="Big importer")
    other = sandbox_account(username="big", credits=1000)
    GatewayConnection.objects.create(workspace=big, token=other.token, api_url=sandbox_api_url)
    unsynced(big, 100_000, start=100_000)
    workers = [  # as make run and docker-compose run them
        start_worker(name=group, queues=queues) for group, queues in WORKER_QUEUES.items()
    ]
    contacts_push_task.delay(big.pk)
    pending = Contact.objects.filter(workspace=big, sync_state=SyncState.UNSYNCED)
    wait_for(lambda: pending.count() < 100_000, timeout=60)  # the sync is under way
    broadcast = compose(["+447700900123"])
    wait_for(lambda: SandboxMessage.objects.filter(account=gateway).exists(), timeout=30)
    assert pending.exists(), "the other workspace's sync should still be running"
    assert Message.objects.get(broadcast=broadcast).state != "queued"
    workers[1].kill()  # the background worker is still pushing: no need to wait for it
