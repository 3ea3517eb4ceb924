import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Invitation, Membership
from accounts.roles import Role

from ..factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(client, ws, email="new@example.com", role="sender", **extra):
    return client.post(
        reverse("accounts_ws:members", kwargs={"slug": ws.slug}),
        {"email": email, "role": role},
        **extra,
    )


def test_admin_invites_by_email_with_a_working_link(client_for, workspace, admin):
    invite(client_for(admin), workspace, email="New@Example.com")
    invitation = Invitation.objects.get()
    assert invitation.email == "new@example.com"
    assert mail.outbox[0].to == ["new@example.com"]
    assert reverse("accounts:invitation", args=[invitation.token]) in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="member_invited", workspace=workspace).exists()


def test_inviting_an_existing_member_shows_a_field_error(client_for, workspace, owner, sender):
    response = invite(client_for(owner), workspace, email=sender.email)
    assert "already a member" in response.context["invite_form"].errors["email"][0]
    assert not Invitation.objects.exists()


def test_htmx_invite_with_errors_answers_only_the_form(client_for, workspace, owner):
    response = invite(client_for(owner), workspace, email="not-an-email", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<form id="invite-form"')
    assert b"Enter a valid email address" in response.content


def test_htmx_invite_success_refreshes_the_page(client_for, workspace, owner):
    response = invite(client_for(owner), workspace, HTTP_HX_REQUEST="true")
    assert response.headers["HX-Refresh"] == "true"
    assert Invitation.objects.count() == 1


def test_invited_user_accepts_and_joins_with_the_role(client_for, workspace):
    invitation = InvitationFactory(workspace=workspace, email="bob@example.com", role=Role.VIEWER)
    bob = UserFactory(email="bob@example.com")
    response = client_for(bob).post(reverse("accounts:invitation", args=[invitation.token]))
    assert response.url == f"/w/{workspace.slug}/"
    assert Membership.objects.get(user=bob, workspace=workspace).role == Role.VIEWER


def test_an_invitation_works_once(client_for, workspace):
    invitation = InvitationFactory(workspace=workspace, email="bob@example.com")
    bob = UserFactory(email="bob@example.com")
    client_for(bob).post(reverse("accounts:invitation", args=[invitation.token]))
    Membership.objects.filter(user=bob).delete()
    response = client_for(bob).post(reverse("accounts:invitation", args=[invitation.token]))
    assert response.status_code == 410
    assert not Membership.objects.filter(user=bob).exists()


def test_an_invitation_for_another_email_is_refused(client_for, workspace):
    invitation = InvitationFactory(workspace=workspace, email="bob@example.com")
    mallory = UserFactory(email="mallory@example.com")
    response = client_for(mallory).post(reverse("accounts:invitation", args=[invitation.token]))
    assert response.status_code == 403
    assert b"this invitation is for bob@example.com" in response.content
    assert not Membership.objects.filter(user=mallory).exists()


def test_a_malformed_invitation_link_is_a_404(client):
    response = client.get("/accounts/invitations/not-a-real-token/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_an_expired_invitation_cannot_be_used(client_for, workspace, settings):
    settings.INVITATION_MAX_AGE_DAYS = 0
    invitation = InvitationFactory(workspace=workspace, email="bob@example.com")
    response = client_for(UserFactory(email="bob@example.com")).post(
        reverse("accounts:invitation", args=[invitation.token])
    )
    assert response.status_code == 410


def test_anonymous_visitor_is_offered_sign_up_and_log_in(client, workspace):
    invitation = InvitationFactory(workspace=workspace, email="bob@example.com")
    response = client.get(reverse("accounts:invitation", args=[invitation.token]))
    assert response.status_code == 200
    assert b"Create account" in response.content and b"Log in" in response.content


def test_admin_revokes_a_pending_invitation(client_for, workspace, admin):
    invitation = InvitationFactory(workspace=workspace)
    client_for(admin).post(
        reverse(
            "accounts_ws:invitation_revoke",
            kwargs={"slug": workspace.slug, "invitation_id": invitation.public_id},
        )
    )
    assert not Invitation.objects.exists()
    assert AuditEvent.objects.filter(action="invitation_revoked").exists()


def test_an_owner_made_admin_keeps_only_the_invitations_an_admin_may_send(
    client_for, workspace, owner
):
    second = MembershipFactory(workspace=workspace, role=Role.OWNER, user=UserFactory()).user
    for role in ["owner", "admin", "sender", "viewer"]:
        invite(client_for(second), workspace, email=f"{role}@example.com", role=role)
    membership = Membership.objects.get(user=second, workspace=workspace)
    url = reverse(
        "accounts_ws:member_role",
        kwargs={"slug": workspace.slug, "member_id": membership.public_id},
    )
    client_for(owner).post(url, {"role": "admin"})
    assert sorted(Invitation.objects.values_list("role", flat=True)) == ["sender", "viewer"]
    revoked = AuditEvent.objects.filter(action="invitation_revoked", workspace=workspace)
    assert sorted(e.detail["email"] for e in revoked) == ["admin@example.com", "owner@example.com"]
