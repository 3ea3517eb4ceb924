"""Attacks that use the portal to flood a mailbox: 20 password-reset mails to one address in a row,
and sign-up mails likewise."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


def reset(client: Client, email: str):  # noqa: ANN201
    return client.post(reverse("accounts:password_reset"), {"email": email})


def test_reset_mails_to_one_address_are_capped(settings):
    settings.ACCOUNT_MAIL_PER_ADDRESS = 3
    UserFactory(email="victim@example.com")
    answers = [reset(Client(REMOTE_ADDR=f"10.0.0.{n}"), "victim@example.com") for n in range(20)]
    assert {answer.status_code for answer in answers} == {302}  # the same answer every time
    assert len(mail.outbox) == 3


def test_signup_mails_to_one_address_are_capped(settings):
    settings.ACCOUNT_MAIL_PER_ADDRESS = 3
    data = {"name": "Eve", "email": "victim@example.com", "workspace_name": "Spam"}
    for n in range(20):
        Client(REMOTE_ADDR=f"10.0.1.{n}").post(reverse("accounts:signup"), data)
    assert len(mail.outbox) == 3


def test_reset_requests_from_one_client_are_capped(settings):
    settings.ACCOUNT_MAIL_PER_IP = 5
    client = Client()
    answers = [reset(client, f"user{n}@example.com").status_code for n in range(12)]
    assert answers == [302] * 5 + [429] * 7
    assert AuditEvent.objects.filter(action="mail_rate_limited").count() == 1  # once a window
