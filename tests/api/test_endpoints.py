"""Every endpoint of /api/v1/, through the same services as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from contacts.models import Contact, Group, GroupMembership
from inbound.models import InboundMessage
from messaging.models import Broadcast, Message, MessageState, MessageTemplate, SenderID

pytestmark = pytest.mark.django_db


def tomorrow() -> str:
    return (timezone.now() + timedelta(days=1)).replace(microsecond=0).isoformat()


def test_send_to_numbers_contacts_and_groups_once_each(api, workspace, connected):
    ann = Contact.objects.create(workspace=workspace, name="Ann Lee", number="+447700900601")
    bob = Contact.objects.create(workspace=workspace, name="Bob Ray", number="+447700900602")
    club = Group.objects.create(workspace=workspace, name="Club")
    GroupMembership.objects.create(group=club, contact=bob)
    GroupMembership.objects.create(group=club, contact=ann)
    answer = api.post(
        "send/",
        {
            "to": ["07700 900603", "+447700900601"],
            "contacts": [str(ann.public_id)],
            "groups": [str(club.public_id)],
            "text": "Hi {first_name|there}, code {code}",
            "data": {"code": "1234"},
            "sender": "Acme",
        },
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "queued" and body["sender"] == "Acme"
    assert body["counts"]["recipients"] == 3 and body["counts"]["pending"] == 3
    broadcast = Broadcast.objects.get(public_id=body["id"])
    texts = dict(Message.objects.filter(broadcast=broadcast).values_list("destination", "body"))
    assert texts == {
        "+447700900601": "Hi Ann, code 1234",
        "+447700900602": "Hi Bob, code 1234",
        "+447700900603": "Hi there, code 1234",
    }
    event = AuditEvent.objects.get(action="broadcast_sent", object_id=body["id"])
    assert event.detail["api_key"].startswith("tck_")


def test_send_with_a_template_and_a_schedule(api, workspace, connected):
    template = MessageTemplate.objects.create(workspace=workspace, name="t", body="See you at 7")
    when = tomorrow()
    answer = api.post(
        "send/", {"to": ["+447700900601"], "template": str(template.public_id), "send_at": when}
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "scheduled" and answer.json()["text"] == "See you at 7"
    assert Broadcast.objects.get(public_id=answer.json()["id"]).schedule_at.isoformat() == when


def test_send_keeps_the_composers_checks(api, workspace, connected):
    SenderID.objects.create(workspace=workspace, value="Acme")
    wrong = api.post("send/", {"to": ["+447700900601"], "text": "Hi", "sender": "Other"})
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "sender"
    past = api.post(
        "send/", {"to": ["+447700900601"], "text": "Hi", "send_at": "2000-01-01T00:00Z"}
    )
    assert past.status_code == 400
    nobody = api.post("send/", {"text": "Hi"})
    assert (
        nobody.status_code == 400
        and nobody.json()["error"]["message"] == "Add at least one recipient."
    )
    connected.balance = 0
    connected.save()
    poor = api.post("send/", {"to": ["+447700900601"], "text": "Hi"})
    assert poor.status_code == 400 and "Top up" in poor.json()["error"]["message"]
    assert not Broadcast.objects.filter(workspace=workspace).exists()  # all or nothing


def test_an_opted_out_number_is_skipped_not_charged(
    api, workspace, connected, eager_tasks, django_capture_on_commit_callbacks
):
    Contact.objects.create(
        workspace=workspace, number="+447700900602", opted_out_at="2026-01-01T00:00Z"
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post("send/", {"to": ["+447700900602"], "text": "Hi"})
    assert answer.status_code == 201
    broadcast = Broadcast.objects.get(public_id=answer.json()["id"])
    message = broadcast.messages.get()
    assert message.state == MessageState.SKIPPED
    fresh = api.get(f"broadcasts/{broadcast.public_id}/").json()
    assert fresh["counts"]["skipped"] == 1 and fresh["counts"]["recipients"] == 1


def test_broadcasts_list_get_pause_resume_cancel(api, workspace, connected):
    made = api.post(
        "send/", {"to": ["+447700900601"], "text": "Later", "send_at": tomorrow()}
    ).json()
    listed = api.get("broadcasts/").json()
    assert [b["id"] for b in listed["results"]] == [made["id"]]
    assert api.get("broadcasts/?status=sent").json()["results"] == []
    assert api.get(f"broadcasts/{made['id']}/").json()["status"] == "scheduled"
    pause = api.post(f"broadcasts/{made['id']}/pause/")
    assert pause.status_code == 400 and "still sending" in pause.json()["error"]["message"]
    resume = api.post(f"broadcasts/{made['id']}/resume/")
    assert resume.status_code == 400
    cancelled = api.post(f"broadcasts/{made['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["counts"]["cancelled"] == 1


def test_pause_and_resume_a_sending_broadcast(api, workspace, connected):
    made = api.post("send/", {"to": ["+447700900601", "+447700900602"], "text": "Hi"}).json()
    Broadcast.objects.filter(public_id=made["id"]).update(status="sending")
    paused = api.post(f"broadcasts/{made['id']}/pause/")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    resumed = api.post(f"broadcasts/{made['id']}/resume/")
    assert resumed.status_code == 200 and resumed.json()["status"] == "sending"


def test_messages_list_filters_pages_and_history(api, workspace, connected):
    made = api.post("send/", {"to": [f"+4477009006{i:02d}" for i in range(5)], "text": "Hi"})
    broadcast_id = made.json()["id"]
    first = api.get("messages/?limit=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = api.client.get(first["next"], HTTP_AUTHORIZATION=f"Bearer {api.raw_key}").json()
    seen = {m["id"] for m in first["results"]} | {m["id"] for m in second["results"]}
    assert len(seen) == 4
    one = api.get("messages/?to=%2B447700900603").json()["results"]
    assert [m["to"] for m in one] == ["+447700900603"] and one[0]["broadcast"] == broadcast_id
    assert len(api.get(f"messages/?broadcast={broadcast_id}&state=queued").json()["results"]) == 5
    assert api.get("messages/?state=delivered").json()["results"] == []
    detail = api.get(f"messages/{one[0]['id']}/").json()
    assert detail["text"] == "Hi" and isinstance(detail["history"], list)


def test_contacts_create_get_update_delete(api, workspace):
    club = Group.objects.create(workspace=workspace, name="Club")
    made = api.post(
        "contacts/",
        {
            "name": "Ann",
            "number": "07700 900601",
            "groups": [str(club.public_id)],
            "field1": "Acme",
        },
    )
    assert made.status_code == 201, made.content
    contact = made.json()
    assert contact["number"] == "+447700900601" and contact["groups"] == [str(club.public_id)]
    again = api.post("contacts/", {"number": "+447700900601"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_number"
    bad = api.post("contacts/", {"number": "hello"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "number"
    changed = api.patch(f"contacts/{contact['id']}/", {"name": "Ann Lee", "groups": []})
    assert changed.json()["name"] == "Ann Lee" and changed.json()["groups"] == []
    assert api.get(f"contacts/{contact['id']}/").json()["field1"] == "Acme"
    assert api.get("contacts/?number=%2B447700900601").json()["results"][0]["id"] == contact["id"]
    assert api.delete(f"contacts/{contact['id']}/").status_code == 204
    assert not Contact.objects.filter(workspace=workspace).exists()


def test_bulk_upsert_creates_and_updates_by_number_all_or_none(api, workspace):
    Contact.objects.create(workspace=workspace, name="Old", number="+447700900601")
    rows = [{"number": f"+4477009{i:05d}", "name": f"P{i}"} for i in range(600, 2600)]
    answer = api.post("contacts/bulk/", {"contacts": rows})
    assert answer.status_code == 200 and answer.json() == {"created": 1999, "updated": 1}
    assert Contact.objects.get(number="+447700900601").name == "P601"
    assert Contact.objects.filter(workspace=workspace).count() == 2000
    broken = api.post(
        "contacts/bulk/", {"contacts": [{"number": "+447700800001"}, {"number": "x"}]}
    )
    assert broken.status_code == 400 and broken.json()["error"]["field"] == "contacts[1].number"
    assert not Contact.objects.filter(number="+447700800001").exists()
    too_many = api.post("contacts/bulk/", {"contacts": [{"number": "1"}] * 10_001})
    assert too_many.status_code == 400


def test_groups_and_membership(api, workspace):
    ann = Contact.objects.create(workspace=workspace, number="+447700900601")
    group = api.post("groups/", {"name": "Club"}).json()
    assert group["members"] == 0
    assert api.post("groups/", {"name": "Club"}).status_code == 400
    added = api.post(f"groups/{group['id']}/members/", {"contacts": [str(ann.public_id)]})
    assert added.json() == {"changed": 1, "members": 1}
    assert api.get(f"groups/{group['id']}/").json()["members"] == 1
    renamed = api.patch(f"groups/{group['id']}/", {"name": "Night club"})
    assert renamed.json()["name"] == "Night club"
    removed = api.delete(f"groups/{group['id']}/members/", {"contacts": [str(ann.public_id)]})
    assert removed.json() == {"changed": 1, "members": 0}
    assert [g["name"] for g in api.get("groups/").json()["results"]] == ["Night club"]
    assert api.delete(f"groups/{group['id']}/").status_code == 204
    assert not Group.objects.filter(workspace=workspace).exists()


def test_opt_outs_add_list_remove(api, workspace):
    added = api.post("opt-outs/", {"number": "07700 900609"})
    assert added.status_code == 201 and added.json()["number"] == "+447700900609"
    contact = Contact.objects.get(workspace=workspace, number="+447700900609")
    assert contact.is_opted_out
    assert [o["number"] for o in api.get("opt-outs/").json()["results"]] == ["+447700900609"]
    assert AuditEvent.objects.filter(action="contact_opted_out").exists()
    assert api.delete("opt-outs/+447700900609/").status_code == 204
    contact.refresh_from_db()
    assert not contact.is_opted_out
    assert api.delete("opt-outs/+447700900609/").status_code == 404


def test_inbound_and_balance(api, workspace, connected):
    InboundMessage.objects.create(
        workspace=workspace,
        dest="+447700900000",
        gateway_id="1",
        source="+447700900601",
        body="STOP",
        received_at="2026-12-01T10:00Z",
    )
    texts = api.get("inbound/").json()["results"]
    assert [(t["from"], t["text"]) for t in texts] == [("+447700900601", "STOP")]
    assert api.get("balance/").json()["credits"] == "1000.00"


def test_a_tracked_send_and_its_clicks_in_the_message_detail(api, workspace, connected):
    from messaging.models import TrackedLink
    from messaging.services import links

    made = api.post(
        "send/",
        {"to": ["+447700900601"], "text": "See https://acme.example.com/x", "track_links": True},
    ).json()
    message = Message.objects.get(broadcast__public_id=made["id"])
    link = TrackedLink.objects.get(message=message)
    assert message.body == f"See {links.base_url()}{link.code}"
    links.clicks_write(
        [{"link": link.pk, "at": 1.8e9, "visitor": "v", "agent": "Mozilla/5.0", "head": False}]
    )
    detail = api.get(f"messages/{message.public_id}/").json()
    assert detail["links"][0]["url"] == "https://acme.example.com/x"
    assert detail["links"][0]["clicks"] == 1
    assert detail["links"][0]["short_url"].endswith("/l/" + link.code)


def test_a_marketing_send_carries_the_opt_out_instruction_in_its_parts(api, workspace, connected):
    answer = api.post("send/", {"to": ["+447700900601"], "text": "x" * 139, "marketing": True})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["marketing"] is True and body["opt_out_footer"] == "Reply STOP to opt out"
    assert body["text"] == "x" * 139 and body["parts"] == 2 and body["estimated_credits"] == 2
    message = Message.objects.get(broadcast__public_id=body["id"])
    assert message.text == "x" * 139 + "\nReply STOP to opt out"
    plain = api.post("send/", {"to": ["+447700900601"], "text": "x" * 139}).json()
    assert plain["marketing"] is False and plain["opt_out_footer"] == "" and plain["parts"] == 1
    long = api.post("send/", {"to": ["+447700900601"], "text": "x" * 450, "marketing": True})
    assert long.status_code == 400 and "opt-out instruction" in long.json()["error"]["message"]


def test_suppressed_and_opted_out_numbers_are_skipped_through_the_api(
    api, workspace, connected, eager_tasks, django_capture_on_commit_callbacks
):
    from contacts.models import Suppression

    Suppression.objects.create(workspace=workspace, number="+447700900603", failures=3,
                               reason="Undeliverable")  # fmt: skip
    Contact.objects.create(workspace=workspace, number="+447700900602", opted_out_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post("send/", {"to": ["+447700900602", "+447700900603"], "text": "Sale",
                                    "marketing": True})  # fmt: skip
    assert answer.status_code == 201 and answer.json()["estimated_credits"] == 0
    states = dict(
        Message.objects.filter(broadcast__public_id=answer.json()["id"]).values_list(
            "destination", "error_text"
        )
    )
    assert states["+447700900602"] == "The recipient opted out."
    assert states["+447700900603"].startswith("Suppressed: ")
    assert set(Message.objects.values_list("state", flat=True)) == {MessageState.SKIPPED}


@pytest.mark.parametrize(
    "path", ["broadcasts/?status=%00", "contacts/?number=%2B44%00", "messages/?x%00=1"]
)
def test_a_nul_in_a_query_parameter_is_bad_input_not_a_500(api, path):
    answer = api.get(path)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_request"
    assert "NUL" in answer.json()["error"]["message"]
