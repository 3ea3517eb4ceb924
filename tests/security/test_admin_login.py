"""Attacks on the operator admin's door: a logged-in portal user at /admin/login/ (or sent there
from /admin/) got a 500, an error page instead of a refusal."""

import pytest
from django.urls import reverse

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_logged_in_member_at_admin_login_is_refused_not_a_500(client_for, owner):
    response = client_for(owner).get(reverse("admin:login"))
    assert response.status_code == 200
    assert b"not authorized to access this page" in response.content


def test_a_logged_in_member_sent_from_admin_ends_on_the_refusal(client_for, owner):
    response = client_for(owner).get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("admin:login"))


def test_staff_at_admin_login_go_to_the_admin_index(client_for):
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = client_for(staff).get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_posting_to_admin_login_goes_through_the_portal_login(client_for, owner):
    response = client_for(owner).post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
