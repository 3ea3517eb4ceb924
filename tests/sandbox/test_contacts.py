"""ImportContactsCSV and the address-book actions."""

import pytest

from sandbox.models import Contact, Group

VENDOR_EXAMPLE = (
    "Contact 1,447777777771,,group1\n"
    "Contact 2,447777777772,\n"
    "Contact 3,447777777773,,group1,group2,group3\n"
    ",447777777774,\n"
    "Contact 5,mynumber,,group3"
)


def test_vendor_example_answers_exactly_as_documented(gateway):
    answer = gateway.call("ImportContactsCSV", ContactsCSV=VENDOR_EXAMPLE)
    assert answer == (
        "1 : Success\n2 : Success\n3 : Success\n4 : Failed\n5 : Failed\n"
        "\n"
        "4 : No name\n5 : Invalid number (mynumber)"
    )


def test_import_creates_contacts_and_groups(gateway):
    gateway.call("ImportContactsCSV", ContactsCSV=VENDOR_EXAMPLE)
    group1 = Group.objects.get(account=gateway.account, name="group1")
    assert sorted(group1.contacts.values_list("name", flat=True)) == ["Contact 1", "Contact 3"]


def test_no_blank_line_when_every_line_succeeds(gateway):
    assert gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101") == "1 : Success"


def test_duplicate_name_is_refused_by_default(gateway):
    gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101")
    answer = gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900102")
    assert answer == "1 : Duplicate Name"


def test_duplicate_number_is_refused_by_default(gateway):
    gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101")
    answer = gateway.call("ImportContactsCSV", ContactsCSV="Bob,447700900101")
    assert answer == "1 : Duplicate Number"


def test_duplicates_within_one_import_are_refused(gateway):
    answer = gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101\nAnn,447700900102")
    assert answer == "1 : Success\n2 : Duplicate Name"


def test_ignore_dupes_allows_duplicates(gateway):
    gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101")
    answer = gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101", IgnoreDupes="1")
    assert answer == "1 : Success"
    assert Contact.objects.filter(name="Ann").count() == 2


def test_overwrite_dupes_overwrites_a_duplicate_number(gateway):
    gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101")
    answer = gateway.call("ImportContactsCSV", ContactsCSV="Anne,447700900101", OverwriteDupes="1")
    assert answer == "1 : Success"
    assert list(Contact.objects.values_list("name", "number")) == [("Anne", "447700900101")]


def test_overwrite_dupes_creates_a_new_contact_for_a_duplicate_name(gateway):
    gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101")
    gateway.call(
        "ImportContactsCSV", ContactsCSV="Ann,447700900102", OverwriteDupes="1", IgnoreDupes="0"
    )
    assert Contact.objects.filter(name="Ann").count() == 2


def test_group_that_cannot_be_made_gives_partial(gateway):
    answer = gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101,," + "g" * 101)
    lines = answer.split("\n")
    assert lines[:2] == ["1 : Partial", ""]
    assert lines[2].startswith("1 : Could not add to group")
    assert Contact.objects.filter(name="Ann").exists()


def test_nul_byte_fails_its_line_and_stores_nothing(gateway):
    answer = gateway.call("ImportContactsCSV", ContactsCSV="A\x00nn,447700900101")
    assert answer == "1 : Failed\n\n1 : Invalid character"
    assert not Contact.objects.exists()


def test_blank_line_gets_its_own_result(gateway):
    answer = gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101\n\nBob,447700900102")
    assert answer.split("\n")[:3] == ["1 : Success", "2 : Failed", "3 : Success"]


def test_blank_contacts_csv_answers_507(gateway):
    assert gateway.call("ImportContactsCSV", ContactsCSV="") == "-507"


def test_quoted_names_may_hold_commas(gateway):
    gateway.call("ImportContactsCSV", ContactsCSV='"Smith, Ann",447700900101')
    assert Contact.objects.get().name == "Smith, Ann"


@pytest.fixture
def address_book(gateway):
    gateway.call("ImportContactsCSV", ContactsCSV="Ann,447700900101,,Team\nBob,447700900102,,Team")


def test_delete_all_contacts(gateway, address_book):
    assert gateway.call("DeleteAllContacts") == "1"
    assert not Contact.objects.filter(account=gateway.account).exists()


def test_delete_all_groups_keeps_contacts(gateway, address_book):
    assert gateway.call("DeleteAllGroups") == "1"
    assert not Group.objects.exists()
    assert Contact.objects.count() == 2


def test_empty_group_keeps_the_group(gateway, address_book):
    assert gateway.call("EmptyGroup", Group="Team") == "1"
    assert Group.objects.get(name="Team").contacts.count() == 0


def test_delete_group(gateway, address_book):
    assert gateway.call("DeleteGroup", Group="Team") == "1"
    assert not Group.objects.exists()


def test_empty_unknown_group_answers_520(gateway):
    assert gateway.call("EmptyGroup", Group="Nope") == "-520"


def test_delete_unknown_group_answers_520(gateway):
    assert gateway.call("DeleteGroup", Group="Nope") == "-520"


def test_actions_touch_only_the_callers_address_book(gateway, sandbox_account):
    other = sandbox_account()
    Contact.objects.create(account=other, name="Zed", number="447700900199")
    gateway.call("DeleteAllContacts")
    assert Contact.objects.filter(account=other).exists()
