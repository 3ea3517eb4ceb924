"""A workspace names its custom fields once: the name shows on the contact form, the contact page
and the import's column choices, and works as a merge field in a message."""

import uuid

import pytest
from django.urls import reverse

from contacts.fields import clean_names, merge_tags
from contacts.forms import MappingForm
from contacts.models import Contact, CustomFieldNames
from messaging.services.compose import Draft, body_fields, broadcast_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(workspace):  # noqa: ANN001, ANN201
    return CustomFieldNames.objects.create(workspace=workspace, label1="Company",
                                           label2="Appointment date")  # fmt: skip


def test_the_names_show_on_the_form_the_contact_page_and_the_import(
    named, workspace, owner, client_for
):
    contact = Contact.objects.create(workspace=workspace, number="+447700900301", field1="Acme")
    client = client_for(owner)
    form = client.get(reverse("contacts:new", kwargs={"slug": workspace.slug})).content.decode()
    assert "Company" in form and "Appointment date" in form and "MM1" not in form
    page = client.get(
        reverse("contacts:detail", kwargs={"slug": workspace.slug, "contact_id": contact.public_id})
    ).content.decode()
    assert "<dt>Company</dt><dd>Acme</dd>" in page
    choices = dict(MappingForm(2, workspace=workspace).fields["col_0"].choices)
    assert choices["field1"] == "Company" and choices["field3"] == "Custom field 3"


def test_a_named_field_is_a_merge_field(named, workspace, owner):
    ann = Contact.objects.create(workspace=workspace, number="+447700900302", name="Ann",
                                 field1="Acme", field2="Tuesday 3pm")  # fmt: skip
    assert merge_tags(workspace)["appointment_date"] == "field2"
    draft = Draft(body="Hi {first_name}, {company}: see you {appointment_date}. {compnay}",
                  source="Acme", contact_ids=[ann.pk])  # fmt: skip
    broadcast = broadcast_create(workspace=workspace, user=owner, draft=draft,
                                 idempotency_key=uuid.uuid4())  # fmt: skip
    assert broadcast.personalised
    assert broadcast.messages.get().body == "Hi Ann, Acme: see you Tuesday 3pm. {compnay}"


@pytest.mark.parametrize(
    ("names", "message"),
    [(["Name", "", "", "", ""], "exists already"), (["Co", "CO", "", "", ""], "would both be"),
     (["1st", "", "", "", ""], "start the name with a letter")],
)  # fmt: skip
def test_names_that_would_clash_as_merge_fields_are_refused(names, message):
    with pytest.raises(Exception, match=message):
        clean_names(names)


def test_only_admins_rename_the_fields(workspace, sender, admin, client_for):
    url = reverse("contacts:fields", kwargs={"slug": workspace.slug})
    data = {"label1": "Company", "label2": "", "label3": "", "label4": "", "label5": ""}
    assert client_for(sender).post(url, data).status_code == 403
    client_for(admin).post(url, data)
    assert CustomFieldNames.objects.get(workspace=workspace).label1 == "Company"


def test_the_fields_a_body_decides_follow_the_workspaces_merge_fields(named, workspace):
    tags = merge_tags(workspace)
    assert body_fields("Hi {company}", tags) == {
        "body": "Hi {company}", "encoding": "GSM-7", "parts": 1, "personalised": True,
        "track_links": False, "footer": "",
    }  # fmt: skip
    assert body_fields("Hi {compnay}", tags)["personalised"] is False
    assert body_fields("Zaż\u00f3łć " * 20, tags) | {"body": ""} == {
        "body": "", "encoding": "UCS-2", "parts": 3, "personalised": False, "track_links": False,
        "footer": "",
    }  # fmt: skip


def test_renaming_a_field_later_does_not_change_how_a_composed_send_goes(named, workspace, owner):
    ann = Contact.objects.create(workspace=workspace, number="+447700900303", field1="Acme")
    draft = Draft(body="From {company}", source="Acme", contact_ids=[ann.pk])
    broadcast = broadcast_create(workspace=workspace, user=owner, draft=draft,
                                 idempotency_key=uuid.uuid4())  # fmt: skip
    named.label1 = "Firm"
    named.save()
    broadcast.refresh_from_db()
    assert broadcast.personalised  # each row still carries its own text
    assert broadcast.messages.get().body == "From Acme"
