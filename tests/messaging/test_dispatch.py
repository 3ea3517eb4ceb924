"""Dispatch to the sandbox over HTTP: results per recipient, failures, faults, exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import GatewayConnection
from contacts.models import Contact
from messaging.models import Broadcast, Message
from messaging.services import dispatch, reconcile, tracking
from sandbox.faults import set_faults
from sandbox.models import Message as SandboxMessage

from .conftest import many, uk

pytestmark = pytest.mark.django_db(transaction=True)


def send(broadcast: Broadcast) -> Broadcast:
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    broadcast.refresh_from_db()
    return broadcast


def received(account) -> list[str]:  # noqa: ANN001
    return sorted(
        SandboxMessage.objects.filter(account=account).values_list("destination", flat=True)
    )


@pytest.mark.parametrize("count", [1, 3])
def test_every_recipient_gets_one_message(gateway, compose, count):
    numbers = [uk(100 + i) for i in range(count)]
    broadcast = send(compose(numbers))
    assert broadcast.status == "sent"
    assert received(gateway) == sorted(n.lstrip("+") for n in numbers)
    assert all(m.gateway_id and m.state == "submitted" for m in broadcast.messages.all())


def test_a_thousand_numbers_go_in_batches_by_post(gateway, compose, settings):
    settings.MESSAGING_BATCH_SIZE = 300
    numbers = many(1000)
    broadcast = send(compose(numbers))
    assert broadcast.sent_count == 1000
    assert len(received(gateway)) == 1000


def test_refused_numbers_fail_with_the_gateways_code_and_the_rest_go(gateway, compose):
    broadcast = send(compose([uk(9), uk(10)]))  # ...009 is blacklisted in the sandbox
    blacklisted = broadcast.messages.get(destination=uk(9))
    assert (blacklisted.state, blacklisted.error_code) == ("failed", -412)
    assert "blacklisted" in blacklisted.error_text.lower()
    assert broadcast.messages.get(destination=uk(10)).state == "submitted"
    assert broadcast.status == "partly_failed"


def test_a_batch_the_balance_does_not_cover_fails_with_minus_100_and_later_ones_go(
    gateway, compose, settings
):
    """The sandbox takes credits per call: a call it cannot pay for answers -100 per number."""
    settings.MESSAGING_BATCH_SIZE = 2
    gateway.credits = 2
    gateway.save()
    broadcast = send(compose([uk(11), uk(12), uk(13)]))
    states = list(broadcast.messages.order_by("id").values_list("state", "error_code"))
    assert states == [("submitted", None), ("submitted", None), ("failed", -100)]
    assert broadcast.status == "partly_failed"


def test_opted_out_contacts_are_skipped_before_the_gateway(gateway, compose, workspace):
    Contact.objects.create(workspace=workspace, number=uk(14), opted_out_at=timezone.now())
    broadcast = send(compose([uk(14), uk(15)]))
    skipped = broadcast.messages.get(destination=uk(14))
    assert (skipped.state, skipped.error_text) == ("skipped", "The recipient opted out.")
    assert received(gateway) == [uk(15).lstrip("+")]


def test_maintenance_waits_and_retries_without_losing_anyone(gateway, compose):
    set_faults(gateway, maintenance=True, calls=1)
    broadcast = send(compose([uk(16), uk(17)]))
    assert broadcast.status == "sending" and broadcast.next_attempt_at is not None
    assert "maintenance (-511)" in broadcast.status_reason
    assert set(broadcast.messages.values_list("state", flat=True)) == {"queued"}
    broadcast = send(broadcast)
    assert broadcast.status == "sent"
    assert received(gateway) == [uk(16).lstrip("+"), uk(17).lstrip("+")]


def test_a_lost_answer_is_settled_from_the_report_and_never_resent(gateway, compose):
    set_faults(gateway, drop_after_rate=1.0, calls=1)  # the gateway sends, the answer is lost
    broadcast = send(compose([uk(18), uk(19)]))
    assert set(broadcast.messages.values_list("state", flat=True)) == {"submitting"}
    first_check = reconcile.first_check_after(timezone.now())
    assert reconcile.reconcile_workspace(workspace=broadcast.workspace, now=first_check) == 2
    send(broadcast)
    assert received(gateway) == [uk(18).lstrip("+"), uk(19).lstrip("+")]
    gateway_ids = set(SandboxMessage.objects.values_list("id", flat=True))
    assert {int(m.gateway_id) for m in broadcast.messages.all()} <= gateway_ids
    assert Broadcast.objects.get(pk=broadcast.pk).status == "sent"


def test_a_500_that_sent_nothing_is_requeued_only_once_the_horizon_has_passed(gateway, compose):
    set_faults(gateway, http_500_rate=1.0, calls=1)
    broadcast = send(compose([uk(20)]))
    message = broadcast.messages.get()
    assert message.state == "submitting" and message.doubt_at is not None
    soon = reconcile.first_check_after(message.doubt_at)
    assert reconcile.reconcile_workspace(workspace=broadcast.workspace, now=soon) == 0
    assert broadcast.messages.get().state == "submitting"  # absent so soon is not evidence
    at_horizon = message.doubt_at + reconcile.horizon()
    assert reconcile.reconcile_workspace(workspace=broadcast.workspace, now=at_horizon) == 1
    message = broadcast.messages.get()
    assert message.state == "queued"
    assert "Not in the gateway's report at 2 checks up to 15 minutes" in message.events.last().note
    send(broadcast)
    assert received(gateway) == [uk(20).lstrip("+")]


def test_statuses_reach_delivered_undeliverable_and_expired(gateway, compose):
    broadcast = send(compose([uk(21), uk(0), uk(1)]))
    finals = tracking.track_workspace(
        workspace=broadcast.workspace, now=timezone.now() + tracking.BACKOFF[0]
    )
    assert finals == 3
    words = dict(broadcast.messages.values_list("destination", "gateway_status"))
    assert words == {uk(21): "Delivered", uk(0): "Undeliverable", uk(1): "Expired"}
    assert dict(broadcast.messages.values_list("destination", "state")) == {
        uk(21): "delivered", uk(0): "failed", uk(1): "failed"
    }  # fmt: skip


def test_tracking_costs_one_report_call_for_many_messages(gateway, compose, workspace):
    broadcast = send(compose(many(200)))
    tracking.track_workspace(workspace=workspace, now=timezone.now() + tracking.BACKOFF[0])
    assert broadcast.messages.filter(state="delivered").count() == 200
    assert tracking.calls_per_final(workspace) == pytest.approx(1 / 200)


def test_status_history_is_kept(gateway, compose, workspace, client_for, viewer):
    broadcast = send(compose([uk(22)]))
    tracking.track_workspace(workspace=workspace, now=timezone.now() + tracking.BACKOFF[0])
    message = Message.objects.get(broadcast=broadcast)
    assert [e.gateway_status for e in message.events.all()] == ["Delivered"]
    page = client_for(viewer).get(f"/w/{workspace.slug}/messages/{message.public_id}/")
    history = page.content.decode().split("<h2>History</h2>")[1]
    assert history.index("Queued") < history.index("Submitted") < history.index("Delivered")


def test_dispatching_twice_sends_once(gateway, compose):
    broadcast = compose([uk(23), uk(24)])
    send(broadcast)
    send(broadcast)
    assert len(received(gateway)) == 2


def test_a_personalised_message_is_filled_per_contact(gateway, compose, workspace):
    ann = Contact.objects.create(workspace=workspace, number=uk(25), name="Ann Lee", field1="gold")
    broadcast = send(
        compose([uk(26)], body="Hi {first_name}, your tier is {field1}.", contact_ids=[ann.pk])
    )
    bodies = dict(SandboxMessage.objects.values_list("destination", "body"))
    assert bodies == {
        uk(25).lstrip("+"): "Hi Ann, your tier is gold.",
        uk(26).lstrip("+"): "Hi , your tier is .",
    }
    assert broadcast.personalised


def test_a_run_that_sent_refreshes_the_balance_and_one_that_sent_nothing_does_not(
    gateway, compose, workspace
):
    broadcast = send(compose([uk(100), uk(101)]))
    gateway.refresh_from_db()
    connection = GatewayConnection.objects.get(workspace=workspace)
    assert connection.balance == gateway.credits == 100_000 - 2
    GatewayConnection.objects.filter(pk=connection.pk).update(balance=1)
    Broadcast.objects.filter(pk=broadcast.pk).update(status="sending")  # a parallel run's view
    send(broadcast)
    assert GatewayConnection.objects.get(pk=connection.pk).balance == 1  # no CheckCredits call


def test_the_delivered_time_is_the_same_in_the_detail_and_in_the_history(gateway, compose):
    broadcast = send(compose([uk(27)]))
    sweep_at = timezone.now() + timedelta(hours=1)  # the sweep learns it long after
    tracking.track_workspace(workspace=broadcast.workspace, now=sweep_at)
    message = broadcast.messages.get()
    delivered = message.events.get(gateway_status="Delivered")
    assert message.delivered_at is not None and message.delivered_at < sweep_at
    assert delivered.at == message.delivered_at
