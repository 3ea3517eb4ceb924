"""Attacks that keep a session alive after the account owner has locked the door: a session opened
with the password alone (on a stolen laptop, by someone who knew the password) survived turning on
two-factor authentication, and must not survive a password change either."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "ann@example.com"


def logged_in_client() -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    return client


def can_see_pages(client: Client) -> bool:
    return client.get(reverse("accounts:two_factor")).status_code == 200


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def user():  # noqa: ANN201
    return UserFactory(email=EMAIL)


def test_turning_on_two_factor_ends_the_sessions_opened_without_it(user):
    intruder, owner = logged_in_client(), logged_in_client()
    owner.get(reverse("accounts:two_factor_enrol"))
    device = TOTPDevice.objects.get(user=user)
    owner.post(reverse("accounts:two_factor_enrol"), {"code": current_code(device)})
    assert TOTPDevice.objects.get(user=user).confirmed
    assert can_see_pages(owner)  # the session that turned it on goes on
    assert not can_see_pages(intruder)


def test_changing_the_password_ends_the_other_sessions(user):
    intruder, owner = logged_in_client(), logged_in_client()
    new = "a brand new pass phrase 9"
    response = owner.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert can_see_pages(owner)
    assert not can_see_pages(intruder)


def test_resetting_the_password_ends_every_session(user, client):
    intruder = logged_in_client()
    client.post(reverse("accounts:password_reset"), {"email": EMAIL})
    link = next(w for w in mail.outbox[-1].body.split() if "/password/reset/" in w)
    form_page = client.get(link, follow=True)
    new = "a brand new pass phrase 9"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert not can_see_pages(intruder)
