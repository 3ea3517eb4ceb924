"""Automatic suppression: three permanent failures of a number in 90 days (the sandbox's
Undeliverable and blacklisted numbers) suppress it for the workspace; every send then skips it
with the reason, in bulk; an admin lifts it (audited) and sends go through again."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from contacts.models import Contact, Suppression
from contacts.optouts import opted_out_numbers
from messaging.models import Broadcast, Message
from messaging.services import dispatch, suppress, tracking
from sandbox.models import Message as SandboxMessage

from .conftest import many, uk

pytestmark = pytest.mark.django_db(transaction=True)

UNDELIVERABLE = uk(0)  # the sandbox answers Undeliverable for numbers ending 000
BLACKLISTED = uk(9)  # ... and refuses numbers ending 009 with -412 at send time
EXPIRED = uk(1)  # ... and lets numbers ending 001 expire: not a permanent failure


def send_and_track(compose, numbers) -> Broadcast:  # noqa: ANN001
    broadcast = compose(numbers)
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    tracking.track_workspace(
        workspace=broadcast.workspace, now=timezone.now() + tracking.BACKOFF[0]
    )
    broadcast.refresh_from_db()
    return broadcast


def reached(account, number: str) -> int:  # noqa: ANN001
    return SandboxMessage.objects.filter(account=account, destination=number.lstrip("+")).count()


def test_three_undeliverables_suppress_the_number_and_two_do_not(gateway, compose, workspace):
    for _ in range(2):
        send_and_track(compose, [UNDELIVERABLE, uk(130)])
    assert not Suppression.objects.exists()  # two are not enough
    send_and_track(compose, [UNDELIVERABLE, uk(130)])
    suppression = Suppression.objects.get()
    assert (suppression.number, suppression.failures) == (UNDELIVERABLE, 3)
    assert suppression.reason == "Undeliverable" and suppression.workspace == workspace
    assert opted_out_numbers(workspace, [UNDELIVERABLE, uk(130)]) == {UNDELIVERABLE}


def test_three_refusals_as_blacklisted_at_send_time_suppress_the_number(gateway, compose):
    for _ in range(2):
        send_and_track(compose, [BLACKLISTED])
    assert not Suppression.objects.exists()
    send_and_track(compose, [BLACKLISTED])
    suppression = Suppression.objects.get()
    assert suppression.number == BLACKLISTED and suppression.reason.startswith("-412: ")


def test_expired_messages_are_not_permanent_failures(gateway, compose):
    for _ in range(3):
        send_and_track(compose, [EXPIRED])
    assert Message.objects.filter(destination=EXPIRED, gateway_status="Expired").count() == 3
    assert not Suppression.objects.exists()


def old_failure(workspace, number: str, days: int) -> None:  # noqa: ANN001
    broadcast = Broadcast.objects.create(workspace=workspace, body="Old", source="Acme",
                                         status="sent", idempotency_key=uuid.uuid4())  # fmt: skip
    Message.objects.create(workspace=workspace, broadcast=broadcast, destination=number,
                           state="failed", gateway_status="Undeliverable",
                           failed_at=timezone.now() - timedelta(days=days))  # fmt: skip


def test_failures_older_than_90_days_do_not_count(gateway, compose, workspace):
    old_failure(workspace, UNDELIVERABLE, days=91)
    old_failure(workspace, UNDELIVERABLE, days=120)
    send_and_track(compose, [UNDELIVERABLE])
    assert not Suppression.objects.exists()  # one in the window, two outside it
    old_failure(workspace, UNDELIVERABLE, days=89)
    send_and_track(compose, [UNDELIVERABLE])
    assert Suppression.objects.get().failures == 3  # 89 days ago and the two sends


def test_a_suppressed_number_is_skipped_with_the_reason_and_not_charged(
    gateway, compose, workspace, client_for, viewer, sender
):
    Suppression.objects.create(workspace=workspace, number=uk(131), failures=3,
                               reason="-401: Invalid Destination Address")  # fmt: skip
    Contact.objects.create(workspace=workspace, number=uk(131), name="Sam")
    Contact.objects.create(workspace=workspace, number=uk(132), opted_out_at=timezone.now())
    broadcast = compose([uk(131), uk(132), uk(133)], confirm=False)
    assert broadcast.estimated_credits == 1
    spec = broadcast.recipients_spec
    assert (spec["opted_out"], spec["suppressed"]) == (2, 1)
    review = (
        client_for(sender)
        .get(
            reverse(
                "messaging:confirm",
                kwargs={"slug": workspace.slug, "broadcast_id": broadcast.public_id},
            )  # fmt: skip
        )
        .content.decode()
    )
    assert "1 opted out: skipped, not charged" in review
    assert "1 suppressed (failed permanently 3 times in 90 days): skipped, not charged" in review
    from messaging.services.compose import broadcast_confirm

    dispatch.broadcast_dispatch(broadcast_id=broadcast_confirm(broadcast=broadcast, user=None).pk)
    assert reached(gateway, uk(131)) == 0 and reached(gateway, uk(132)) == 0
    assert reached(gateway, uk(133)) == 1
    skipped = Message.objects.get(destination=uk(131))
    assert skipped.state == "skipped" and skipped.error_text.startswith("Suppressed: this number")
    assert Message.objects.get(destination=uk(132)).error_text == "The recipient opted out."
    log = client_for(viewer).get(reverse("messaging:log", kwargs={"slug": workspace.slug}))
    assert "Suppressed: this number failed permanently 3 times in 90 days" in log.content.decode()
    contact = Contact.objects.get(number=uk(131))
    page = (
        client_for(viewer)
        .get(
            reverse(
                "contacts:detail", kwargs={"slug": workspace.slug, "contact_id": contact.public_id}
            )
        )
        .content.decode()
    )
    assert "Not sent to: failed permanently 3 times in 90 days." in page
    assert "Invalid number" in page or "-401" in page  # the last failure, in words


def test_an_admin_lifts_a_suppression_and_sends_go_through_again(
    gateway, compose, workspace, client_for, admin, sender
):
    for _ in range(3):
        send_and_track(compose, [BLACKLISTED])
    suppression = Suppression.objects.get()
    page = client_for(admin).get(reverse("contacts:suppressions", kwargs={"slug": workspace.slug}))
    assert BLACKLISTED in page.content.decode() and "Lift" in page.content.decode()
    kwargs = {"slug": workspace.slug, "suppression_id": suppression.public_id}
    lift = reverse("contacts:suppression_lift", kwargs=kwargs)
    assert client_for(sender).post(lift).status_code == 403  # admins only
    assert client_for(admin).post(lift).status_code == 302
    suppression.refresh_from_db()
    assert suppression.lifted_at is not None and suppression.lifted_by == admin
    event = AuditEvent.objects.get(action="suppression_lifted")
    assert event.actor == admin and event.detail["number"] == BLACKLISTED
    assert opted_out_numbers(workspace, [BLACKLISTED]) == set()
    broadcast = send_and_track(compose, [BLACKLISTED])
    message = broadcast.messages.get()
    assert (message.state, message.error_code) == ("failed", -412)  # tried again: not skipped
    assert Suppression.objects.filter(lifted_at__isnull=True).count() == 0  # the old ones stay old
    for _ in range(2):
        send_and_track(compose, [BLACKLISTED])
    assert Suppression.objects.filter(lifted_at__isnull=True).get().failures == 3  # three new ones


def test_a_lifted_suppression_lets_a_delivered_send_through(gateway, compose, workspace, admin):
    suppression = Suppression.objects.create(workspace=workspace, number=uk(134), failures=3,
                                             reason="Undeliverable")  # fmt: skip
    assert send_and_track(compose, [uk(134)]).messages.get().state == "skipped"
    from contacts.services.suppression import suppression_lift

    assert suppression_lift(suppression=suppression, user=admin)
    assert not suppression_lift(suppression=suppression, user=admin)  # once
    assert send_and_track(compose, [uk(134)]).messages.get().state == "delivered"
    assert reached(gateway, uk(134)) == 1


def test_a_suppression_belongs_to_its_workspace(gateway, compose, workspace, other_workspace):
    Suppression.objects.create(workspace=other_workspace, number=uk(135), failures=3,
                               reason="Undeliverable")  # fmt: skip
    assert send_and_track(compose, [uk(135)]).messages.get().state == "delivered"


def test_a_sweep_of_many_failures_costs_the_same_few_queries_as_one(workspace):
    def failed_rows(numbers: list[str]) -> list[int]:
        for _ in range(2):  # two earlier failures each
            for number in numbers:
                old_failure(workspace, number, days=10)
        broadcast = Broadcast.objects.create(workspace=workspace, body="Now", source="Acme",
                                             idempotency_key=uuid.uuid4())  # fmt: skip
        rows = Message.objects.bulk_create(
            Message(workspace=workspace, broadcast=broadcast, destination=n, state="failed",
                    gateway_status="Undeliverable", failed_at=timezone.now())
            for n in numbers
        )  # fmt: skip
        return [r.pk for r in rows]

    few, lots = failed_rows(many(2)), failed_rows(many(300, start=10))
    with CaptureQueriesContext(connection) as one:
        assert suppress.permanent_failures_check(few) == 2
    with CaptureQueriesContext(connection) as batch:
        assert suppress.permanent_failures_check(lots) == 300
    assert len(batch) == len(one) <= 5
    assert Suppression.objects.filter(workspace=workspace).count() == 302
    with CaptureQueriesContext(connection) as again:  # all suppressed: nothing more to count
        assert suppress.permanent_failures_check(lots) == 0
    assert len(again) <= 2


def test_the_status_sweep_suppresses_through_states(gateway, compose, workspace, settings):
    """The one place every state change goes through finds the failures: here the tracking
    sweep's bulk write, for a whole batch of Undeliverable numbers."""
    numbers = [f"+4477009{i:02d}000" for i in range(10, 40)]  # 30 numbers ending 000
    for _ in range(3):
        send_and_track(compose, numbers)
    assert set(Suppression.objects.values_list("number", flat=True)) == set(numbers)
    fourth = compose(numbers)
    dispatch.broadcast_dispatch(broadcast_id=fourth.pk)
    assert set(fourth.messages.values_list("state", flat=True)) == {"skipped"}


