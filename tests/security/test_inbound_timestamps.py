"""Attacks with the inbound endpoint's `receivedts`: dates at the edge of what a datetime holds,
which overflowed on the way into the database (500) or broke every page that shows the text."""

from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inbound.models import InboundMessage, VirtualNumber

pytestmark = pytest.mark.django_db

EDGES = [
    "9999-12-31T23:59:59-14:00",  # overflowed when converted to UTC
    "9999-12-31 23:59:59",  # stored, then broke pages in time zones east of London
    "0001-01-01 00:00:00",
    "0001-01-01T00:00:00+14:00",
]


@pytest.fixture
def vmn(workspace) -> VirtualNumber:
    workspace.time_zone = "Pacific/Kiritimati"  # UTC+14, where year 9999 runs out first
    workspace.save(update_fields=["time_zone"])
    return VirtualNumber.objects.create(workspace=workspace, number="+447700900500", label="Main")


def forward(vmn: VirtualNumber, receivedts: str):  # noqa: ANN201
    data = {"source": "447700900123", "dest": "447700900500", "msg": "Hi", "id": "77",
            "receivedts": receivedts, "auth": vmn.auth}  # fmt: skip
    return Client().post(reverse("inbound_endpoint:receive", kwargs={"key": vmn.key}), data)


@pytest.mark.parametrize("receivedts", EDGES)
def test_an_out_of_range_receivedts_is_stored_at_the_time_of_receipt(vmn, receivedts):
    before = timezone.now()
    response = forward(vmn, receivedts)
    assert response.status_code == 200, response.content
    message = InboundMessage.objects.get()
    assert before <= message.received_at <= timezone.now()
    assert message.raw["receivedts"] == receivedts  # what the gateway said is kept


@pytest.mark.parametrize("receivedts", EDGES)
def test_an_out_of_range_receivedts_cannot_break_the_inbox_or_the_admin(
    vmn, receivedts, workspace, owner, client_for, admin_client, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # processed: in a conversation
        forward(vmn, receivedts)
    message = InboundMessage.objects.select_related("conversation").get()
    client = client_for(owner)
    assert client.get(reverse("inbound:inbox", kwargs={"slug": workspace.slug})).status_code == 200
    conversation = reverse(
        "inbound:conversation",
        kwargs={"slug": workspace.slug, "conversation_id": message.conversation.public_id},
    )
    assert client.get(conversation).status_code == 200
    changelist = reverse(f"{site.name}:inbound_inboundmessage_changelist")
    assert admin_client.get(changelist).status_code == 200
    year = str(message.received_at.year)  # the year the date filter offers
    assert admin_client.get(changelist, {"received_at__year": year}).status_code == 200


def test_a_receivedts_two_days_off_is_still_the_gateways_time(vmn):
    moment = timezone.now() - timedelta(days=2) + timedelta(minutes=1)
    forward(vmn, moment.astimezone(timezone.get_fixed_timezone(0)).isoformat())
    assert abs(InboundMessage.objects.get().received_at - moment) < timedelta(seconds=1)
