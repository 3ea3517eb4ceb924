"""Subject access, erasure and consent records (UK GDPR): a person with history in every table."""

import io
import json
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import (
    AuditEvent,
    ErasedNumber,
    IdempotencyRecord,
    WebhookDelivery,
    WebhookEndpoint,
    Workspace,
)
from contacts import privacy
from contacts.consent import Origin
from contacts.models import (
    ConsentEvent,
    Contact,
    Group,
    GroupMembership,
    ImportIssue,
    JobKind,
    Suppression,
)
from contacts.optouts import opted_out_numbers
from contacts.services.address_book import contact_opt_out, contact_save
from inbound.models import Conversation, InboundMessage
from messaging.models import Broadcast, LinkClick, Message, MessageEvent, Series, TrackedLink
from reporting.dashboard import dashboard_figures
from reporting.models import ReportRow, ReportSnapshot
from reporting.services.snapshots import snapshot_store_body

pytestmark = pytest.mark.django_db

NUMBER = "+447700900777"
FORMS = ("+447700900777", "447700900777", "07700900777")
SECRET_BODY = "Your parcel code is 58213 for Flat 4"
REPORT_HEADER = (
    '"MessageID","Username","Destination","Source","Status","Schedule Date","Sent Date",'
    '"Delivery Date"\n'
)


def _broadcast(ws: Workspace, body: str = "Hello from Acme", **fields) -> Broadcast:  # noqa: ANN003
    return Broadcast.objects.create(
        workspace=ws, body=body, source="Acme", status="done", idempotency_key=uuid.uuid4(),
        finished_at=timezone.now(), **fields,
    )  # fmt: skip


@pytest.fixture
def person(workspace, admin, run_import, eager_tasks):  # noqa: ANN001, ANN201
    """Ann, +447700900777, in every table of the workspace."""
    first = run_import(
        workspace, b"Bob Other,07700900111\nAnn Person,07700900777\n", ["name", "number"]
    )
    run_import(workspace, b"Ann Again,07700900777\n", ["name", "number"])  # a duplicate row
    ann = Contact.objects.get(workspace=workspace, number=NUMBER)
    assert ann.source_import_id == first.pk
    group = Group.objects.create(workspace=workspace, name="Regulars")
    GroupMembership.objects.create(group=group, contact=ann)

    stop = InboundMessage.objects.create(
        workspace=workspace, dest="+447700900500", gateway_id="in-1", source=NUMBER, body="STOP",
        received_at=timezone.now(), raw={"from": NUMBER, "message": "STOP"}, mm_name="Ann Person",
    )  # fmt: skip
    conversation = Conversation.objects.create(
        workspace=workspace, number=NUMBER, contact=ann, last_message_at=timezone.now(),
        last_preview="STOP",
    )  # fmt: skip
    InboundMessage.objects.filter(pk=stop.pk).update(conversation=conversation)
    contact_opt_out(
        contact=ann, origin=Origin.of_text(body="STOP", inbound_id=stop.pk, keyword=True)
    )

    personal = _broadcast(workspace, body="Hi {first_name}", personalised=True,
                          recipients_spec={"selection": {"numbers": [NUMBER]}})  # fmt: skip
    sent = Message.objects.create(
        workspace=workspace, broadcast=personal, contact=ann, destination=NUMBER,
        body=SECRET_BODY, state="delivered", gateway_id="g-1", delivered_at=timezone.now(),
    )  # fmt: skip
    MessageEvent.objects.create(message=sent, state="delivered", gateway_status="Delivered",
                                at=timezone.now())  # fmt: skip
    link = TrackedLink.objects.create(
        code=uuid.uuid4().hex[:10], workspace=workspace, broadcast=personal, message=sent,
        url="https://acme.example.com/offer", expires_at=timezone.now() + timedelta(days=9),
    )  # fmt: skip
    LinkClick.objects.create(link=link, at=timezone.now(), counted=True, visitor="v" * 64)
    bulk = _broadcast(workspace, body="Big news for everyone")
    Message.objects.create(workspace=workspace, broadcast=bulk, destination="+447700900111",
                           state="delivered")  # fmt: skip
    Message.objects.create(workspace=workspace, broadcast=bulk, destination=NUMBER,
                           state="queued")  # fmt: skip
    Series.objects.create(
        workspace=workspace, body="Weekly", source="Acme", rule="RRULE:FREQ=WEEKLY",
        starts=timezone.now(), time_zone="Europe/London",
        selection={"numbers": [NUMBER, "+447700900111"]},
    )  # fmt: skip

    snapshot = ReportSnapshot.objects.create(
        workspace=workspace, report_type="Messages", range_start=datetime(2026, 1, 1, tzinfo=UTC),
        range_end=datetime(2026, 1, 1, 23, 59, tzinfo=UTC), state="fetching",
    )  # fmt: skip
    body = REPORT_HEADER + "".join(
        f'"{i}","acme","{n}","Acme","Delivered","","01/01/2026 10:0{i}:00",'
        f'"01/01/2026 10:0{i}:05"\n'
        for i, n in enumerate(["447700900777", "447700900111"], start=1)
    )
    snapshot_store_body(snapshot=snapshot, body=body, fetched_at=timezone.now())

    AuditEvent.objects.create(workspace=workspace, action="contact_opted_out",
                              object_repr=str(ann), detail={"number": NUMBER})  # fmt: skip
    audit_record("message_resent", workspace=workspace, obj=sent, to=NUMBER)
    IdempotencyRecord.objects.create(
        workspace=workspace, key="k-1", method="POST", path="/api/v1/messages/",
        fingerprint="f" * 64, status_code=201, body={"recipients": [{"number": NUMBER}]},
    )  # fmt: skip
    endpoint = WebhookEndpoint.objects.create(  # hears of the cancelled message at erasure too
        workspace=workspace, url="https://example.com/h", events=["message.status_changed"]
    )
    WebhookDelivery.objects.create(
        workspace=workspace, endpoint=endpoint, event="contact.opted_out",
        payload={"number": NUMBER},
    )  # fmt: skip
    Suppression.objects.create(workspace=workspace, number=NUMBER, reason="Undeliverable",
                               failures=3)  # fmt: skip
    return ann


