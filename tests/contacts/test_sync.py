"""The gateway's copy of the address book, against the sandbox over HTTP."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import AddressBook, Contact, GatewayJob, Group, GroupMembership
from contacts.services import sync
from sandbox.faults import clear_faults, set_faults
from sandbox.models import Contact as RemoteContact
from sandbox.models import Group as RemoteGroup

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def account(sandbox_account):
    return sandbox_account()


@pytest.fixture
def connected(workspace, connect, account):
    connect(workspace, account)
    return workspace


def url(ws, name, **kwargs):
    return reverse(f"contacts:{name}", kwargs={"slug": ws.slug, **kwargs})


def make(ws, name, number, groups=()):
    contact = Contact.objects.create(workspace=ws, name=name, number=number)
    for group in groups:
        GroupMembership.objects.create(group=group, contact=contact)
    return contact


def remote(account):
    return sorted(RemoteContact.objects.filter(account=account).values_list("name", "number"))


def remote_groups(account):
    return {
        g.name: sorted(g.contacts.values_list("number", flat=True))
        for g in RemoteGroup.objects.filter(account=account)
    }


def test_a_new_contact_is_pushed_with_its_groups(
    client_for, connected, sender, account, eager_tasks
):
    Group.objects.create(workspace=connected, name="Leeds, North")
    group = Group.objects.get()
    data = {
        "name": "Ann, Lee",
        "number": "07700 900123",
        "email": "",
        "groups": [str(group.public_id)],
    }
    client_for(sender).post(url(connected, "new"), data)
    assert Contact.objects.get().sync_state == "synced"
    assert remote(account) == [("Ann; Lee", "447700900123")]
    assert remote_groups(account) == {"Leeds; North": ["447700900123"]}


def test_each_answer_line_is_mapped_back_to_its_contact(connected, account):
    good = make(connected, "Ann", "+447700900123")
    short = make(connected, "Tiny", "+29022123")  # possible here, too short for the gateway
    assert sync.contacts_push(workspace=connected) is True
    good.refresh_from_db()
    short.refresh_from_db()
    assert good.sync_state == "synced"
    assert (short.sync_state, short.sync_error) == ("failed", "2 : Invalid number (29022123)")


def test_the_answers_of_a_whole_batch_are_written_in_one_update(connected, account):
    good = [make(connected, f"Good {i}", f"+4477009001{i:02d}") for i in range(20)]
    short = [make(connected, f"Tiny {i}", f"+2902212{i}") for i in range(8)]
    with CaptureQueriesContext(connection) as queries:
        assert sync.contacts_push(workspace=connected) is True
    writes = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "contacts_contact"')]
    assert len(writes) == 1  # was one UPDATE per refused or partly accepted row
    states = Contact.objects.filter(pk__in=[c.pk for c in good]).values_list("sync_state")
    assert set(states) == {("synced",)}
    line_of = {c.pk: 21 + i for i, c in enumerate(short)}
    for contact in Contact.objects.filter(pk__in=line_of):
        number = contact.number.lstrip("+")
        assert contact.sync_state == "failed"
        assert contact.sync_error == f"{line_of[contact.pk]} : Invalid number ({number})"


def test_an_edit_made_while_the_batch_is_on_the_gateway_wins(connected, account, monkeypatch):
    edited = make(connected, "Ann", "+447700900123")
    refused = make(connected, "Tiny", "+29022123")
    real_client_for = sync.client_for

    def client_editing_during_the_call(workspace):
        client = real_client_for(workspace)
        real_import = client.import_contacts

        def import_contacts(lines, **options):
            answer = real_import(lines, **options)
            for contact in (edited, refused):
                contact.name += " (edited)"
                contact.save()  # an edit: a new updated_at
            return answer

        client.import_contacts = import_contacts
        return client

    monkeypatch.setattr(sync, "client_for", client_editing_during_the_call)
    assert sync.contacts_push(workspace=connected) is True
    for contact in (edited, refused):
        contact.refresh_from_db()
        assert (contact.sync_state, contact.sync_error) == ("unsynced", "")


def test_an_edit_overwrites_the_gateways_copy(connected, account):
    contact = make(connected, "Ann", "+447700900123")
    sync.contacts_push(workspace=connected)
    contact.name = "Ann Lee"
    contact.sync_state = "unsynced"
    contact.save()
    sync.contacts_push(workspace=connected)
    assert remote(account) == [("Ann Lee", "447700900123")]


def test_a_failed_push_stays_unsynced_with_the_reason_and_beat_retries_it(
    connected, account, eager_tasks
):
    contact = make(connected, "Ann", "+447700900123")
    set_faults(account, maintenance=True)
    assert sync.contacts_push(workspace=connected) is False
    contact.refresh_from_db()
    assert contact.sync_state == "unsynced"
    assert contact.sync_error.startswith("-511: ")
    assert AddressBook.objects.get(workspace=connected).last_push_error.startswith("-511")
    clear_faults(account)
    assert sync.push_sweep() == 1  # the beat sweep; the task runs inline here
    contact.refresh_from_db()
    assert (contact.sync_state, contact.sync_error) == ("synced", "")


def test_emptying_a_group_is_mirrored(client_for, connected, sender, account, eager_tasks):
    group = Group.objects.create(workspace=connected, name="VIP")
    make(connected, "Ann", "+447700900123", [group])
    sync.contacts_push(workspace=connected)
    client_for(sender).post(url(connected, "group_empty", group_id=group.public_id))
    assert remote_groups(account) == {"VIP": []}
    assert GatewayJob.objects.get().state == "done"


def test_removing_one_member_rebuilds_the_group_on_the_gateway(
    client_for, connected, sender, account, eager_tasks
):
    group = Group.objects.create(workspace=connected, name="VIP")
    ann = make(connected, "Ann", "+447700900123", [group])
    make(connected, "Bob", "+447700900124", [group])
    sync.contacts_push(workspace=connected)
    data = {
        "action": "remove_from_group",
        "group": str(group.public_id),
        "ids": [str(ann.public_id)],
    }
    client_for(sender).post(url(connected, "bulk"), data)
    assert remote_groups(account) == {"VIP": ["447700900124"]}


def test_deleting_and_renaming_a_group_is_mirrored(
    client_for, connected, sender, account, eager_tasks
):
    vip = Group.objects.create(workspace=connected, name="VIP")
    old = Group.objects.create(workspace=connected, name="Old")
    make(connected, "Ann", "+447700900123", [vip, old])
    sync.contacts_push(workspace=connected)
    client = client_for(sender)
    client.post(url(connected, "group_delete", group_id=old.public_id))
    client.post(url(connected, "group", group_id=vip.public_id), {"name": "Gold"})
    assert remote_groups(account) == {"Gold": ["447700900123"]}


def test_an_unknown_group_on_the_gateway_is_not_an_error(
    client_for, connected, sender, eager_tasks
):
    group = Group.objects.create(workspace=connected, name="Never pushed")
    client_for(sender).post(url(connected, "group_delete", group_id=group.public_id))
    assert GatewayJob.objects.get().state == "done"


def test_a_refused_delete_shows_the_gateways_code_and_is_not_retried(
    client_for, connected, admin, account, eager_tasks
):
    make(connected, "Ann", "+447700900123")
    set_faults(account, maintenance=True)
    client_for(admin).post(url(connected, "sync_delete_groups"))
    job = GatewayJob.objects.get()
    assert (job.state, job.error_code) == ("failed", -511)
    page = client_for(admin).get(url(connected, "sync")).content.decode()
    assert "The gateway is down for maintenance: try again later" in page
    assert '<small class="gateway-code" title="The gateway&#x27;s code">-511</small>' in page


def test_resync_rebuilds_the_gateways_copy_from_the_portal(
    client_for, connected, admin, account, eager_tasks
):
    group = Group.objects.create(workspace=connected, name="VIP")
    ann = make(connected, "Ann", "+447700900123", [group])
    make(connected, "Bob", "+447700900124")
    sync.contacts_push(workspace=connected)
    client_for(admin).post(
        url(connected, "bulk"), {"action": "delete", "ids": [str(ann.public_id)]}
    )
    assert len(remote(account)) == 2  # the gateway cannot delete one contact
    client_for(admin).post(url(connected, "sync_resync"))
    assert remote(account) == [("Bob", "447700900124")]
    job = GatewayJob.objects.get()
    assert (job.state, job.total, job.done) == ("done", 1, 1)
    assert AddressBook.objects.get(workspace=connected).stale_since is None


def test_delete_all_contacts_here_and_on_the_gateway(
    client_for, connected, admin, account, eager_tasks
):
    make(connected, "Ann", "+447700900123")
    sync.contacts_push(workspace=connected)
    client_for(admin).post(url(connected, "sync_delete_contacts"))
    assert not Contact.objects.exists() and remote(account) == []


def test_opted_out_contacts_are_never_pushed(connected, account):
    from django.utils import timezone

    Contact.objects.create(workspace=connected, name="Gone", number="+447700900123",
                           opted_out_at=timezone.now())  # fmt: skip
    sync.contacts_push(workspace=connected)
    assert remote(account) == []


def test_an_opt_out_takes_the_contact_out_of_its_gateway_groups(connected, account, eager_tasks):
    from contacts.consent import Origin
    from contacts.services.address_book import contact_opt_out

    group = Group.objects.create(workspace=connected, name="VIP")
    ann = make(connected, "Ann", "+447700900123", [group])
    make(connected, "Bob", "+447700900124", [group])
    sync.contacts_push(workspace=connected)
    contact_opt_out(contact=ann, origin=Origin("typed"))
    assert remote_groups(account) == {"VIP": ["447700900124"]}
    ann.refresh_from_db()
    assert ann.is_opted_out and group.contacts.count() == 2  # kept here, shown as opted out
