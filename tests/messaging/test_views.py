"""The composer, confirmation, broadcasts and the message log, through the views."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import GatewayConnection
from contacts.models import Contact
from messaging.models import Broadcast, GatewayCallCount, Message, SenderID
from messaging.services import schedule
from sandbox.models import Message as SandboxMessage

from .conftest import uk

pytestmark = pytest.mark.django_db(transaction=True)


def url(ws, name, **kwargs):
    return reverse(f"messaging:{name}", kwargs={"slug": ws.slug, **kwargs})


def compose_post(client, ws, **data):
    payload = {"numbers": uk(101), "source": "Acme", "body": "Hello", "validity_seconds": "86400",
               "idempotency_key": str(uuid.uuid4()), **data}  # fmt: skip
    return client.post(url(ws, "compose"), payload)


def errors(response, field="__all__"):
    return " ".join(response.context["form"].errors.get(field, []))


def test_a_viewer_cannot_open_the_composer(client_for, workspace, viewer):
    assert client_for(viewer).get(url(workspace, "compose")).status_code == 403


def test_compose_then_confirm_sends_once(client_for, workspace, sender, gateway, eager_tasks):
    client = client_for(sender)
    response = compose_post(client, workspace, numbers=f"{uk(101)}\n07700 900102")
    broadcast = Broadcast.objects.get()
    assert response.url == url(workspace, "confirm", broadcast_id=broadcast.public_id)
    assert broadcast.status == "draft" and broadcast.recipient_count == 2
    assert not SandboxMessage.objects.exists()  # nothing leaves before the confirmation
    client.post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    client.post(url(workspace, "confirm", broadcast_id=broadcast.public_id))  # a double click
    assert SandboxMessage.objects.count() == 2
    assert Broadcast.objects.get().status == "sent"


def test_a_double_submitted_composer_makes_one_broadcast(client_for, workspace, sender, gateway):
    key = str(uuid.uuid4())
    compose_post(client_for(sender), workspace, idempotency_key=key)
    compose_post(client_for(sender), workspace, idempotency_key=key)
    assert Broadcast.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"body": ""}, "body", "required"),
        ({"body": "x" * 460}, "body", "at most 459"),
        ({"body": "Hi\x00there"}, "body", "Null characters are not allowed"),
        ({"numbers": ""}, "__all__", "at least one recipient"),
        ({"source": "Acme!!"}, "source", "letters, digits and spaces"),
        ({"source": "A" * 12}, "source", "at most"),
        ({"schedule_at": "2020-01-01T10:00"}, "schedule_at", "in the future"),
    ],
)
def test_bad_input_gets_an_inline_error(client_for, workspace, sender, data, field, text):
    response = compose_post(client_for(sender), workspace, **data)
    assert response.status_code == 200
    assert text in errors(response, field)
    assert not Broadcast.objects.exists()


def test_fifty_thousand_numbers_with_garbage_list_the_bad_lines(
    client_for, workspace, sender, gateway
):
    numbers = [f"+447{i:06d}500" for i in range(50_000)]
    numbers[10], numbers[20_000] = "garbage", "12"
    response = compose_post(client_for(sender), workspace, numbers="\n".join(numbers))
    message = errors(response, "numbers")
    assert "2 of these are not phone numbers" in message and "line 11" in message
    response = compose_post(
        client_for(sender), workspace, numbers="\n".join(numbers), skip_invalid="on"
    )
    assert Broadcast.objects.get().recipient_count == 49_998


def test_only_approved_sender_ids_when_there_is_a_list(client_for, workspace, sender):
    SenderID.objects.create(workspace=workspace, value="AcmeShop", is_default=True)
    response = compose_post(client_for(sender), workspace, source="Other")
    assert "approved sender IDs: AcmeShop" in errors(response, "source")


def test_the_counter_shows_encoding_parts_and_the_characters_that_force_ucs2(
    client_for, workspace, sender
):
    response = client_for(sender).post(url(workspace, "counter"), {"body": "Café ✓ " + "x" * 70})
    content = response.content.decode()
    assert "UCS-2" in content and "<strong>2</strong> parts" in content
    assert "<mark>✓</mark>" in content and "<mark>é</mark>" not in content  # é is GSM-7
    assert "<strong>77</strong> / 459 characters" in content  # textconnect's MAX_BODY_CHARS


def test_confirm_refuses_when_the_balance_does_not_cover(client_for, workspace, sender):
    GatewayConnection.objects.create(workspace=workspace, token="t" * 20, balance=Decimal(1))
    compose_post(client_for(sender), workspace, numbers=f"{uk(101)}\n{uk(102)}")
    broadcast = Broadcast.objects.get()
    response = client_for(sender).post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    assert "needs about 2 credits" in response.context["error"]
    assert Broadcast.objects.get().status == "draft"


def test_schedule_then_cancel(client_for, workspace, sender, gateway, eager_tasks):
    later = (timezone.localtime(timezone.now() + timedelta(hours=2))).strftime("%Y-%m-%dT%H:%M")
    compose_post(client_for(sender), workspace, schedule_at=later)
    broadcast = Broadcast.objects.get()
    client_for(sender).post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    assert Broadcast.objects.get().status == "scheduled"
    client_for(sender).post(url(workspace, "broadcast_cancel", broadcast_id=broadcast.public_id))
    broadcast.refresh_from_db()
    assert broadcast.status == "cancelled"
    assert broadcast.messages.get().state == "cancelled"
    schedule.dispatch_due(now=timezone.now() + timedelta(hours=3))
    assert not SandboxMessage.objects.exists()


def test_schedule_then_beat_sends_when_due(client_for, workspace, sender, gateway, eager_tasks):
    later = (timezone.localtime(timezone.now() + timedelta(hours=2))).strftime("%Y-%m-%dT%H:%M")
    compose_post(client_for(sender), workspace, schedule_at=later)
    broadcast = Broadcast.objects.get()
    client_for(sender).post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    schedule.dispatch_due(now=timezone.now())
    assert not SandboxMessage.objects.exists()  # not due yet
    schedule.dispatch_due(now=timezone.now() + timedelta(hours=2, minutes=1))
    assert SandboxMessage.objects.count() == 1
    assert Broadcast.objects.get().status == "sent"


def test_a_scheduled_send_that_cannot_be_paid_for_fails_with_a_reason_and_an_email(
    client_for, workspace, sender, gateway, eager_tasks, mailoutbox
):
    later = (timezone.localtime(timezone.now() + timedelta(hours=2))).strftime("%Y-%m-%dT%H:%M")
    compose_post(client_for(sender), workspace, schedule_at=later)
    broadcast = Broadcast.objects.get()
    client_for(sender).post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    GatewayConnection.objects.filter(workspace=workspace).update(balance=0)
    schedule.dispatch_due(now=timezone.now() + timedelta(hours=3))
    broadcast.refresh_from_db()
    assert broadcast.status == "failed" and "Not sent" in broadcast.status_reason
    assert mailoutbox[-1].to == [sender.email]
    assert not SandboxMessage.objects.exists()


def test_a_scheduled_broadcast_can_be_edited_before_it_is_due(
    client_for, workspace, sender, gateway
):
    later = timezone.localtime(timezone.now() + timedelta(hours=2))
    compose_post(client_for(sender), workspace, schedule_at=later.strftime("%Y-%m-%dT%H:%M"))
    broadcast = Broadcast.objects.get()
    client_for(sender).post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    client_for(sender).post(
        url(workspace, "broadcast_edit", broadcast_id=broadcast.public_id),
        {"source": "Acme", "body": "Changed text", "validity_seconds": "3600",
         "schedule_at": (later + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    broadcast.refresh_from_db()
    assert (broadcast.body, broadcast.validity_seconds) == ("Changed text", 3600)


def test_retry_failed_recipients_as_a_new_broadcast(
    client_for, workspace, sender, gateway, eager_tasks
):
    compose_post(client_for(sender), workspace, numbers=f"{uk(9)}\n{uk(103)}")  # 009: blacklisted
    first = Broadcast.objects.get()
    client_for(sender).post(url(workspace, "confirm", broadcast_id=first.public_id))
    client_for(sender).post(url(workspace, "broadcast_retry", broadcast_id=first.public_id))
    retry = Broadcast.objects.exclude(pk=first.pk).get()
    assert retry.retry_of == first and retry.status == "draft"
    assert list(retry.messages.values_list("destination", flat=True)) == [uk(9)]


def test_the_log_filters_by_status(client_for, workspace, viewer, compose, gateway):
    broadcast = compose([uk(200 + i) for i in range(5)], confirm=False)
    Message.objects.filter(broadcast=broadcast, destination=uk(200)).update(state="failed")
    failed = client_for(viewer).get(url(workspace, "log") + "?state=failed")
    assert [m.destination for m in failed.context["page"].rows] == [uk(200)]
    assert "cursor=" not in failed.content.decode()  # one page: no link to an older one


def test_the_log_pages_newest_first_by_a_signed_cursor(client_for, workspace, viewer, compose):
    compose([uk(600 + i) for i in range(60)], confirm=False)
    client = client_for(viewer)
    first = client.get(url(workspace, "log")).context["page"]
    assert len(first.rows) == 50 and first.next_cursor and not first.next_cursor.isdigit()
    second = client.get(url(workspace, "log") + f"?cursor={first.next_cursor}").context["page"]
    ids = [m.id for m in first.rows + second.rows]
    assert len(second.rows) == 10 and second.next_cursor is None
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 60


def test_the_log_makes_the_same_number_of_queries_for_any_page_size(
    client_for, workspace, viewer, compose, django_assert_max_num_queries
):
    compose([uk(300 + i) for i in range(120)], confirm=False)
    client = client_for(viewer)
    client.get(url(workspace, "log"))
    with django_assert_max_num_queries(12):
        first = client.get(url(workspace, "log"))
    with django_assert_max_num_queries(12):
        client.get(url(workspace, "log") + f"?cursor={first.context['page'].next_cursor}")


def test_the_logs_poll_brings_the_rows_without_working_out_the_tracking_cost(
    client_for, workspace, viewer, compose
):
    compose([uk(800)], confirm=False)
    GatewayCallCount.objects.create(workspace=workspace, day=timezone.localdate(), report_calls=1,
                                    finals=4)  # fmt: skip
    client = client_for(viewer)
    # The tracking cost is an operator's figure (in the admin), not the log's.
    assert "per message" not in client.get(url(workspace, "log")).content.decode()
    with CaptureQueriesContext(connection) as queries:
        polled = client.get(url(workspace, "log"), headers={"HX-Request": "true"})
    assert uk(800) in polled.content.decode() and "per message" not in polled.content.decode()
    assert not [q for q in queries if "messaging_gatewaycallcount" in q["sql"]]


def test_a_forged_cursor_is_ignored(client_for, workspace, viewer, compose):
    compose([uk(700 + i) for i in range(60)], confirm=False)
    client = client_for(viewer)
    newest = [m.id for m in client.get(url(workspace, "log")).context["page"].rows]
    forged = client.get(url(workspace, "log") + "?cursor=123")
    assert [m.id for m in forged.context["page"].rows] == newest


def test_the_csv_export_cannot_run_in_a_spreadsheet(client_for, workspace, viewer, compose):
    compose([uk(400)], body="=HYPERLINK(1)", confirm=False)
    body = b"".join(client_for(viewer).get(url(workspace, "log_export")).streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def test_an_unknown_message_is_sent_again_only_when_asked(
    client_for, workspace, sender, compose, gateway, eager_tasks
):
    broadcast = compose([uk(500)], confirm=False)
    message = broadcast.messages.get()
    Message.objects.filter(pk=message.pk).update(state="unknown")
    client_for(sender).post(url(workspace, "message_resend", message_id=message.public_id))
    assert SandboxMessage.objects.count() == 1
    assert Message.objects.get(pk=message.pk).state == "failed"


def test_templates_fill_the_message_box(client_for, workspace, sender):
    client = client_for(sender)
    client.post(url(workspace, "templates"), {"name": "Welcome", "body": "Hi {first_name}!"})
    template = workspace.templates.get()
    response = client.get(url(workspace, "template_body") + f"?template={template.public_id}")
    assert "Hi {first_name}!" in response.content.decode()


def test_only_admins_approve_sender_ids(client_for, workspace, sender, admin):
    assert client_for(sender).post(url(workspace, "senders"), {"value": "Acme"}).status_code == 403
    client_for(admin).post(url(workspace, "senders"), {"value": "Acme"})
    assert SenderID.objects.get().is_default


def test_a_suspended_workspace_cannot_send(client_for, workspace, sender, gateway):
    compose_post(client_for(sender), workspace)
    workspace.suspended_at = timezone.now()
    workspace.save()
    broadcast = Broadcast.objects.get()
    response = client_for(sender).post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    assert "suspended" in response.context["error"]


def schedule_one(client, workspace, **data):  # noqa: ANN001, ANN003, ANN201
    later = timezone.localtime(timezone.now() + timedelta(hours=2))
    compose_post(client, workspace, schedule_at=later.strftime("%Y-%m-%dT%H:%M"), **data)
    broadcast = Broadcast.objects.get()
    client.post(url(workspace, "confirm", broadcast_id=broadcast.public_id))
    return broadcast, later


def edit(client, workspace, broadcast, later, **data):  # noqa: ANN001, ANN003, ANN201
    payload = {"source": "Acme", "body": "Changed", "validity_seconds": "3600",
               "schedule_at": later.strftime("%Y-%m-%dT%H:%M"), **data}  # fmt: skip
    return client.post(url(workspace, "broadcast_edit", broadcast_id=broadcast.public_id), payload)


def test_an_edit_keeps_to_the_approved_sender_ids(client_for, workspace, sender, gateway):
    SenderID.objects.create(workspace=workspace, value="Acme", is_default=True)
    broadcast, later = schedule_one(client_for(sender), workspace)
    response = edit(client_for(sender), workspace, broadcast, later, source="Other")
    assert "approved sender IDs" in " ".join(response.context["form"].errors["source"])
    broadcast.refresh_from_db()
    assert broadcast.source == "Acme" and broadcast.body == "Hello"


def test_an_edit_re_personalises_and_re_estimates(client_for, workspace, sender, gateway):
    from contacts.models import Contact

    ann = Contact.objects.create(workspace=workspace, number=uk(150), name="Ann")
    broadcast, later = schedule_one(
        client_for(sender), workspace, numbers="", contact=str(ann.public_id)
    )
    assert broadcast.estimated_credits == 1
    edit(client_for(sender), workspace, broadcast, later, body="Hi {name}! " + "x" * 200)
    broadcast.refresh_from_db()
    assert broadcast.personalised and broadcast.estimated_credits == 2
    assert broadcast.messages.get().body == "Hi Ann! " + "x" * 200
    edit(client_for(sender), workspace, broadcast, later, body="Plain again")
    broadcast.refresh_from_db()
    assert not broadcast.personalised and broadcast.messages.get().body == ""


@pytest.mark.parametrize("query", ["07700 900101", "+44 7700 900101", "annie", "900101"])
def test_the_contact_picker_finds_a_contact_however_the_number_is_typed(
    client_for, workspace, other_workspace, sender, query
):
    Contact.objects.create(workspace=workspace, name="Annie", number="+447700900101")
    Contact.objects.create(workspace=other_workspace, name="Annie Rival", number="+447700900101")
    page = client_for(sender).get(url(workspace, "contact_search"), {"q": query})
    assert [c.name for c in page.context["results"]] == ["Annie"]