def _mentions(model: type[models.Model]) -> int:
    text_fields = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField))
    ]
    if not text_fields:
        return 0
    rows = model._default_manager.all()
    found = Q()
    for name in text_fields:
        rows = rows.annotate(**{f"_t_{name}": Cast(name, TextField())})
        for form in FORMS + (SECRET_BODY,):
            found |= Q(**{f"_t_{name}__contains": form})
    return rows.filter(found).count()


def test_subject_access_holds_every_table(person, workspace, admin, client_for):
    response = client_for(admin).get(
        reverse("contacts:data", kwargs={"slug": workspace.slug, "contact_id": person.public_id})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))["sections"]
    assert [c["name"] for c in data["contacts"]] == ["Ann Person"]
    assert data["contacts"][0]["groups"] == ["Regulars"]
    consent = [(e["kind_label"], e["method_label"]) for e in data["consent"]]
    assert consent == [("Added", "Imported from a file"), ("Opted out", "Text message keyword")]
    assert data["consent"][0]["line"] == 2
    assert data["consent"][1]["keyword"] == "STOP"
    assert len(data["opt_outs"]) == 1
    assert len(data["imports"]) == 2  # the one that made the contact, the one with a duplicate
    assert data["import_rows"][0]["result"] == "Duplicate Number"
    sent = {m["text"]: m for m in data["messages_sent"]}
    assert set(sent) == {SECRET_BODY, "Big news for everyone"}
    assert sent[SECRET_BODY]["history"][0]["status"] == "Delivered"
    assert sent[SECRET_BODY]["link_clicks"][0]["url"] == "https://acme.example.com/offer"
    assert [t["body"] for t in data["messages_received"]] == ["STOP"]
    assert [r["destination"] for r in data["report_rows"]] == ["447700900777"]
    assert [s["failures"] for s in data["suppressions"]] == [3]
    names = set(archive.namelist())
    assert {"data.json", "contacts.csv", "consent.csv", "messages_sent.csv"} <= names
    assert "Ann Person" in archive.read("contacts.csv").decode()
    event = AuditEvent.objects.get(workspace=workspace, action="export_downloaded")
    assert event.detail["what"] == "subject access"
    assert event.detail["rows"] == sum(len(v) for v in data.values())


