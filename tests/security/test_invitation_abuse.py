"""Attacks through invitations: a link that outlives its sender's membership, and admins inviting
people with more power than admins may hand out (docs/tenancy.md: admins invite senders and
viewers)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Invitation, Membership
from accounts.roles import Role
from accounts.services import invitation_create

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def invite(client, workspace, email="friend@example.com", role="sender"):  # noqa: ANN001, ANN201
    url = reverse("accounts_ws:members", kwargs={"slug": workspace.slug})
    return client.post(url, {"email": email, "role": role})


def accept(client_for, invitation):  # noqa: ANN001, ANN201
    friend = UserFactory(email=invitation.email)
    return client_for(friend).post(reverse("accounts:invitation", args=[invitation.token]))


def member(user, workspace) -> Membership:  # noqa: ANN001
    return Membership.objects.get(user=user, workspace=workspace)


def member_url(workspace, name, membership) -> str:  # noqa: ANN001
    kwargs = {"slug": workspace.slug, "member_id": membership.public_id}
    return reverse(f"accounts_ws:{name}", kwargs=kwargs)


def test_a_removed_members_invitation_no_longer_works(client_for, workspace, owner, admin):
    invite(client_for(admin), workspace)
    invitation = Invitation.objects.get()
    client_for(owner).post(member_url(workspace, "member_remove", member(admin, workspace)))
    assert accept(client_for, invitation).status_code == 404
    assert not Membership.objects.filter(workspace=workspace, user__email=invitation.email)


def test_a_demoted_admins_invitation_no_longer_works(client_for, workspace, owner, admin):
    invite(client_for(admin), workspace)
    invitation = Invitation.objects.get()
    demote = member_url(workspace, "member_role", member(admin, workspace))
    client_for(owner).post(demote, {"role": "viewer"})
    assert accept(client_for, invitation).status_code == 404


def test_admin_cannot_invite_another_admin(client_for, workspace, admin):
    invite(client_for(admin), workspace, role="admin")
    assert not Invitation.objects.exists()


def test_admin_cannot_invite_an_admin_past_the_form(workspace, admin):
    request = RequestFactory().post("/")
    request.user, request.workspace, request.role = admin, workspace, Role.ADMIN
    with pytest.raises(PermissionDenied):
        invitation_create(
            request=request, workspace=workspace, email="x@example.com", role=Role.ADMIN
        )
    assert not Invitation.objects.exists()


def test_admins_are_offered_only_sender_and_viewer(client_for, workspace, admin):
    url = reverse("accounts_ws:members", kwargs={"slug": workspace.slug})
    form = client_for(admin).get(url).context["invite_form"]
    assert [value for value, _label in form.fields["role"].choices] == ["sender", "viewer"]
