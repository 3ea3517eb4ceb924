"""Attacks that find out which email addresses have accounts: the sign-up form said "an account
with this email already exists", and nothing limited how fast anyone could ask (40 sign-ups in
8 s)."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


def sign_up(client: Client, email: str, **extra):  # noqa: ANN003, ANN201
    data = {"name": "Eve", "email": email, "workspace_name": "Probe"}
    return client.post(reverse("accounts:signup"), data, **extra)


def page(response, local_part: str) -> bytes:  # noqa: ANN001
    """The page without its address and its per-visitor CSRF token."""
    content = response.content.replace(local_part.encode(), b"x@")
    content = re.sub(rb'"X-CSRFToken": "[^"]*"', b"", content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)  # the language picker


def test_signup_answers_the_same_whether_or_not_the_email_has_an_account(client):
    UserFactory(email="taken@example.com")
    taken = sign_up(Client(), "taken@example.com")
    free = sign_up(Client(), "free@example.com")
    assert taken.status_code == free.status_code == 200
    assert page(taken, "taken@") == page(free, "free@")
    assert User.objects.filter(email="free@example.com").count() == 0  # not before the link


def test_signup_tells_the_address_itself_instead(client):
    UserFactory(email="taken@example.com")
    sign_up(client, "taken@example.com")
    sign_up(client, "free@example.com")
    by_address = {message.to[0]: message.body for message in mail.outbox}
    assert "already has an account" in by_address["taken@example.com"]
    assert "/accounts/signup/" in by_address["free@example.com"]


def test_probing_many_emails_by_signup_from_one_address_is_cut_off(settings):
    settings.ACCOUNT_MAIL_PER_IP = 10
    client = Client()
    answers = [sign_up(client, f"probe{n}@example.com").status_code for n in range(40)]
    assert answers == [200] * 10 + [429] * 30
    assert len(mail.outbox) == 10
    assert sign_up(Client(REMOTE_ADDR="10.0.0.9"), "other@example.com").status_code == 200


def test_the_signup_link_cannot_be_forged(client):
    response = client.get(reverse("accounts:signup_finish", args=["eyJlbWFpbCI6ImV2ZSJ9:forged"]))
    assert response.status_code == 410
    assert not User.objects.exists()