def test_erasure_leaves_no_trace_in_any_table(person, workspace, admin, client_for, settings):
    holding = {m._meta.label for m in apps.get_models() if _mentions(m)}
    assert holding >= {  # the person is everywhere to begin with
        "contacts.Contact", "contacts.ConsentEvent", "contacts.ImportIssue",
        "inbound.InboundMessage", "inbound.Conversation", "messaging.Message",
        "messaging.Broadcast", "messaging.Series", "reporting.ReportRow", "accounts.AuditEvent",
        "accounts.IdempotencyRecord", "accounts.WebhookDelivery", "contacts.Suppression",
    }  # fmt: skip
    url = reverse("contacts:erase", kwargs={"slug": workspace.slug, "contact_id": person.public_id})
    page = client_for(admin).get(url)
    assert b"Messages sent" in page.content and b"Texts received" in page.content
    refused = client_for(admin).post(url, {})  # the box is not ticked: nothing happens
    assert refused.status_code == 200 and Contact.objects.filter(pk=person.pk).exists()

    response = client_for(admin).post(url, {"confirm": "on"})
    assert response.status_code == 302

    for model in apps.get_models():
        if model._meta.app_label != "sandbox":
            assert _mentions(model) == 0, model._meta.label
    for snapshot in ReportSnapshot.objects.all():
        assert b"900777" not in snapshot.raw_file.read()
    assert not Contact.objects.filter(number=NUMBER).exists()
    assert not Conversation.objects.exists()
    assert not LinkClick.objects.exists()
    assert ConsentEvent.objects.filter(workspace=workspace).count() == 0
    assert ImportIssue.objects.count() == 0
    # Rows stay, scrubbed, so counts add up; the unsent message is never sent now.
    assert Message.objects.filter(destination="").count() == 2
    unsent = Message.objects.get(destination="", broadcast__body="Big news for everyone")
    assert unsent.state == "cancelled" and unsent.broadcast.cancelled_count == 1
    assert ReportRow.objects.count() == 2
    erased = ErasedNumber.objects.get(workspace=workspace)
    assert erased.opted_out and erased.counts["messages_sent"] == 2
    assert person.workspace.gateway_jobs.filter(kind=JobKind.RESYNC).exists()
    assert AuditEvent.objects.filter(workspace=workspace, action="person_erased").exists()


def test_an_erased_person_who_opted_out_stays_opted_out(person, workspace, admin):
    privacy.erase_person(workspace, NUMBER, user=admin)
    assert opted_out_numbers(workspace, [NUMBER, "+447700900111"]) == {NUMBER}
    # Added again later (typed in), they are still not sent to.
    contact_save(contact=Contact(workspace=workspace, number=NUMBER), origin=Origin("typed"))
    assert opted_out_numbers(workspace, [NUMBER]) == {NUMBER}


def test_an_erased_person_who_had_not_opted_out_can_be_sent_to_again(workspace, admin):
    contact_save(contact=Contact(workspace=workspace, number=NUMBER), origin=Origin("typed"))
    erased = privacy.erase_person(workspace, NUMBER, user=admin)
    assert not erased.opted_out
    assert opted_out_numbers(workspace, [NUMBER]) == set()
    assert ErasedNumber.objects.get().number_hash != NUMBER and "900777" not in erased.number_hash


def test_erasure_keeps_the_dashboard_figures(person, workspace, admin):
    Broadcast.objects.filter(workspace=workspace).update(sent_count=2, delivered_count=2)
    before = dashboard_figures(workspace, None)
    privacy.erase_person(workspace, NUMBER, user=admin)
    after = dashboard_figures(workspace, None)
    for name in ("sent_today", "sent_month", "delivered_7d", "failed_7d", "unknown_count"):
        assert getattr(after, name) == getattr(before, name), name
    assert Broadcast.objects.filter(workspace=workspace).count() == 2