def test_a_whole_call_refused_with_a_code_suppresses_nobody(workspace):
    """A code answering a call to many numbers is about the call, not about each number."""
    from messaging.services.states import messages_move

    for _ in range(3):
        broadcast = Broadcast.objects.create(workspace=workspace, body="Hi", source="Acme",
                                             idempotency_key=uuid.uuid4())  # fmt: skip
        for number in (uk(150), uk(151)):
            Message.objects.create(workspace=workspace, broadcast=broadcast, destination=number,
                                   state="submitting")  # fmt: skip
        messages_move(Message.objects.filter(broadcast=broadcast), "failed", note="-401",
                      error_code=-401, error_text="Invalid Destination Address",
                      failed_at=timezone.now())  # fmt: skip
    assert Message.objects.filter(state="failed", error_code=-401).count() == 6
    assert not Suppression.objects.exists()


def test_rows_of_a_gateway_group_send_count_their_undeliverables_too(workspace):
    from types import SimpleNamespace

    from messaging.services.background import _create_rows

    for _ in range(2):
        old_failure(workspace, uk(152), days=10)
    broadcast = Broadcast.objects.create(workspace=workspace, body="Hi", source="Acme",
                                         kind="gateway_group", gateway_target="Club",
                                         idempotency_key=uuid.uuid4())  # fmt: skip
    answer = [SimpleNamespace(destination=number.lstrip("+"), message_id=f"m{i}",
                              status=SimpleNamespace(word=word))
              for i, (number, word) in enumerate([(uk(152), "Undeliverable"),
                                                  (uk(153), "Delivered")])]  # fmt: skip
    _create_rows(broadcast, answer, timezone.now())
    assert list(Suppression.objects.values_list("number", flat=True)) == [uk(152)]
