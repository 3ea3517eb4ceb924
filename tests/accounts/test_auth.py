import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Membership, User
from accounts.roles import Role

from ..conftest import signup_link
from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {"name": "Ann Lee", "email": "Ann@Example.com", "workspace_name": "Acme Ltd"}


def test_signup_creates_workspace_with_user_as_owner(client, sign_up):
    response = sign_up(client, **SIGNUP)
    user = User.objects.get(email="ann@example.com")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.workspace.slug == "acme-ltd"
    assert response.url == reverse("home")


def test_signup_lands_on_the_new_workspace_dashboard(client, sign_up):
    sign_up(client, **SIGNUP)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == "/w/acme-ltd/"
    assert b"Getting started" in response.content


def test_signup_creates_nothing_until_the_mailed_link_is_followed(client):
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert b"Check your email" in response.content
    assert not User.objects.exists()
    assert mail.outbox[0].to == ["ann@example.com"]


def test_signup_with_an_email_already_in_use_mails_that_address_and_creates_nothing(client):
    UserFactory(email="ann@example.com")
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert b"Check your email" in response.content
    assert User.objects.count() == 1
    assert "already has an account" in mail.outbox[0].body


def test_the_signup_link_works_once(client, sign_up):
    sign_up(client, **SIGNUP)
    client.post(reverse("accounts:logout"))
    again = client.post(signup_link("ann@example.com"), {"password": "another pass phrase"})
    assert again.status_code == 410
    assert User.objects.count() == 1


def test_signup_refuses_a_weak_password(client, sign_up):
    response = sign_up(client, password="12345678", **SIGNUP)
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(email="ann@example.com").exists()


def test_two_workspaces_with_the_same_name_get_distinct_slugs(client, sign_up):
    sign_up(client, **SIGNUP)
    client.logout()
    sign_up(client, **{**SIGNUP, "email": "bob@example.com"})
    slugs = sorted(Membership.objects.values_list("workspace__slug", flat=True))
    assert slugs[0] == "acme-ltd"
    assert slugs[1].startswith("acme-ltd-") and len(slugs[1]) > len("acme-ltd-")


def test_login_with_email_and_password_is_audited(client):
    user = UserFactory(email="ann@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "ann@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor=user).count() == 1


def test_failed_login_is_audited_without_the_password(client):
    UserFactory(email="ann@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "ann@example.com", "password": "wrong-guess"}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="login_failed")
    assert event.detail == {"email": "ann@example.com"}
    assert "wrong-guess" not in str(event.detail)


def test_logout_needs_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).url == reverse("accounts:login")


def test_password_reset_answers_the_same_for_unknown_emails(client):
    UserFactory(email="ann@example.com")
    known = client.post(reverse("accounts:password_reset"), {"email": "ann@example.com"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.com"]


def test_password_reset_link_sets_a_new_password(client):
    user = UserFactory(email="ann@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "ann@example.com"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_url = client.get(path).url  # Django swaps the token for a session marker
    client.post(
        form_url, {"new_password1": "brand new secret 99", "new_password2": "brand new secret 99"}
    )
    user.refresh_from_db()
    assert user.check_password("brand new secret 99")


def test_password_change_needs_the_old_password(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "nope",
            "new_password1": "x9-new-pass-x9",
            "new_password2": "x9-new-pass-x9",
        },
    )
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_home_sends_a_user_without_workspace_to_create_one(client):
    client.force_login(UserFactory())
    assert client.get(reverse("home")).url == reverse("accounts:workspace_new")


def test_creating_another_workspace_makes_the_creator_its_owner(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:workspace_new"),
        {"name": "Second Shop", "time_zone": "Europe/Dublin", "default_country": "IE"},
    )
    membership = Membership.objects.get(user=owner, workspace__name="Second Shop")
    assert membership.role == Role.OWNER
    assert membership.workspace.time_zone == "Europe/Dublin"
    assert response.url == f"/w/{membership.workspace.slug}/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_signup_never_redirects_off_site(client, sign_up, target):
    response = sign_up(client, **SIGNUP, next=target)
    assert response.url == reverse("home")


def test_sessions_from_before_the_session_generation_stay_valid():
    from django.contrib.auth.base_user import AbstractBaseUser

    user = UserFactory()
    assert user.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(user)
    user.session_generation = 1
    assert user.get_session_auth_hash() != AbstractBaseUser.get_session_auth_hash(user)


@pytest.mark.parametrize("typed", ["Ann@Example.com", "  ANN@EXAMPLE.COM ", "ann@example.COM"])
def test_login_takes_the_email_in_any_case(client, typed):
    UserFactory(email="ann@example.com")
    response = client.post(reverse("accounts:login"), {"username": typed, "password": PASSWORD})
    assert response.status_code == 302


def test_an_email_typed_in_capitals_in_the_operator_admin_is_stored_as_login_reads_it(
    admin_client,
):
    admin_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "New.Person@Example.COM", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.filter(email="new.person@example.com").exists()
