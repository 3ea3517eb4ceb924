"""The same live counter (characters, encoding, parts, credits) under every box where a text is
written: the composer, templates, inbox replies, opt-out answers and auto-reply rules."""

import pytest
from django.urls import reverse
from django.utils import timezone

from inbound.models import AutoReplyRule, Conversation
from messaging.models import MessageTemplate

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_text_box_counts_as_you_type(live_server, page, workspace, owner):
    template = MessageTemplate.objects.create(workspace=workspace, name="Hi", body="Hello")
    rule = AutoReplyRule.objects.create(workspace=workspace, reply="Thanks")
    chat = Conversation.objects.create(
        workspace=workspace, number="+447700900123", last_message_at=timezone.now()
    )

    def at(name: str, **ids: object) -> str:
        return reverse(name, kwargs={"slug": workspace.slug, **ids})

    boxes = [
        (at("messaging:compose"), "id_body"),
        (at("messaging:template_edit", template_id=template.public_id), "id_body"),
        (at("inbound:conversation", conversation_id=chat.public_id), "id_body"),
        (at("inbound:settings"), "id_opt_out_reply"),
        (at("inbound:rule_edit", rule_id=rule.public_id), "id_reply"),
    ]
    log_in(page, live_server.url, owner.email)
    for url, box in boxes:
        page.goto(live_server.url + url)
        counter = page.locator(f'[data-counter-for="{box}"]')
        counter.wait_for()
        page.fill(f"#{box}", "Café ✓ " * 12)  # 84 characters, ✓ makes it UCS-2: two parts
        counter.filter(has_text="UCS-2").wait_for()
        text = counter.inner_text()
        assert "84" in text and "2 parts" in text, f"{url}: {text}"
    assert page.console_errors == []