def test_erasure_touches_only_its_workspace(person, workspace, other_workspace, admin):
    theirs = Contact.objects.create(workspace=other_workspace, number=NUMBER, name="Ann Elsewhere")
    other_text = InboundMessage.objects.create(
        workspace=other_workspace, dest="+447700900501", gateway_id="in-9", source=NUMBER,
        body="Hello", received_at=timezone.now(),
    )  # fmt: skip
    privacy.erase_person(workspace, NUMBER, user=admin)
    assert Contact.objects.filter(pk=theirs.pk).exists()
    other_text.refresh_from_db()
    assert other_text.source == NUMBER and other_text.body == "Hello"
    assert opted_out_numbers(other_workspace, [NUMBER]) == set()


def test_a_person_who_is_not_a_contact_is_found_and_erased_by_number(workspace, admin, client_for):
    InboundMessage.objects.create(
        workspace=workspace, dest="+447700900500", gateway_id="in-2", source=NUMBER,
        body="Is the shop open?", received_at=timezone.now(),
    )  # fmt: skip
    client = client_for(admin)
    url = reverse("contacts:privacy", kwargs={"slug": workspace.slug})
    page = client.post(url, {"action": "find", "number": "07700 900777"})
    assert b"Texts received: 1" in page.content
    bad = client.post(url, {"action": "find", "number": "not a number"})
    assert bad.status_code == 200 and b"aria-invalid" in bad.content

    data = client.post(reverse("contacts:person_data", kwargs={"slug": workspace.slug}),
                       {"number": NUMBER})  # fmt: skip
    sections = json.loads(zipfile.ZipFile(io.BytesIO(data.content)).read("data.json"))
    assert sections["sections"]["messages_received"][0]["body"] == "Is the shop open?"

    erase_url = reverse("contacts:person_erase", kwargs={"slug": workspace.slug})
    confirm = client.post(erase_url, {"number": NUMBER})
    assert b"Erase for good" in confirm.content
    assert InboundMessage.objects.get().body == "Is the shop open?"
    client.post(erase_url, {"number": NUMBER, "confirm_step": "1", "confirm": "on"})
    assert InboundMessage.objects.get().body == ""
    after = client.post(url, {"action": "find", "number": NUMBER})
    assert b"This number was erased" in after.content


@pytest.mark.parametrize("role", ["sender", "viewer"])
def test_only_admins_reach_a_persons_data(person, workspace, client_for, request, role):
    user = request.getfixturevalue(role)
    kwargs = {"slug": workspace.slug, "contact_id": person.public_id}
    for name in ("contacts:data", "contacts:erase"):
        assert client_for(user).get(reverse(name, kwargs=kwargs)).status_code == 403
    assert (
        client_for(user)
        .post(
            reverse("contacts:person_erase", kwargs={"slug": workspace.slug}),
            {"number": NUMBER, "confirm_step": "1", "confirm": "on"},
        )
        .status_code
        == 403
    )
    assert Contact.objects.filter(pk=person.pk).exists()


def test_consent_records_how_each_contact_came(workspace, admin, client_for):
    client = client_for(admin)
    client.post(
        reverse("contacts:new", kwargs={"slug": workspace.slug}),
        {"name": "Typed Tim", "number": "07700900222"},
    )
    tim = Contact.objects.get(number="+447700900222")
    event = ConsentEvent.objects.get(contact=tim)
    assert (event.kind, event.method, event.by_email) == ("added", "typed", admin.email)
    page = client.get(
        reverse("contacts:detail", kwargs={"slug": workspace.slug, "contact_id": tim.public_id})
    )
    assert b"Typed in the portal" in page.content and admin.email.encode() in page.content


def test_an_erased_person_who_was_suppressed_stays_unsent_to(workspace, admin):
    contact_save(contact=Contact(workspace=workspace, number=NUMBER), origin=Origin("typed"))
    Suppression.objects.create(workspace=workspace, number=NUMBER, reason="Undeliverable",
                               failures=3)  # fmt: skip
    erased = privacy.erase_person(workspace, NUMBER, user=admin)
    assert erased.opted_out and not Suppression.objects.exists()
    assert opted_out_numbers(workspace, [NUMBER]) == {NUMBER}
