"""The sandbox forwards texts to the endpoint over real HTTP; reconciliation recovers misses."""

import pytest

from contacts.models import Contact
from inbound import endpoint
from inbound.models import InboundMessage
from inbound.services.reconcile import reconcile_workspace
from messaging.models import MessageState
from messaging.services.compose import send_now
from sandbox import inbound as handset
from sandbox.models import DistributionList, ForwardAttempt, ListEntry, VirtualNumber

from .conftest import SENDER, VMN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_tasks")]


def text_from_handset(body: str, sender: str = SENDER) -> str:
    """A handset texts the VMN; the sandbox forwards it. Returns the gateway's id."""
    message = handset.receive(to=VMN, sender=sender, text=body, start_forwarding=False)
    handset.forward_once(message.pk)
    return str(message.pk)


def attempts(gateway_id: str) -> list[int | None]:
    return list(
        ForwardAttempt.objects.filter(inbound_id=int(gateway_id))
        .order_by("number")
        .values_list("http_status", flat=True)
    )


def test_a_text_forwarded_by_post_is_in_the_inbox(gateway, workspace):
    gateway_id = text_from_handset("Hello by POST")
    assert attempts(gateway_id) == [200]
    message = InboundMessage.objects.get(gateway_id=gateway_id)
    assert (message.workspace, message.source, message.body) == (workspace, SENDER, "Hello by POST")
    assert message.processed_at is not None and message.conversation is not None


def test_a_text_forwarded_by_get_is_in_the_inbox(gateway, vmn):
    VirtualNumber.objects.filter(account=gateway).update(forward_method="GET")
    gateway_id = text_from_handset("Hello by GET")
    assert attempts(gateway_id) == [200]
    assert InboundMessage.objects.get(gateway_id=gateway_id).body == "Hello by GET"


def test_mail_merge_fields_of_a_linked_list_arrive(gateway):
    dist = DistributionList.objects.create(account=gateway, name="Members")
    ListEntry.objects.create(
        dist_list=dist, number=SENDER.lstrip("+"), name="Ann", email="ann@example.com", mm1="Gold"
    )
    VirtualNumber.objects.filter(account=gateway).update(linked_list=dist)
    gateway_id = text_from_handset("Hi")
    message = InboundMessage.objects.get(gateway_id=gateway_id)
    assert (message.mm_name, message.mm_email, message.mm1) == ("Ann", "ann@example.com", "Gold")


def test_a_send_to_an_opted_out_contact_is_skipped_before_the_gateway(gateway, workspace):
    text_from_handset("STOP")
    assert Contact.objects.get(number=SENDER).opted_out_at is not None
    broadcast = send_now(workspace=workspace, body="Big sale!", destinations=[SENDER])
    message = broadcast.messages.get()
    assert message.state == MessageState.SKIPPED
    assert message.error_text == "The recipient opted out."
    assert message.gateway_id == ""


def test_reconciliation_recovers_texts_the_endpoint_answered_500_to(
    gateway, workspace, settings, monkeypatch
):
    settings.SANDBOX_FORWARD_ATTEMPTS = 1

    def down(**kwargs):  # noqa: ANN003, ANN202
        raise RuntimeError("the portal is down")

    monkeypatch.setattr(endpoint, "inbound_store", down)
    missed = [text_from_handset(f"Missed {n}") for n in range(3)]
    assert [attempts(i) for i in missed] == [[500]] * 3
    assert not InboundMessage.objects.exists()
    monkeypatch.undo()

    assert reconcile_workspace(workspace=workspace) == 3
    recovered = InboundMessage.objects.filter(gateway_id__in=missed).order_by("gateway_id")
    assert [(m.body, m.recovered, m.source) for m in recovered] == [
        (f"Missed {n}", True, SENDER) for n in range(3)
    ]
    assert all(m.conversation_id for m in recovered)
    assert reconcile_workspace(workspace=workspace) == 0  # nothing twice
