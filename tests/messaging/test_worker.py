"""Through a real Celery worker: crashes and gateway faults never send a recipient twice and drop
none. The beat jobs (reconcile, dispatch_due) are run here with a clock moved forward, as beat
would run them later."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact, Group
from messaging.models import Broadcast, DispatchRun, Message
from messaging.services import reconcile, schedule, tracking
from messaging.services.runs import live
from sandbox.faults import clear_faults, set_faults
from sandbox.models import Message as SandboxMessage

from .conftest import many

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

UNSETTLED = ["queued", "submitting"]


def drive(broadcast: Broadcast, rounds: int = 20) -> None:
    """Run beat's jobs until every row has left the outbox, giving the worker time between: the
    clock is moved past the reconciler's horizon once no dispatch run is alive any more."""
    for _ in range(rounds):
        if not Message.objects.filter(broadcast=broadcast, state__in=UNSETTLED).exists():
            return
        runs_done = not DispatchRun.objects.filter(broadcast=broadcast).filter(live()).exists()
        later = timezone.now() + (reconcile.horizon() * 2 if runs_done else timedelta(0))
        reconcile.reconcile_workspace(workspace=broadcast.workspace, now=later)
        schedule.dispatch_due(now=later)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if not Message.objects.filter(broadcast=broadcast, state__in=UNSETTLED).exists():
                return
            time.sleep(0.2)
    raise AssertionError("the outbox did not empty")


def assert_each_received_once(account, numbers: list[str]) -> None:  # noqa: ANN001
    counts = Counter(
        SandboxMessage.objects.filter(account=account).values_list("destination", flat=True)
    )
    assert set(counts) == {n.lstrip("+") for n in numbers}
    assert max(counts.values()) == 1


@pytest.fixture(scope="module", autouse=True)
def _plain_worker_afterwards(celery_worker):  # noqa: ANN001, ANN202
    """Tests here restart the session's worker with settings of their own; later tests get it
    back as it was."""
    yield
    celery_worker.configure()


@pytest.mark.parametrize("count", [1, 3, 1000])
def test_a_send_goes_through_the_worker(gateway, compose, celery_worker, wait_for, count):
    broadcast = compose(many(count, start=count))
    wait_for(lambda: Broadcast.objects.get(pk=broadcast.pk).status == "sent", timeout=60)
    assert_each_received_once(gateway, many(count, start=count))


def test_killing_the_worker_mid_send_sends_each_recipient_exactly_once(
    gateway, compose, celery_worker, wait_for
):
    # A lease of 3 s: the killed run's rows come into doubt soon after the kill.
    celery_worker.configure(
        MESSAGING_BATCH_SIZE="10", TEXTCONNECT_TIMEOUT="1", MESSAGING_RUN_LEASE_SECONDS="3"
    )
    set_faults(gateway, latency_before=0.05)  # every call takes a little while
    numbers = many(500)
    broadcast = compose(numbers)
    wait_for(lambda: Message.objects.filter(broadcast=broadcast, state="submitted").count() >= 60)
    celery_worker.kill()
    done = Message.objects.filter(broadcast=broadcast, state="submitted").count()
    assert done < 500, "the worker should have been killed mid-send"
    clear_faults(gateway)
    celery_worker.start()  # a new worker process, as after a crash
    drive(broadcast)
    assert_each_received_once(gateway, numbers)
    assert Message.objects.filter(broadcast=broadcast, state="submitted").count() == 500


@pytest.mark.parametrize(
    "faults",
    [
        {"http_500_rate": 1.0, "calls": 2},
        {"latency_after": 2.0, "calls": 2},  # past the worker's 1 s timeout: accepted, answer lost
        {"maintenance": True, "calls": 2},
        {"drop_after_rate": 1.0, "calls": 2},
    ],
    ids=["500s", "timeouts-after-accept", "maintenance", "dropped-after-accept"],
)
def test_gateway_faults_during_a_send_still_send_each_recipient_once(
    gateway, compose, celery_worker, wait_for, faults
):
    celery_worker.configure(MESSAGING_BATCH_SIZE="20", TEXTCONNECT_TIMEOUT="1")
    set_faults(gateway, **faults)
    numbers = many(60, start=1000)
    broadcast = compose(numbers)
    drive(broadcast)
    assert_each_received_once(gateway, numbers)
    wait_for(lambda: Broadcast.objects.get(pk=broadcast.pk).status == "sent")


def test_a_group_over_200_goes_through_the_background_path(
    gateway, compose, celery_worker, wait_for, workspace, sandbox_api_url
):
    from sandbox.models import Contact as SandboxContact
    from sandbox.models import Group as SandboxGroup

    group = SandboxGroup.objects.create(account=gateway, name="Everyone")
    contacts = SandboxContact.objects.bulk_create(
        SandboxContact(account=gateway, name=f"C{i}", number=n.lstrip("+"))
        for i, n in enumerate(many(250, start=5000))
    )
    group.contacts.add(*contacts)
    broadcast = compose(gateway_group="Everyone")
    wait_for(lambda: Broadcast.objects.get(pk=broadcast.pk).bg_send_id, timeout=20)
    for _ in range(40):
        schedule.dispatch_due(now=timezone.now() + timedelta(minutes=5))
        time.sleep(0.25)
        if Broadcast.objects.get(pk=broadcast.pk).recipient_count == 250:
            break
    broadcast.refresh_from_db()
    assert broadcast.recipient_count == 250 and broadcast.messages.count() == 250
    tracking.track_workspace(workspace=workspace, now=timezone.now() + timedelta(minutes=1))
    assert broadcast.messages.filter(state="delivered").count() == 250


def test_a_local_group_is_sent_number_by_number(
    gateway, compose, celery_worker, wait_for, workspace
):
    group = Group.objects.create(workspace=workspace, name="VIP")
    for number in many(5, start=7000):
        group.contacts.add(Contact.objects.create(workspace=workspace, number=number))
    broadcast = compose(group_ids=[group.pk])
    wait_for(lambda: Broadcast.objects.get(pk=broadcast.pk).status == "sent")
    assert_each_received_once(gateway, many(5, start=7000))
