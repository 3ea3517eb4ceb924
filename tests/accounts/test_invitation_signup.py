"""Signing up from an invitation: the invited email, the inviter's workspace, nothing else."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, Membership, User, Workspace
from accounts.roles import Role

from ..factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def invitation(workspace, owner):
    return InvitationFactory(
        workspace=workspace, email="bob@example.com", role=Role.SENDER, invited_by=owner
    )


def signup_url(invitation):
    return reverse("accounts:invitation_signup", args=[invitation.token])


def test_the_invitation_page_offers_to_create_an_account_for_the_invited_email(client, invitation):
    page = client.get(reverse("accounts:invitation", args=[invitation.token])).content.decode()
    assert f'href="{signup_url(invitation)}"' in page


def test_the_form_shows_the_invited_email_not_editable_and_asks_no_workspace_name(
    client, invitation
):
    page = client.get(signup_url(invitation)).content.decode()
    email = re.search(r'<input type="email" name="email"[^>]*>', page).group(0)
    assert 'value="bob@example.com"' in email
    assert "disabled" in email
    assert "workspace_name" not in page


def test_signing_up_joins_the_inviters_workspace_and_makes_no_other(client, invitation, workspace):
    workspaces_before = Workspace.objects.count()
    response = client.post(
        signup_url(invitation),
        {"name": "Bob Jones", "email": "mallory@example.com", "password": PASSWORD},
    )
    assert response.url == f"/w/{workspace.slug}/"
    bob = User.objects.get(email="bob@example.com")  # the invited email, whatever was posted
    assert not User.objects.filter(email="mallory@example.com").exists()
    assert bob.name == "Bob Jones" and bob.check_password(PASSWORD)
    assert list(Membership.objects.filter(user=bob).values_list("workspace", "role")) == [
        (workspace.pk, Role.SENDER.value)
    ]
    assert Workspace.objects.count() == workspaces_before
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == bob
    assert AuditEvent.objects.filter(action="member_joined", actor=bob).count() == 1
    assert mail.outbox == []  # the invitation link proved the address: no mail step
    assert client.get(reverse("home")).url == f"/w/{workspace.slug}/"  # logged in


def test_a_weak_password_creates_nothing_and_keeps_the_invitation(client, invitation):
    response = client.post(signup_url(invitation), {"name": "Bob", "password": "12345678"})
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(email="bob@example.com").exists()
    assert Invitation.objects.get(pk=invitation.pk).is_usable


def test_a_used_invitation_cannot_sign_anyone_up(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    response = client.post(signup_url(invitation), {"name": "Bob", "password": PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(email="bob@example.com").exists()


def test_an_expired_invitation_cannot_sign_anyone_up(client, invitation, settings):
    old = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS + 1)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=old)
    response = client.post(signup_url(invitation), {"name": "Bob", "password": PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(email="bob@example.com").exists()


def test_an_email_with_an_account_is_sent_to_log_in(client, invitation):
    bob = UserFactory(email="bob@example.com")
    response = client.post(signup_url(invitation), {"name": "Bob", "password": PASSWORD})
    assert response.status_code == 409
    assert reverse("accounts:login") in response.content.decode()
    assert not Membership.objects.filter(user=bob).exists()
    assert User.objects.filter(email="bob@example.com").count() == 1


def test_a_logged_in_visitor_goes_to_the_invitation_page(client_for, invitation):
    response = client_for(UserFactory()).get(signup_url(invitation))
    assert response.url == reverse("accounts:invitation", args=[invitation.token])


def test_the_general_sign_up_sends_an_invitation_link_on_to_the_invitation_sign_up(
    client, invitation
):
    next_url = reverse("accounts:invitation", args=[invitation.token])
    response = client.get(reverse("accounts:signup"), {"next": next_url})
    assert response.url == signup_url(invitation)


def test_an_unknown_invitation_is_404(client):
    assert client.get("/accounts/invitations/not-a-token/signup/").status_code == 404
