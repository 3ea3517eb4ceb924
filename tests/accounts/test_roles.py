"""Each role rule of the workspace, proved through the views."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Invitation, Membership
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def members_url(ws):
    return reverse("accounts_ws:members", kwargs={"slug": ws.slug})


def role_url(membership):
    return reverse(
        "accounts_ws:member_role",
        kwargs={"slug": membership.workspace.slug, "member_id": membership.public_id},
    )


def remove_url(membership):
    return reverse(
        "accounts_ws:member_remove",
        kwargs={"slug": membership.workspace.slug, "member_id": membership.public_id},
    )


def membership_of(user, ws):
    return Membership.objects.get(user=user, workspace=ws)


@pytest.mark.parametrize("persona", ["owner", "admin", "sender", "viewer"])
def test_every_member_can_read_the_dashboard_and_settings(request, client_for, workspace, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    assert (
        client.get(reverse("accounts_ws:general", kwargs={"slug": workspace.slug})).status_code
        == 200
    )


def test_viewer_cannot_change_workspace_settings(client_for, workspace, viewer):
    url = reverse("accounts_ws:general", kwargs={"slug": workspace.slug})
    response = client_for(viewer).post(
        url, {"name": "Hacked", "time_zone": "UTC", "default_country": "GB"}
    )
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.name == "Acme"


def test_admin_can_change_workspace_settings(client_for, workspace, admin):
    url = reverse("accounts_ws:general", kwargs={"slug": workspace.slug})
    client_for(admin).post(
        url, {"name": "Acme UK", "time_zone": "Europe/London", "default_country": "GB"}
    )
    workspace.refresh_from_db()
    assert workspace.name == "Acme UK"
    assert AuditEvent.objects.filter(action="workspace_updated", workspace=workspace).exists()


@pytest.mark.parametrize("persona", ["sender", "viewer"])
def test_senders_and_viewers_cannot_invite(request, client_for, workspace, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(members_url(workspace), {"email": "new@example.com", "role": "viewer"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_forbidden_page_is_a_clear_page_not_an_error(client_for, workspace, viewer):
    response = client_for(viewer).post(members_url(workspace), {"email": "x@example.com"})
    assert response.status_code == 403
    assert b"You can't do that here" in response.content


def test_admin_cannot_invite_an_owner(client_for, workspace, admin):
    response = client_for(admin).post(
        members_url(workspace), {"email": "boss@example.com", "role": "owner"}
    )
    assert "role" in response.context["invite_form"].errors  # not one of the admin's choices
    assert not Invitation.objects.exists()


def test_owner_changes_a_role_and_it_is_audited(client_for, workspace, owner, sender):
    membership = membership_of(sender, workspace)
    client_for(owner).post(role_url(membership), {"role": "admin"})
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    event = AuditEvent.objects.get(action="role_changed")
    assert event.detail == {"old": "sender", "new": "admin"}


def test_admin_cannot_change_roles(client_for, workspace, admin, sender):
    membership = membership_of(sender, workspace)
    response = client_for(admin).post(role_url(membership), {"role": "admin"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.SENDER


def test_the_last_owner_cannot_step_down(client_for, workspace, owner):
    membership = membership_of(owner, workspace)
    client_for(owner).post(role_url(membership), {"role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_an_invalid_role_is_refused(client_for, workspace, owner, sender):
    membership = membership_of(sender, workspace)
    client_for(owner).post(role_url(membership), {"role": "superuser"})
    membership.refresh_from_db()
    assert membership.role == Role.SENDER


def test_admin_removes_a_sender(client_for, workspace, admin, sender):
    client_for(admin).post(remove_url(membership_of(sender, workspace)))
    assert not Membership.objects.filter(user=sender).exists()
    assert AuditEvent.objects.filter(action="member_removed").count() == 1


def test_admin_cannot_remove_an_owner(client_for, workspace, admin, owner):
    response = client_for(admin).post(remove_url(membership_of(owner, workspace)))
    assert response.status_code == 403
    assert Membership.objects.filter(user=owner).exists()


def test_sender_cannot_remove_anyone(client_for, workspace, sender, viewer):
    response = client_for(sender).post(remove_url(membership_of(viewer, workspace)))
    assert response.status_code == 403
    assert Membership.objects.filter(user=viewer).exists()


def test_the_last_owner_cannot_be_removed(client_for, workspace, owner):
    client_for(owner).post(remove_url(membership_of(owner, workspace)))
    assert Membership.objects.filter(user=owner, workspace=workspace).exists()


def test_a_removed_member_loses_access_at_once(client_for, workspace, owner, sender):
    client = client_for(sender)
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    client_for(owner).post(remove_url(membership_of(sender, workspace)))
    assert client.get(f"/w/{workspace.slug}/").status_code == 404


def test_role_changes_need_a_post(client_for, workspace, owner, sender):
    response = client_for(owner).get(role_url(membership_of(sender, workspace)))
    assert response.status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(client, workspace):
    response = client.get(f"/w/{workspace.slug}/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
