"""Exactly once when the gateway is slow, late or silent, and when workers die: real workers, a
real beat and the sandbox over HTTP. Each test asserts one text per recipient at the sandbox and
the broadcast's final state in the portal.

Time is scaled down through settings (a horizon of seconds instead of 15 minutes, a one-second
client timeout), so that the same rules play out within a test."""

from collections import Counter

import pytest
from django.utils import timezone

from accounts.locks import lock_held
from contacts.models import Contact
from messaging.models import Broadcast, Message
from messaging.services.schedule import broadcast_cancel
from messaging.tasks import reconcile_workspace_task
from sandbox.faults import set_faults
from sandbox.models import Faults
from sandbox.models import Message as SandboxMessage

from .conftest import many

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

# Beat as the crash tester ran it, only faster: the reconciler looks every second.
SENT = ["submitted", "delivered"]
FAST_BEAT = {"MESSAGING_RECONCILE_SECONDS": "1", "BALANCE_REFRESH_SECONDS": "3600"}


def received(account) -> Counter:  # noqa: ANN001
    return Counter(
        SandboxMessage.objects.filter(account=account).values_list("destination", flat=True)
    )


def assert_each_received_once(account, numbers: list[str]) -> None:  # noqa: ANN001
    counts = received(account)
    assert set(counts) == {n.lstrip("+") for n in numbers}
    assert max(counts.values()) == 1, [n for n, c in counts.items() if c > 1][:10]


def status(broadcast: Broadcast) -> str:
    return Broadcast.objects.get(pk=broadcast.pk).status


def test_a_slow_gateway_sends_a_personalised_send_to_each_recipient_once(
    gateway, compose, workspace, start_worker, start_beat, wait_for
):
    """500 recipients, one Send each, 150 ms per call, for longer than the run's lease, while the
    reconciler looks every second with a horizon of 4 s: it must never take the live run's rows."""
    numbers = many(500, start=20_000)
    contacts = Contact.objects.bulk_create(
        Contact(workspace=workspace, number=n, name=f"Person {i}") for i, n in enumerate(numbers)
    )
    set_faults(gateway, latency_before=0.15)
    timing = {"TEXTCONNECT_TIMEOUT": "1", "MESSAGING_RUN_LEASE_SECONDS": "3",
              "MESSAGING_RECONCILE_HORIZON_SECONDS": "4"}  # fmt: skip
    start_worker(concurrency=2, **timing)
    start_beat(**FAST_BEAT, **timing)
    broadcast = compose(body="Hi {name}, your slot is ready.", contact_ids=[c.pk for c in contacts])
    assert broadcast.personalised
    wait_for(lambda: status(broadcast) == "sent", timeout=240, interval=0.5)
    assert_each_received_once(gateway, numbers)
    messages = Message.objects.filter(broadcast=broadcast)
    assert messages.filter(state__in=SENT).count() == 500
    assert len(set(messages.values_list("gateway_id", flat=True))) == 500
    assert not messages.filter(events__note__contains="Queued again").exists()


def test_a_send_the_gateway_processes_after_the_client_gave_up_is_not_sent_twice(
    gateway, compose, start_worker, start_beat, wait_for
):
    """The Send is processed 6 s after the call, the client gave up after 1 s: the reconciler
    looks at 0.5, 1, 2, 4 and 7.5 s and finds it, instead of taking early absence as evidence."""
    numbers = many(20, start=30_000)
    set_faults(gateway, latency_before=6, calls=1)
    timing = {"TEXTCONNECT_TIMEOUT": "1", "MESSAGING_RECONCILE_HORIZON_SECONDS": "15"}
    start_worker(**timing)
    start_beat(**FAST_BEAT, **timing)
    broadcast = compose(numbers)
    wait_for(lambda: status(broadcast) == "sent", timeout=60, interval=0.5)
    assert_each_received_once(gateway, numbers)
    message = Message.objects.filter(broadcast=broadcast).first()
    notes = [e.note for e in message.events.all()]
    assert any(n.startswith("No usable answer to the call") for n in notes)
    assert "Found in the gateway's report" in notes


def test_a_worker_killed_while_reconciling_holds_nothing_up_for_long(
    gateway, compose, workspace, start_worker, start_beat, wait_for
):
    timing = {"MESSAGING_RECONCILE_HORIZON_SECONDS": "30", "PERIODIC_LOCK_SECONDS": "3"}
    first = start_worker(name="first", TEXTCONNECT_TIMEOUT="20", **timing)
    numbers = many(20, start=40_000)
    set_faults(gateway, drop_after_rate=1.0, calls=1)  # sent, but the answer is lost
    broadcast = compose(numbers)
    due = Message.objects.filter(broadcast=broadcast, doubt_at__isnull=False)
    wait_for(lambda: due.filter(next_check_at__lte=timezone.now()).count() == 20)
    set_faults(gateway, latency_before=8, calls=1)  # the reconciler's Report call hangs
    reconcile_workspace_task.delay(workspace.pk)
    wait_for(lambda: Faults.objects.get(account=gateway).calls_remaining == 0)
    lock = f"messaging:reconcile:{workspace.pk}"
    assert lock_held(lock)
    first.kill()  # mid-call, holding the workspace's reconcile lock
    wait_for(lambda: not lock_held(lock), timeout=10)  # it lapses: no 600 s wait
    start_worker(name="second", **timing)
    start_beat(**FAST_BEAT, **timing)
    wait_for(lambda: status(broadcast) == "sent", timeout=30, interval=0.5)
    assert_each_received_once(gateway, numbers)
    assert Message.objects.filter(broadcast=broadcast, state__in=SENT).count() == 20


@pytest.mark.parametrize(
    ("fault", "sent"), [("drop_before_rate", 0), ("drop_after_rate", 10)], ids=["not-sent", "sent"]
)
def test_cancelling_during_a_lost_answer_ends_cancelled_and_sends_nothing_more(
    gateway, compose, owner, rf, start_worker, start_beat, wait_for, fault, sent
):
    """30 recipients in batches of 10; the first call hangs 2 s and its answer is lost. Cancel
    lands while it hangs: the 20 queued are cancelled at once, the 10 in doubt are settled by the
    report (found: sent; absent at the horizon: cancelled, never queued again)."""
    timing = {"MESSAGING_BATCH_SIZE": "10", "MESSAGING_RECONCILE_HORIZON_SECONDS": "5"}
    start_worker(**timing)
    start_beat(**FAST_BEAT, **timing)
    set_faults(gateway, latency_before=2, calls=1, **{fault: 1.0})
    numbers = many(30, start=50_000)
    broadcast = compose(numbers)
    wait_for(lambda: Faults.objects.get(account=gateway).calls_remaining == 0)
    request = rf.post("/")
    request.user = owner
    assert broadcast_cancel(broadcast=broadcast, request=request) == 20
    assert status(broadcast) == "sending"  # the first batch is still under way
    wait_for(lambda: status(broadcast) == "cancelled", timeout=40, interval=0.5)
    broadcast.refresh_from_db()
    assert (broadcast.sent_count, broadcast.cancelled_count) == (sent, 30 - sent)
    assert broadcast.sent_count + broadcast.cancelled_count == broadcast.recipient_count
    counts = received(gateway)
    assert sum(counts.values()) == sent and set(counts.values()) <= {1}
    assert not Message.objects.filter(broadcast=broadcast, state__in=["queued", "submitting"])
