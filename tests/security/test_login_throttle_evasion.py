"""Attacks on the login lock-out: the same email typed in other cases was another "username" to
the failure counter (and could not log in at all)."""

import pytest
from django.urls import reverse

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_case_variants_of_an_email_share_one_lock_out(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="ann@example.com")
    for typed in ["ann@example.com", "Ann@example.com", "ANN@EXAMPLE.COM"]:
        client.post(reverse("accounts:login"), {"username": typed, "password": "wrong guess"})
    locked = client.post(
        reverse("accounts:login"), {"username": "aNN@example.com", "password": PASSWORD}
    )
    assert locked.status_code == 429
