import pytest

from contacts.models import Contact, Group

pytestmark = pytest.mark.django_db

VENDOR_EXAMPLE = (
    b"Contact 1,447777777771,,group1\n"
    b"Contact 2,447777777772,\n"
    b"Contact 3,447777777773,,group1,group2,group3\n"
    b",447777777774,\n"
    b"Contact 5,mynumber,,group3"
)


def test_vendor_example(workspace, run_import):
    job = run_import(workspace, VENDOR_EXAMPLE)
    assert (job.state, job.rows_read, job.created, job.failed) == ("done", 5, 3, 2)
    assert [str(i) for i in job.issues.all()] == ["4 : No name", "5 : Invalid number (mynumber)"]
    assert Group.objects.get(name="group1").contacts.count() == 2
    assert Contact.objects.count() == 3
