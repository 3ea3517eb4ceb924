"""After the endpoint: contact matching, conversations, opt-outs and auto-replies (tasks inline)."""

import pytest

from contacts.models import Contact, Group, GroupMembership
from inbound.models import AutoReplyRule, Conversation, InboundMessage, InboxSettings
from messaging.models import Message

from .conftest import SENDER

pytestmark = pytest.mark.django_db


def replies_to(number: str = SENDER) -> list[str]:
    return [m.text for m in Message.objects.filter(destination=number).order_by("id")]


def test_a_text_joins_its_senders_conversation_unread(receive, workspace):
    receive("Hi")
    receive("Still there?")
    conversation = Conversation.objects.get()
    assert (conversation.number, conversation.unread_count) == (SENDER, 2)
    assert conversation.last_preview == "Still there?"
    assert InboundMessage.objects.filter(conversation=conversation).count() == 2


def test_a_text_is_matched_to_the_contact_with_its_number(receive, workspace):
    contact = Contact.objects.create(workspace=workspace, name="Ann", number=SENDER)
    receive("Hi")
    assert InboundMessage.objects.get().contact == contact
    assert Conversation.objects.get().contact == contact


def test_processing_twice_does_nothing_more(receive):
    from inbound.services.process import inbound_process

    receive("Hi")
    inbound_process(message_id=InboundMessage.objects.get().pk)
    assert Conversation.objects.get().unread_count == 1


@pytest.mark.parametrize("word", ["STOP", "stopall", "  Unsubscribe ", "cancel", "End", "QUIT"])
def test_an_opt_out_word_opts_the_sender_out_creating_the_contact(receive, word):
    receive(word)
    contact = Contact.objects.get(number=SENDER)
    assert contact.opted_out_at is not None
    assert InboundMessage.objects.get().opt_action == "opt_out"


def test_a_word_inside_a_sentence_does_not_opt_out(receive):
    receive("Please do not stop")
    assert not Contact.objects.filter(opted_out_at__isnull=False).exists()


@pytest.mark.parametrize("word", ["START", "unstop"])
def test_an_opt_in_word_opts_back_in(receive, workspace, word):
    receive("STOP")
    Contact.objects.filter(number=SENDER).update(sync_state="synced")
    receive(word)
    contact = Contact.objects.get(number=SENDER)
    assert contact.opted_out_at is None
    assert contact.sync_state == "unsynced"  # pushed again, with its groups, to the gateway


def test_the_opt_out_words_are_the_workspaces_own(receive, workspace):
    InboxSettings.objects.create(workspace=workspace, opt_out_words="HALT, BASTA")
    receive("stop")
    assert not Contact.objects.filter(opted_out_at__isnull=False).exists()
    receive("basta")
    assert Contact.objects.get(number=SENDER).opted_out_at is not None


def test_an_opt_out_confirmation_is_sent_once(receive, workspace):
    InboxSettings.objects.create(workspace=workspace, opt_out_reply="You will get no more texts.")
    receive("STOP")
    receive("STOP")
    assert replies_to() == ["You will get no more texts."]


def test_a_keyword_rule_replies_and_adds_the_sender_to_a_group(receive, workspace):
    group = Group.objects.create(workspace=workspace, name="Offers")
    AutoReplyRule.objects.create(
        workspace=workspace, keyword="OFFERS", reply="Here are our offers.", add_to_group=group
    )
    receive("offers please")
    assert replies_to() == ["Here are our offers."]
    contact = Contact.objects.get(number=SENDER)
    assert GroupMembership.objects.filter(group=group, contact=contact).exists()


def test_a_keyword_rule_wins_over_the_any_message_rule(receive, workspace):
    AutoReplyRule.objects.create(workspace=workspace, keyword="", reply="Thanks, we got it.")
    AutoReplyRule.objects.create(workspace=workspace, keyword="HOURS", reply="9 to 5.")
    receive("Hours?")
    assert replies_to() == ["9 to 5."]


def test_auto_replies_are_rate_limited_per_sender_so_two_machines_cannot_loop(receive, workspace):
    AutoReplyRule.objects.create(workspace=workspace, keyword="", reply="Thanks, we got it.")
    for n in range(5):
        receive(f"Automatic answer {n}")
    receive("Another number", source="447700900124")
    assert replies_to() == ["Thanks, we got it."]
    assert replies_to("+447700900124") == ["Thanks, we got it."]


def test_no_auto_reply_to_an_opt_out_or_an_opted_out_sender(receive, workspace):
    AutoReplyRule.objects.create(workspace=workspace, keyword="", reply="Thanks.")
    receive("STOP")
    receive("Hello?")
    assert replies_to() == []


def test_replies_come_from_the_vmn(receive, workspace):
    AutoReplyRule.objects.create(workspace=workspace, keyword="", reply="Thanks.")
    receive("Hi")
    assert Message.objects.get().broadcast.source == "447700900500"


def test_an_opt_out_also_takes_the_contact_out_of_its_groups_on_the_gateway(receive, workspace):
    from contacts.models import GatewayJob

    contact = Contact.objects.create(workspace=workspace, number=SENDER)
    group = Group.objects.create(workspace=workspace, name="Offers")
    GroupMembership.objects.create(group=group, contact=contact)
    receive("STOP")
    assert GatewayJob.objects.filter(kind="empty_group", target="Offers").exists()


def test_members_who_answer_texts_are_emailed_when_asked(
    receive, workspace, owner, admin, sender, viewer, mailoutbox
):
    InboxSettings.objects.create(workspace=workspace, notify_members=True)
    receive("Is the shop open on Sunday?")
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == sorted([owner.email, admin.email, sender.email])
    assert "Is the shop open on Sunday?" in mailoutbox[0].body
    assert "/inbox/c/" in mailoutbox[0].body


def test_a_busy_conversation_sends_one_email_in_ten_minutes(receive, workspace, owner, mailoutbox):
    InboxSettings.objects.create(workspace=workspace, notify_members=True)
    receive("One")
    receive("Two")
    assert len(mailoutbox) == 1


def test_no_email_unless_the_workspace_asks_for_it(receive, workspace, owner, mailoutbox):
    receive("Hello")
    assert mailoutbox == []


def test_an_opt_out_sends_no_email(receive, workspace, owner, mailoutbox):
    InboxSettings.objects.create(workspace=workspace, notify_members=True)
    receive("STOP")
    assert mailoutbox == []
