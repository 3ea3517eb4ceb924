"""Attacks on the rule that a workspace always keeps an owner: two owners acting at the same moment.

Each test holds both requests inside their transactions, after their checks and writes, until
the other has got there too (or three seconds have passed): the interleaving that left workspaces
with no owner. The owner count must be taken under a lock so that the second request sees the
first one's change.
"""

import threading
from contextlib import suppress
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import Role
from accounts.services import members
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN = {"role": "admin"}


def held_at(action: str):  # noqa: ANN201
    """audit_record, which waits for the other request once it has recorded `action`."""
    barrier = threading.Barrier(2, timeout=3)
    real = members.audit_record

    def record(name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        event = real(name, *args, **kwargs)
        if name == action:
            with suppress(threading.BrokenBarrierError):
                barrier.wait()
        return event

    return mock.patch.object(members, "audit_record", record)


def at_once(*posts) -> None:  # noqa: ANN002
    def run(client, url, data) -> None:  # noqa: ANN001
        try:
            client.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)


def member_url(workspace, name, membership) -> str:  # noqa: ANN001
    kwargs = {"slug": workspace.slug, "member_id": membership.public_id}
    return reverse(f"accounts_ws:{name}", kwargs=kwargs)


@pytest.fixture
def two_owners(workspace, owner):  # noqa: ANN001, ANN201
    second = MembershipFactory(
        workspace=workspace, role=Role.OWNER, user=UserFactory(email="owner2@acme.test")
    )
    return Membership.objects.get(workspace=workspace, user=owner), second


def owners(workspace) -> int:  # noqa: ANN001
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()


def test_two_owners_demoting_each_other_at_once_leave_one_owner(workspace, two_owners, client_for):
    first, second = two_owners
    with held_at("role_changed"):
        at_once(
            (client_for(first.user), member_url(workspace, "member_role", second), ADMIN),
            (client_for(second.user), member_url(workspace, "member_role", first), ADMIN),
        )
    assert owners(workspace) == 1


def test_two_owners_removing_each_other_at_once_leave_one_owner(workspace, two_owners, client_for):
    first, second = two_owners
    with held_at("member_removed"):
        at_once(
            (client_for(first.user), member_url(workspace, "member_remove", second), {}),
            (client_for(second.user), member_url(workspace, "member_remove", first), {}),
        )
    assert owners(workspace) == 1
