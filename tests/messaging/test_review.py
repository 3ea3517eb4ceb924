"""What the review page promises is what dispatch does: where the recipients come from, who is
skipped and what it costs, empty merge fields and their stand-ins; no send without a gateway; the
schedule edit is the composer's form, counter and all."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Group
from messaging.models import Broadcast
from messaging.services import dispatch
from sandbox.models import Message as SandboxMessage

from .conftest import uk

pytestmark = pytest.mark.django_db(transaction=True)


def url(ws, name, **kwargs):  # noqa: ANN001, ANN003, ANN201
    return reverse(f"messaging:{name}", kwargs={"slug": ws.slug, **kwargs})


def compose_post(client, ws, **data):  # noqa: ANN001, ANN003, ANN201
    payload = {"numbers": "", "source": "Acme", "body": "Hello", "validity_seconds": "86400",
               "idempotency_key": str(uuid.uuid4()), **data}  # fmt: skip
    return client.post(url(ws, "compose"), payload)


def review(client, ws) -> str:  # noqa: ANN001
    broadcast = Broadcast.objects.order_by("-id").first()
    return client.get(url(ws, "confirm", broadcast_id=broadcast.public_id)).content.decode()


def test_the_review_shows_where_recipients_come_from_and_who_is_skipped_and_not_charged(
    client_for, workspace, sender, gateway
):
    ann = Contact.objects.create(workspace=workspace, number=uk(160), name="Ann")
    vip = Group.objects.create(workspace=workspace, name="VIP")
    for last in (160, 161, 162):
        vip.contacts.add(Contact.objects.get_or_create(workspace=workspace, number=uk(last))[0])
    Contact.objects.filter(number=uk(162)).update(opted_out_at=timezone.now())
    client = client_for(sender)
    typed = f"{uk(163)}\n{uk(163)}\n{uk(161)}\nnot a number"
    compose_post(client, workspace, numbers=typed, skip_invalid="on", contact=str(ann.public_id),
                 groups=str(vip.public_id))  # fmt: skip
    html = review(client, workspace)
    assert "4 recipients" in html
    assert "2 typed numbers" in html and "1 typed twice, kept once" in html
    assert "1 contact picked" in html and "Group “VIP”: 3 members" in html
    assert "2 picked more than once: sent once" in html
    assert "1 opted out: skipped, not charged" in html
    assert "1 typed line is not a number and is left out" in html and "not a number" in html
    broadcast = Broadcast.objects.get()
    assert broadcast.estimated_credits == 3  # the opted-out recipient costs nothing
    client.post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    assert SandboxMessage.objects.count() == 3  # as promised
    assert broadcast.messages.filter(state="skipped").count() == 1


def test_empty_merge_fields_are_counted_and_a_stand_in_fills_them(
    client_for, workspace, sender, gateway
):
    ann = Contact.objects.create(workspace=workspace, number=uk(170), name="Ann Lee")
    client = client_for(sender)
    compose_post(client, workspace, numbers=uk(171), contact=str(ann.public_id),
                 body="Hi {first_name}, your slot is ready.")  # fmt: skip
    html = review(client, workspace)
    assert "{first_name} is empty for 1 of 2 recipients" in html
    assert "{first_name|there}" in html and "Hi , your slot is ready." in html
    compose_post(client, workspace, numbers=uk(171), contact=str(ann.public_id),
                 body="Hi {first_name|there}, your slot is ready.")  # fmt: skip
    html = review(client, workspace)
    assert "is empty for" not in html
    bodies = set(Broadcast.objects.order_by("-id").first().messages.values_list("body", flat=True))
    assert bodies == {"Hi Ann, your slot is ready.", "Hi there, your slot is ready."}


def test_the_review_can_go_back_to_the_composer_with_the_draft_filled_in(
    client_for, workspace, sender, gateway
):
    client = client_for(sender)
    compose_post(client, workspace, numbers=uk(172), body="Hi {first_name}")
    draft = Broadcast.objects.get()
    page = client.get(url(workspace, "compose") + f"?draft={draft.public_id}").content.decode()
    assert "Hi {first_name}</textarea>" in page and uk(172) in page
    compose_post(client, workspace, numbers=uk(172), body="Hi {first_name|there}",
                 replaces=str(draft.public_id))  # fmt: skip
    assert list(Broadcast.objects.values_list("body", flat=True)) == ["Hi {first_name|there}"]


def test_without_a_gateway_the_composer_says_what_is_missing_and_confirming_is_refused(
    client_for, workspace, owner
):
    client = client_for(owner)
    page = client.get(url(workspace, "compose")).content.decode()
    assert "No gateway account is connected to this workspace yet." in page
    assert reverse("accounts_ws:gateway", kwargs={"slug": workspace.slug}) in page
    compose_post(client, workspace, numbers=uk(173))
    broadcast = Broadcast.objects.get()
    client.post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    broadcast.refresh_from_db()
    assert broadcast.status == "draft"


def test_the_schedule_edit_is_the_composers_form_with_its_counter(
    client_for, workspace, sender, gateway
):
    client = client_for(sender)
    later = timezone.localtime(timezone.now() + timedelta(hours=2))
    compose_post(client, workspace, numbers=uk(174), schedule_at=later.strftime("%Y-%m-%dT%H:%M"))
    broadcast = Broadcast.objects.get()
    client.post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    page = client.get(url(workspace, "broadcast_edit", broadcast_id=broadcast.public_id))
    html = page.content.decode()
    assert 'id="counter"' in html and "data-sms-counter" in html  # static/js/counter.js
    assert f'data-counter-url="{url(workspace, "counter")}"' in html
    counter = client.post(url(workspace, "counter"), {"body": "Sale — today"}).content.decode()
    assert "UCS-2" in counter and "<mark>—</mark>" in counter


def test_pages_show_times_on_the_workspaces_clock(client_for, workspace, sender, gateway):
    from datetime import UTC, datetime

    workspace.time_zone = "America/New_York"
    workspace.save()
    client = client_for(sender)
    compose_post(client, workspace, numbers=uk(175), schedule_at="2027-01-15T10:00")
    broadcast = Broadcast.objects.get()
    assert broadcast.schedule_at == datetime(2027, 1, 15, 15, 0, tzinfo=UTC)  # 10:00 EST
    html = review(client, workspace)
    assert "Friday 15 January 2027, 10:00 (America/New_York)" in html
