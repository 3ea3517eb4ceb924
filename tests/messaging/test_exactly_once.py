"""The rules that keep a send exactly once, one by one, against the sandbox over HTTP: leases, rows
in doubt, the evidence window, writes that only land on rows still claimed, and cancel."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import gateway as gateway_module
from messaging.models import Broadcast, DispatchRun, Message
from messaging.services import dispatch, reconcile, runs
from messaging.services.schedule import broadcast_cancel
from messaging.services.states import TRANSITIONS, IllegalTransition, allowed, messages_write
from sandbox.faults import set_faults
from sandbox.models import Message as SandboxMessage

from .conftest import many, uk

pytestmark = pytest.mark.django_db(transaction=True)


def send(broadcast: Broadcast) -> Broadcast:
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    broadcast.refresh_from_db()
    return broadcast


def states(broadcast: Broadcast) -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in broadcast.messages.values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts


def claim(broadcast: Broadcast) -> tuple[dispatch._Run, list[Message]]:
    run = dispatch._Run(broadcast, runs.run_start(broadcast))
    return run, dispatch._claim(run)


def cancel(broadcast: Broadcast, user) -> int:  # noqa: ANN001
    class Request:
        pass

    request = Request()
    request.user, request.META, request.session = user, {}, {}
    return broadcast_cancel(broadcast=broadcast, request=request)


def test_the_reconciler_never_touches_the_rows_of_a_live_run(gateway, compose, workspace):
    broadcast = compose([uk(30), uk(31)])
    run, rows = claim(broadcast)
    assert len(rows) == 2
    far_later = timezone.now() + timedelta(hours=1)
    DispatchRun.objects.filter(pk=run.lease.pk).update(alive_until=far_later + timedelta(1))
    assert reconcile.reconcile_workspace(workspace=workspace, now=far_later) == 0
    assert set(Message.objects.values_list("state", "doubt_at")) == {("submitting", None)}


def test_rows_of_a_run_whose_lease_lapsed_are_in_doubt_from_its_last_moment(
    gateway, compose, workspace
):
    broadcast = compose([uk(32)])
    run, _ = claim(broadcast)  # claimed, then the worker died before calling
    lapsed = timezone.now() - timedelta(seconds=1)
    DispatchRun.objects.filter(pk=run.lease.pk).update(alive_until=lapsed)
    assert reconcile.reconcile_workspace(workspace=workspace) == 0  # absent, but too soon to tell
    message = Message.objects.get()
    assert (message.state, message.doubt_at) == ("submitting", lapsed)
    at_horizon = lapsed + reconcile.horizon()
    assert reconcile.reconcile_workspace(workspace=workspace, now=at_horizon) == 1
    assert Message.objects.get().state == "queued"
    assert SandboxMessage.objects.count() == 0


def test_a_run_whose_lease_lapsed_calls_the_gateway_for_nothing(gateway, compose):
    broadcast = compose([uk(33)])
    run, rows = claim(broadcast)
    run.lease.alive_until = timezone.now() - timedelta(seconds=1)
    with pytest.raises(runs.LeaseLost):
        dispatch._submit(gateway_module.client_for(broadcast.workspace), run, rows)
    assert SandboxMessage.objects.count() == 0


def test_the_runs_late_write_never_overwrites_what_the_reconciler_settled(
    gateway, compose, workspace
):
    broadcast = compose([uk(34)])
    run, rows = claim(broadcast)
    Message.objects.update(doubt_at=timezone.now())  # the reconciler took the row meanwhile
    with gateway_module.client_for(workspace) as client:
        dispatch._call(client, run, broadcast.body, rows)
    message = Message.objects.get()
    assert (message.state, message.gateway_id) == ("submitting", "")
    later = timezone.now() + reconcile.horizon()
    assert reconcile.reconcile_workspace(workspace=workspace, now=later) == 1
    assert Message.objects.get().state == "submitted"  # found in the report: sent once
    assert SandboxMessage.objects.count() == 1


def test_a_lost_answer_holds_up_only_its_own_batch(gateway, compose, settings):
    settings.MESSAGING_BATCH_SIZE = 10
    set_faults(gateway, http_500_rate=1.0, calls=1)
    broadcast = send(compose(many(30, start=100)))
    assert states(broadcast) == {"submitting": 10, "submitted": 20}
    assert broadcast.status == "sending" and broadcast.next_attempt_at is None
    doubtful = Message.objects.filter(state="submitting")
    assert doubtful.filter(doubt_at__isnull=False).count() == 10
    note = doubtful.first().events.get().note
    assert "was reached but answered with a server error (HTTP 500)" in note
    assert "could not be reached" not in note


def test_three_lost_answers_in_a_row_pause_the_broadcast(gateway, compose, settings):
    settings.MESSAGING_BATCH_SIZE = 10
    set_faults(gateway, http_500_rate=1.0)
    broadcast = send(compose(many(50, start=200)))
    assert states(broadcast) == {"submitting": 30, "queued": 20}
    assert broadcast.next_attempt_at is not None
    assert "3 times in a row" in broadcast.status_reason


def test_a_personalised_send_is_claimed_a_few_rows_at_a_time(gateway, compose, settings):
    settings.MESSAGING_PERSONALISED_BATCH_SIZE = 4
    broadcast = compose(many(10, start=300), body="Hi {name}")
    _, rows = claim(broadcast)
    assert len(rows) == 4
    assert Message.objects.filter(state="submitting").count() == 4


def test_the_reconciler_reads_its_rows_once_and_survives_them_settling_meanwhile(
    gateway, compose, workspace, monkeypatch
):
    set_faults(gateway, drop_after_rate=1.0, calls=1)
    broadcast = send(compose([uk(35), uk(36)]))
    real = reconcile.client_for

    def client_that_races(ws):  # noqa: ANN001, ANN202
        client = real(ws)
        report = client.report

        def report_while_another_writer_settles(*args):  # noqa: ANN002, ANN202
            rows = report(*args)
            Message.objects.update(state="failed", error_text="settled by another writer")
            return rows

        client.report = report_while_another_writer_settles
        return client

    monkeypatch.setattr(reconcile, "client_for", client_that_races)
    later = reconcile.first_check_after(timezone.now())
    assert reconcile.reconcile_workspace(workspace=workspace, now=later) == 0
    assert set(broadcast.messages.values_list("state", flat=True)) == {"failed"}


def test_cancelling_while_rows_are_submitting_waits_for_them_and_ends_cancelled(
    gateway, compose, workspace, owner, settings
):
    settings.MESSAGING_BATCH_SIZE = 2
    broadcast = compose([uk(37), uk(38), uk(39), uk(40)])
    run, _ = claim(broadcast)  # the first two are under way
    assert cancel(broadcast, owner) == 2
    broadcast.refresh_from_db()
    assert broadcast.status == "sending" and "2 recipients whose sending" in broadcast.status_reason
    runs.run_end(run.lease)  # the run died after claiming: nothing was sent
    reconcile.reconcile_workspace(workspace=workspace)
    at_horizon = timezone.now() + reconcile.horizon()
    reconcile.reconcile_workspace(workspace=workspace, now=at_horizon)
    broadcast.refresh_from_db()
    assert broadcast.status == "cancelled"
    assert states(broadcast) == {"cancelled": 4}  # never queued again
    assert broadcast.cancelled_count == 4 and SandboxMessage.objects.count() == 0
    assert broadcast.status_reason == f"Cancelled by {owner.email}."


def test_a_final_state_never_goes_back(gateway, compose):
    broadcast = send(compose([uk(41)]))
    message = broadcast.messages.get()
    Message.objects.filter(pk=message.pk).update(state="delivered")
    message.state, message.gateway_status = "submitted", "Sent"  # a late word from the gateway
    assert messages_write([message], ["gateway_status"], expect=["submitted"]) == []
    assert Message.objects.get(pk=message.pk).state == "delivered"
    with pytest.raises(IllegalTransition):
        messages_write([message], [], expect=["delivered"])


@pytest.mark.parametrize(
    ("source", "target", "ok"),
    [
        ("queued", "submitting", True),
        ("submitting", "submitted", True),
        ("submitting", "queued", True),  # certainly not sent (never reached, or absent at horizon)
        ("submitted", "delivered", True),
        ("unknown", "failed", True),  # a person sent it again by hand
        ("delivered", "submitted", False),  # a late "Sent" never overwrites "Delivered"
        ("failed", "queued", False),
        ("cancelled", "queued", False),
        ("skipped", "submitting", False),
        ("submitted", "queued", False),  # accepted by the gateway: never sent again
    ],
)
def test_the_table_of_moves(source, target, ok):
    assert allowed(source, target) is ok
    assert set(TRANSITIONS) == {"queued", "submitting", "submitted", "unknown"}  # others final
