"""A suppressed number leaves the groups held on the gateway (which the gateway expands for a group
send), as an opted-out contact does, and comes back with its groups when an admin lifts it."""

import pytest

from contacts.models import Contact, GatewayJob, Group, GroupMembership, JobKind, Suppression
from contacts.services import sync
from contacts.services.suppression import suppression_lift, suppressions_record

pytestmark = pytest.mark.django_db

NUMBER = "+447700900000"


def test_a_suppressed_contact_leaves_the_gateways_groups_until_lifted(workspace, admin):
    ann = Contact.objects.create(workspace=workspace, number=NUMBER, sync_state="synced")
    bob = Contact.objects.create(workspace=workspace, number="+447700900111")
    group = Group.objects.create(workspace=workspace, name="Regulars")
    GroupMembership.objects.create(group=group, contact=ann)
    GroupMembership.objects.create(group=group, contact=bob)

    suppressions_record(workspace.pk, {NUMBER: (3, "Undeliverable")})

    job = GatewayJob.objects.get(workspace=workspace)
    assert (job.kind, job.target) == (JobKind.EMPTY_GROUP, "Regulars")
    Contact.objects.update(sync_state="unsynced")  # what the refill does to the group's members
    assert list(Contact.objects.filter(sync.pushable(workspace))) == [bob]

    suppression_lift(suppression=Suppression.objects.get(), user=admin)
    ann.refresh_from_db()
    assert ann.sync_state == "unsynced"
    assert set(Contact.objects.filter(sync.pushable(workspace))) == {ann, bob}


def test_a_suppression_outside_any_group_refills_nothing(workspace):
    Contact.objects.create(workspace=workspace, number=NUMBER)
    suppressions_record(workspace.pk, {NUMBER: (3, "Undeliverable")})
    assert not GatewayJob.objects.exists()
