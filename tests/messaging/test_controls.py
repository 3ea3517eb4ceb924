"""Pause, resume and cancel a send under way (a real worker, each recipient once at the sandbox);
approval by another admin; a test to one's own verified mobile."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from accounts.models import User
from messaging.models import ApprovalPolicy, Broadcast, Message
from messaging.services import controls
from sandbox.faults import set_faults
from sandbox.models import Message as SandboxMessage

from .conftest import many, uk

pytestmark = pytest.mark.django_db(transaction=True)


def url(ws, name, **kwargs):  # noqa: ANN001, ANN003, ANN201
    return reverse(f"messaging:{name}", kwargs={"slug": ws.slug, **kwargs})


def status(broadcast: Broadcast) -> str:
    return Broadcast.objects.get(pk=broadcast.pk).status


@pytest.mark.worker
def test_a_2000_recipient_send_paused_mid_way_and_resumed_reaches_each_recipient_once(
    gateway, compose, owner, client_for, start_worker, wait_for
):
    start_worker(MESSAGING_BATCH_SIZE="50")
    set_faults(gateway, latency_before=0.1)  # 40 calls of 50: about 4 s of sending
    numbers = many(2000, start=60_000)
    broadcast = compose(numbers)
    submitted = Message.objects.filter(broadcast=broadcast, state="submitted")
    wait_for(lambda: submitted.count() >= 200, timeout=60)
    client = client_for(owner)
    client.post(url(broadcast.workspace, "broadcast_pause", broadcast_id=broadcast.public_id))
    assert status(broadcast) == "paused"
    wait_for(lambda: not Message.objects.filter(broadcast=broadcast, state="submitting").exists())
    stopped_at = submitted.count()
    assert stopped_at < 2000
    page = client.get(url(broadcast.workspace, "broadcast", broadcast_id=broadcast.public_id))
    assert "Resume" in page.content.decode() and ">Pause<" not in page.content.decode()
    assert submitted.count() == stopped_at  # nothing more goes while paused
    client.post(url(broadcast.workspace, "broadcast_resume", broadcast_id=broadcast.public_id))
    wait_for(lambda: status(broadcast) == "sent", timeout=120)
    counts = Counter(SandboxMessage.objects.values_list("destination", flat=True))
    assert len(counts) == 2000 and set(counts.values()) == {1}


@pytest.mark.worker
def test_cancel_mid_send_cancels_what_is_not_claimed_and_sends_the_rest_once(
    gateway, compose, owner, client_for, start_worker, wait_for
):
    start_worker(MESSAGING_BATCH_SIZE="50")
    set_faults(gateway, latency_before=0.1)
    broadcast = compose(many(1000, start=70_000))
    wait_for(lambda: Message.objects.filter(broadcast=broadcast, state="submitted").count() >= 100)
    client_for(owner).post(
        url(broadcast.workspace, "broadcast_cancel", broadcast_id=broadcast.public_id)
    )
    wait_for(lambda: status(broadcast) == "cancelled", timeout=60)
    broadcast.refresh_from_db()
    assert broadcast.sent_count + broadcast.cancelled_count == 1000
    counts = Counter(SandboxMessage.objects.values_list("destination", flat=True))
    assert sum(counts.values()) == broadcast.sent_count and set(counts.values()) <= {1}


def test_pausing_a_finished_broadcast_is_refused_and_changes_nothing(
    gateway, compose, owner, client_for
):
    from messaging.services import dispatch

    broadcast = compose([uk(195)])
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    response = client_for(owner).post(
        url(broadcast.workspace, "broadcast_pause", broadcast_id=broadcast.public_id), follow=True
    )
    assert "nothing left to send" in response.content.decode()
    assert status(broadcast) == "sent"


@pytest.fixture
def policy(workspace):  # noqa: ANN001, ANN201
    return ApprovalPolicy.objects.create(workspace=workspace, enabled=True, recipients_over=1)


def test_a_large_send_waits_for_another_admin_who_approves_it(
    gateway, workspace, sender, admin, client_for, policy, mailoutbox, eager_tasks
):
    from messaging.services.compose import Draft, broadcast_confirm, broadcast_create

    draft = Draft(body="Big news", source="Acme", numbers=[uk(196), uk(197)])
    import uuid

    broadcast = broadcast_create(workspace=workspace, user=sender, draft=draft,
                                 idempotency_key=uuid.uuid4())  # fmt: skip
    broadcast = broadcast_confirm(broadcast=broadcast, user=sender)
    assert broadcast.status == "awaiting_approval"
    assert [m.to for m in mailoutbox] == [[admin.email]] or admin.email in mailoutbox[0].to
    assert not SandboxMessage.objects.exists()
    page = client_for(admin).get(url(workspace, "broadcast", broadcast_id=broadcast.public_id))
    assert "Approve and send" in page.content.decode()
    client_for(admin).post(url(workspace, "broadcast_approve", broadcast_id=broadcast.public_id))
    broadcast.refresh_from_db()
    assert broadcast.approved_by == admin and broadcast.status == "sent"
    assert SandboxMessage.objects.count() == 2


def test_nobody_approves_their_own_send_and_a_rejection_tells_the_sender_why(
    gateway, compose, workspace, owner, admin, client_for, policy, mailoutbox
):
    broadcast = compose([uk(198), uk(199)])  # composed by the owner
    assert broadcast.status == "awaiting_approval"
    own = client_for(owner).post(
        url(workspace, "broadcast_approve", broadcast_id=broadcast.public_id), follow=True
    )
    assert "cannot approve or reject your own" in own.content.decode()
    assert status(broadcast) == "awaiting_approval"
    client_for(admin).post(url(workspace, "broadcast_reject", broadcast_id=broadcast.public_id),
                           {"reason": "Wrong price in the text"})  # fmt: skip
    broadcast.refresh_from_db()
    assert broadcast.status == "rejected" and broadcast.rejected_by == admin
    assert set(broadcast.messages.values_list("state", flat=True)) == {"cancelled"}
    assert any(
        "Wrong price in the text" in mail.body for mail in mailoutbox if owner.email in mail.to
    )
    again = client_for(admin).post(
        url(workspace, "broadcast_approve", broadcast_id=broadcast.public_id), follow=True
    )
    assert "not waiting for approval" in again.content.decode()
    assert not SandboxMessage.objects.exists()


def test_an_approved_scheduled_send_that_is_edited_needs_approval_again(
    gateway, workspace, sender, admin, policy, rf
):
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from messaging.services.compose import Draft, broadcast_confirm, broadcast_create
    from messaging.services.schedule import broadcast_edit

    later = timezone.now() + timedelta(hours=3)
    draft = Draft(body="Sale", source="Acme", numbers=[uk(200), uk(201)], schedule_at=later)
    broadcast = broadcast_create(workspace=workspace, user=sender, draft=draft,
                                 idempotency_key=uuid.uuid4())  # fmt: skip
    broadcast_confirm(broadcast=broadcast, user=sender)
    request = rf.post("/")
    request.user, request.workspace = admin, workspace
    controls.broadcast_approve(broadcast=broadcast, request=request)
    assert status(broadcast) == "scheduled"
    request.user = sender
    broadcast_edit(broadcast=broadcast, request=request, body="Sale: 20% off", source="Acme",
                   schedule_at=later, validity_seconds=86400)  # fmt: skip
    assert status(broadcast) == "awaiting_approval"


def test_a_test_goes_to_the_members_verified_mobile_marked_as_a_test(
    gateway, compose, workspace, sender, client_for, eager_tasks
):
    client = client_for(sender)
    mobile = url(workspace, "my_mobile")
    client.post(mobile, {"action": "send", "number": "07700 900202"})
    code = re.search(r"\b(\d{6})\b", SandboxMessage.objects.get().body).group(1)
    client.post(mobile, {"action": "verify", "code": code})
    sender.refresh_from_db()
    assert sender.mobile == uk(202) and sender.mobile_verified_at is not None
    broadcast = compose([uk(203)], body="Hi {first_name|there}", confirm=False)
    client.post(url(workspace, "test_send", broadcast_id=broadcast.public_id))
    test = Broadcast.objects.get(is_test=True, retry_of=broadcast)
    assert list(test.messages.values_list("destination", flat=True)) == [uk(202)]
    assert status(broadcast) == "draft"  # the broadcast itself waits for its own confirmation


def test_without_a_verified_mobile_no_test_is_sent(gateway, compose, workspace, sender, client_for):
    User.objects.filter(pk=sender.pk).update(mobile=uk(204))  # typed, never verified
    broadcast = compose([uk(205)], confirm=False)
    response = client_for(sender).post(
        url(workspace, "test_send", broadcast_id=broadcast.public_id), follow=True
    )
    assert "verify your mobile number" in response.content.decode()
    assert not Broadcast.objects.filter(is_test=True).exists()
