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


def test_marketing_counts_the_opt_out_instruction_and_offers_the_virtual_number(
    live_server, page, workspace, owner
):
    from inbound.models import VirtualNumber

    VirtualNumber.objects.create(workspace=workspace, number="+447700900500")
    log_in(page, live_server.url, owner.email)
    page.goto(live_server.url + reverse("messaging:compose", kwargs={"slug": workspace.slug}))
    counter = page.locator('[data-counter-for="id_body"]')
    page.fill("#id_source", "AcmeShop")
    page.fill("#id_body", "x" * 139)
    counter.filter(has_text="139").wait_for()
    assert "1 part" in counter.inner_text()
    page.check("#id_marketing")  # + a line break and "Reply STOP to opt out": 161, two parts
    counter.filter(has_text="161").wait_for()
    assert "2 parts" in counter.inner_text()
    assert "cannot receive a reply" in counter.inner_text()
    page.click("[data-use-sender]")
    assert page.input_value("#id_source") == "447700900500"
    page.locator("[data-no-replies]").wait_for(state="detached")  # asked again: a number answers
    assert "2 parts" in counter.inner_text()
    page.uncheck("#id_marketing")
    counter.filter(has_text="139").wait_for()
    assert page.console_errors == []
