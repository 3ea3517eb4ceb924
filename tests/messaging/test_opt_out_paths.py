"""Opt-outs and suppressions apply to every send path: the composer, repeating messages (and the
API, in tests/api; inbox replies, in tests/inbound): an opted-out or suppressed number never
reaches the gateway, and a marketing occurrence carries the opt-out instruction."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Group, Suppression
from inbound.models import InboundMessage
from messaging.models import Broadcast, Message
from messaging.services import dispatch, recurring
from messaging.services.compose import Draft, broadcast_create
from messaging.services.recurring import Repeat
from sandbox.models import Message as SandboxMessage

from .conftest import uk

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def blocked(workspace) -> list[str]:  # noqa: ANN001
    """An opted-out contact, a suppressed number and a STOP the inbox has not processed yet."""
    Contact.objects.create(workspace=workspace, number=uk(140), opted_out_at=timezone.now())
    Suppression.objects.create(workspace=workspace, number=uk(141), failures=3,
                               reason="Undeliverable")  # fmt: skip
    InboundMessage.objects.create(
        workspace=workspace,
        dest="447700900500",
        gateway_id="g1",
        source=uk(142),
        body="STOP",
        received_at=timezone.now(),
    )
    return [uk(140), uk(141), uk(142)]


def reached(account) -> set[str]:  # noqa: ANN001
    return {"+" + d for d in SandboxMessage.objects.filter(account=account)
            .values_list("destination", flat=True)}  # fmt: skip


def test_the_composer_skips_them(gateway, workspace, sender, client_for, blocked, eager_tasks):
    client = client_for(sender)
    numbers = "\n".join([*blocked, uk(143)])
    client.post(reverse("messaging:compose", kwargs={"slug": workspace.slug}),
                {"numbers": numbers, "source": "447700900500", "body": "Sale", "marketing": "on",
                 "validity_seconds": "86400", "idempotency_key": str(uuid.uuid4())})  # fmt: skip
    broadcast = Broadcast.objects.get()
    assert broadcast.recipients_spec["opted_out"] == 3 and broadcast.estimated_credits == 1
    confirm = {"slug": workspace.slug, "broadcast_id": broadcast.public_id}
    client.post(reverse("messaging:confirm", kwargs=confirm))
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)  # in case the queue did not run it
    assert reached(gateway) == {uk(143)}
    assert set(broadcast.messages.filter(destination__in=blocked)
               .values_list("state", flat=True)) == {"skipped"}  # fmt: skip
    assert SandboxMessage.objects.get().body == "Sale\nReply STOP to opt out"


def test_a_repeating_message_skips_them_at_each_occurrence(gateway, workspace, owner, blocked):
    club = Group.objects.create(workspace=workspace, name="Club")
    club.contacts.add(Contact.objects.create(workspace=workspace, number=uk(144)))
    draft = Draft(body="Weekly offer", source="447700900500", numbers=blocked,
                  group_ids=[club.pk], schedule_at=timezone.now() + timedelta(hours=1),
                  repeat=Repeat("daily"), marketing=True)  # fmt: skip
    broadcast = broadcast_create(workspace=workspace, user=owner, draft=draft,
                                 idempotency_key=uuid.uuid4())  # fmt: skip
    series = recurring.series_create(broadcast=broadcast, user=owner)
    assert series.marketing
    # A number suppressed after the series was set up is skipped too: checked at each send.
    Suppression.objects.create(workspace=workspace, number=uk(144), failures=3,
                               reason="Undeliverable")  # fmt: skip
    [occurrence_id] = recurring.series_due(now=series.next_at)
    occurrence = Broadcast.objects.get(pk=occurrence_id)
    assert occurrence.marketing and occurrence.footer == "Reply STOP to opt out"
    dispatch.broadcast_dispatch(broadcast_id=occurrence.pk)
    assert reached(gateway) == set()
    states = set(Message.objects.filter(broadcast=occurrence).values_list("state", flat=True))
    assert states == {"skipped"}


def test_a_repeating_message_goes_with_the_footer_to_the_others(gateway, workspace, owner):
    draft = Draft(body="Weekly offer", source="447700900500", numbers=[uk(145)],
                  schedule_at=timezone.now() + timedelta(hours=1), repeat=Repeat("daily"),
                  marketing=True)  # fmt: skip
    broadcast = broadcast_create(workspace=workspace, user=owner, draft=draft,
                                 idempotency_key=uuid.uuid4())  # fmt: skip
    series = recurring.series_create(broadcast=broadcast, user=owner)
    [occurrence_id] = recurring.series_due(now=series.next_at)
    dispatch.broadcast_dispatch(broadcast_id=occurrence_id)
    assert SandboxMessage.objects.get().body == "Weekly offer\nReply STOP to opt out"
