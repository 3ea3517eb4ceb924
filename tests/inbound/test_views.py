"""Inbox pages: conversations, a thread with replies, settings, and the nav badge."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from inbound.models import AutoReplyRule, Conversation, InboundMessage, VirtualNumber
from messaging.models import Message

from .conftest import SENDER

pytestmark = pytest.mark.django_db


def url(name: str, workspace, **kwargs) -> str:  # noqa: ANN001
    return reverse(f"inbound:{name}", kwargs={"slug": workspace.slug, **kwargs})


def conversation_url(name: str, conversation: Conversation) -> str:
    return url(name, conversation.workspace, conversation_id=conversation.public_id)


@pytest.fixture
def conversation(receive) -> Conversation:  # noqa: ANN001
    receive("Is the shop open on Sunday?")
    return Conversation.objects.get()


def test_the_inbox_lists_conversations_newest_first_with_unread_counts(
    client_for, viewer, workspace, receive, django_assert_max_num_queries
):
    receive("First", source="447700900111")
    receive("Second", source="447700900222")
    receive("Again", source="447700900222")
    client = client_for(viewer)
    with django_assert_max_num_queries(8):
        response = client.get(url("inbox", workspace))
    page = response.content.decode()
    assert page.index("+447700900222") < page.index("+447700900111")
    assert 'title="2 unread"' in page


def test_the_inbox_searches_numbers_and_texts(client_for, viewer, workspace, receive):
    receive("About my order", source="447700900111")
    receive("Something else", source="447700900222")
    page = client_for(viewer).get(url("inbox", workspace), {"q": "order"}).content.decode()
    assert "+447700900111" in page and "+447700900222" not in page
    page = client_for(viewer).get(url("inbox", workspace), {"q": "900222"}).content.decode()
    assert "+447700900222" in page and "+447700900111" not in page


def test_htmx_polls_get_only_the_list(client_for, viewer, workspace, conversation):
    response = client_for(viewer).get(url("inbox", workspace), headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<div id="conversations"')


def test_opening_a_conversation_marks_it_read(client_for, viewer, conversation):
    client_for(viewer).get(conversation_url("conversation", conversation))
    conversation.refresh_from_db()
    assert conversation.unread_count == 0
    assert not InboundMessage.objects.filter(is_read=False).exists()


def test_mark_unread_brings_the_count_back(client_for, sender, conversation):
    client = client_for(sender)
    client.get(conversation_url("conversation", conversation))
    client.post(conversation_url("mark_unread", conversation))
    conversation.refresh_from_db()
    assert conversation.unread_count == 1


def test_a_reply_goes_through_the_messaging_pipeline(
    client_for, sender, conversation, django_capture_on_commit_callbacks
):
    key = str(uuid.uuid4())
    client = client_for(sender)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # a double submit sends once
            client.post(
                conversation_url("reply", conversation),
                {"body": "Yes, 10 to 4.", "idempotency_key": key},
            )
    message = Message.objects.get(destination=SENDER)
    assert message.broadcast.body == "Yes, 10 to 4."
    assert message.broadcast.source == "447700900500"


def test_the_thread_shows_both_directions_with_delivery_status(
    client_for, sender, conversation, django_capture_on_commit_callbacks
):
    client = client_for(sender)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            conversation_url("reply", conversation),
            {"body": "Yes.", "idempotency_key": uuid.uuid4()},
        )
    page = client.get(conversation_url("conversation", conversation)).content.decode()
    assert page.index("Is the shop open on Sunday?") < page.index("Yes.")
    assert "bubble-out" in page and "state state-" in page


def test_a_viewer_cannot_reply(client_for, viewer, conversation):
    response = client_for(viewer).post(
        conversation_url("reply", conversation), {"body": "Hi", "idempotency_key": uuid.uuid4()}
    )
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_the_nav_badge_counts_unread_texts(client_for, viewer, workspace, receive):
    receive("One")
    receive("Two", source="447700900222")
    response = client_for(viewer).get(url("unread_badge", workspace))
    assert '<span class="nav-badge">2' in response.content.decode()


def test_the_settings_show_the_forwarding_url_and_auth_to_admins(client_for, admin, vmn):
    page = client_for(admin).get(url("settings", vmn.workspace)).content.decode()
    assert f"/inbound/{vmn.key}/" in page
    assert vmn.auth in page
    assert "Manage" in page


def test_senders_cannot_open_the_settings(client_for, sender, workspace):
    assert client_for(sender).get(url("settings", workspace)).status_code == 403


def test_an_admin_adds_a_vmn_with_its_own_key_and_auth(client_for, admin, workspace):
    client_for(admin).post(
        url("vmn_add", workspace), {"number": "07700 900777", "label": "Support", "method": "GET"}
    )
    vmn = VirtualNumber.objects.get(number="+447700900777")
    assert len(vmn.key) >= 32 and len(vmn.auth) >= 20
    assert vmn.method == "GET"


def test_the_auth_value_is_encrypted_at_rest(vmn):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT auth FROM inbound_virtualnumber WHERE id = %s", [vmn.pk])
        stored = cursor.fetchone()[0]
    assert vmn.auth not in stored


def test_rotating_the_auth_is_audited_and_keeps_the_old_value_for_a_while(client_for, admin, vmn):
    old = vmn.auth
    client_for(admin).post(url("vmn_rotate", vmn.workspace, vmn_id=vmn.public_id))
    vmn.refresh_from_db()
    assert vmn.auth != old and vmn.previous_auth == old
    assert vmn.previous_auth_until > timezone.now()
    event = AuditEvent.objects.get(action="inbound_auth_rotated")
    assert old not in str(event.detail) and vmn.auth not in str(event.detail)


def test_changing_the_opt_out_words_is_audited(client_for, admin, workspace):
    client_for(admin).post(
        url("opt_words", workspace),
        {"opt_out_words": "STOP, HALT", "opt_in_words": "START", "opt_out_reply": "Bye."},
    )
    assert workspace.inbox_settings.opt_out_words == "STOP, HALT"
    assert AuditEvent.objects.filter(action="opt_out_keywords_changed").exists()


def test_an_opt_in_word_that_is_also_an_opt_out_word_is_refused_however_it_is_separated(
    client_for, admin, workspace
):
    response = client_for(admin).post(
        url("opt_words", workspace), {"opt_out_words": "STOP;END", "opt_in_words": "end"}
    )
    assert "Also an opt-out word: END" in response.content.decode()


def test_an_admin_adds_an_auto_reply(client_for, admin, workspace):
    client_for(admin).post(
        url("rule_add", workspace), {"keyword": "hours", "reply": "9 to 5", "is_active": "on"}
    )
    assert AutoReplyRule.objects.get().keyword == "HOURS"


def test_an_admin_edits_an_auto_reply(client_for, admin, workspace):
    rule = AutoReplyRule.objects.create(workspace=workspace, keyword="HOURS", reply="9 to 5")
    client_for(admin).post(
        url("rule_edit", workspace, rule_id=rule.public_id),
        {"keyword": "open", "reply": "8 to 6, Monday to Saturday", "is_active": "on"},
    )
    rule.refresh_from_db()
    assert (rule.keyword, rule.reply) == ("OPEN", "8 to 6, Monday to Saturday")
    assert AuditEvent.objects.filter(action="auto_reply_saved", workspace=workspace).exists()


def test_a_sender_cannot_edit_an_auto_reply(client_for, sender, workspace):
    rule = AutoReplyRule.objects.create(workspace=workspace, keyword="HOURS", reply="9 to 5")
    response = client_for(sender).post(
        url("rule_edit", workspace, rule_id=rule.public_id), {"keyword": "X", "reply": "Y"}
    )
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.reply == "9 to 5"


def test_the_operator_admin_never_shows_the_auth_value(client, vmn, django_user_model):
    staff = django_user_model.objects.create_superuser("op@example.com", "pw-123456789")
    client.force_login(staff)
    page = client.get(reverse("admin:inbound_virtualnumber_change", args=[vmn.pk])).content
    assert vmn.auth.encode() not in page
