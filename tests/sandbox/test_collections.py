"""Send to a List or Group, background sends and GetBGMessages."""

import json
from datetime import timedelta

from django.utils import timezone

from sandbox import workers
from sandbox.models import BackgroundSend, Contact, DistributionList, Group, ListEntry, Message


def make_group(account, name="Team", size=3, start=447700900100):
    group = Group.objects.create(account=account, name=name)
    contacts = Contact.objects.bulk_create(
        Contact(account=account, name=f"c{i}", number=str(start + i)) for i in range(size)
    )
    group.contacts.add(*contacts)
    return group


def make_list(account, name="Customers", numbers=("447700900101", "447700900102")):
    dist_list = DistributionList.objects.create(account=account, name=name)
    ListEntry.objects.bulk_create(ListEntry(dist_list=dist_list, number=n) for n in numbers)
    return dist_list


def send_to(gateway, kind, name, **params):
    return gateway.call(
        "Send",
        DestinationAddress=kind,
        **{f"{kind}Name": name},
        SourceAddress="Acme",
        Body="Hi",
        **params,
    )


def test_group_send_answers_1_and_sends_to_every_member(gateway):
    make_group(gateway.account, size=3)
    assert send_to(gateway, "Group", "Team") == "1"
    assert Message.objects.count() == 3
    assert gateway.credits() == "997"


def test_list_send_answers_1(gateway):
    make_list(gateway.account)
    assert send_to(gateway, "List", "Customers") == "1"
    assert set(Message.objects.values_list("destination", flat=True)) == {
        "447700900101",
        "447700900102",
    }


def test_destination_word_is_case_insensitive(gateway):
    make_list(gateway.account)
    answer = gateway.call(
        "Send", DestinationAddress="list", ListName="Customers", SourceAddress="A", Body="x"
    )
    assert answer == "1"


def test_get_bg_send_id_answers_the_send_id(gateway):
    make_list(gateway.account)
    bg_id = send_to(gateway, "List", "Customers", GetBGSendID="1")
    rows = json.loads(gateway.call("GetBGMessages", BGSendID=bg_id))
    assert {row["Destination"] for row in rows} == {"447700900101", "447700900102"}
    assert set(rows[0]) == {"MessageID", "Destination", "Status"}


def test_blank_group_name_answers_414(gateway):
    assert send_to(gateway, "Group", "") == "-414"


def test_unknown_group_answers_520(gateway):
    assert send_to(gateway, "Group", "Nobody") == "-520"


def test_empty_group_answers_409(gateway):
    make_group(gateway.account, size=0)
    assert send_to(gateway, "Group", "Team") == "-409"


def test_blank_list_name_answers_410(gateway):
    assert send_to(gateway, "List", "") == "-410"


def test_unknown_list_answers_516(gateway):
    assert send_to(gateway, "List", "Nobody") == "-516"


def test_empty_list_answers_408(gateway):
    make_list(gateway.account, numbers=())
    assert send_to(gateway, "List", "Customers") == "-408"


def test_group_send_without_credits_answers_100(gateway):
    gateway.account.credits = 2
    gateway.account.save()
    make_group(gateway.account, size=3)
    assert send_to(gateway, "Group", "Team") == "-100"
    assert not Message.objects.exists()


def test_too_many_running_background_sends_answer_517(gateway):
    future = timezone.now() + timedelta(hours=1)
    for _ in range(3):
        BackgroundSend.objects.create(account=gateway.account, kind="List", claimed_until=future)
    make_list(gateway.account)
    assert send_to(gateway, "List", "Customers") == "-517"


def test_group_over_200_entries_is_sent_in_the_background(gateway):
    make_group(gateway.account, size=201)
    bg_id = send_to(gateway, "Group", "Team", GetBGSendID="1")
    assert workers.wait_idle(10)
    assert BackgroundSend.objects.get(pk=int(bg_id)).finished_at is not None
    assert len(json.loads(gateway.call("GetBGMessages", BGSendID=bg_id))) == 201
    assert gateway.credits() == "799"


def test_unfinished_background_send_answers_522(gateway):
    bg_send = BackgroundSend.objects.create(
        account=gateway.account, kind="List", claimed_until=timezone.now() + timedelta(hours=1)
    )
    answer = json.loads(gateway.call("GetBGMessages", BGSendID=str(bg_send.pk)))
    assert answer == {"error": "-522", "message": "Background Send Not Finished"}


def test_unknown_background_send_answers_521(gateway):
    answer = json.loads(gateway.call("GetBGMessages", BGSendID="999999"))
    # The text of the vendor's list of GetBGMessages errors (its JSON example writes "SendID").
    assert answer == {"error": "-521", "message": "Unknown Background Send ID"}


def test_background_send_of_another_account_answers_521(gateway, sandbox_account):
    other = BackgroundSend.objects.create(account=sandbox_account(), kind="List")
    answer = json.loads(gateway.call("GetBGMessages", BGSendID=str(other.pk)))
    assert answer["error"] == "-521"


def test_background_send_without_messages_answers_523(gateway):
    make_list(gateway.account, numbers=("447700900009",))  # blacklisted: nothing is sent
    bg_id = send_to(gateway, "List", "Customers", GetBGSendID="1")
    answer = json.loads(gateway.call("GetBGMessages", BGSendID=bg_id))
    assert answer == {"error": "-523", "message": "No messages were found"}


def test_background_send_left_by_an_ended_process_is_resumed(gateway):
    payload = {
        "numbers": ["447700900101"],
        "source": "Acme",
        "source_ton": 5,
        "body": "Hi",
        "scheduled_at": None,
        "validity": 86400,
    }
    bg_send = BackgroundSend.objects.create(account=gateway.account, kind="List", payload=payload)
    workers.resume_due(min_interval=0)
    assert workers.wait_idle(10)
    assert Message.objects.get(bg_send=bg_send).destination == "447700900101"


def test_get_bg_messages_answers_compact_json_like_the_vendor(gateway):
    make_list(gateway.account, numbers=("447700900101",))
    bg_id = send_to(gateway, "List", "Customers", GetBGSendID="1")
    answer = gateway.post("GetBGMessages", BGSendID=bg_id)
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.text.startswith('[{"MessageID":"')
