"""Attacks with over-long CSV lines: a line beyond the 100,000-character limit was read in pieces,
so one line reported as unreadable still had its tail imported as contacts, and one huge field
became dozens of errors with line numbers the file does not have."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.csvread import MAX_FIELD_CHARS
from contacts.models import Contact, ContactImport
from contacts.services import importing

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_import(settings, tmp_path, workspace):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path / "media"

    def run(data: bytes) -> ContactImport:
        upload = SimpleUploadedFile("contacts.csv", data, content_type="text/csv")
        job = importing.import_upload(workspace=workspace, user=None, uploaded=upload)
        ContactImport.objects.filter(pk=job.pk).update(
            mapping=["name", "number"], policy="refuse", has_header=False, state="queued"
        )
        importing.import_run(import_id=job.pk)
        job.refresh_from_db()
        return job

    return run


def test_an_overlong_line_cannot_smuggle_its_tail_in_as_contacts(run_import):
    padding = "x" * (MAX_FIELD_CHARS + 1)  # the line's tail, read on its own, is a good row
    data = f"Ann,07700900101\n{padding}Eve,07700900666\nBob,07700900102\n".encode()
    job = run_import(data)
    assert sorted(Contact.objects.values_list("name", flat=True)) == ["Ann", "Bob"]
    assert [issue.line for issue in job.issues.all()] == [2]


def test_a_huge_field_is_one_refused_row_with_its_real_line_number(run_import):
    huge = "y" * (3 * 1024 * 1024)
    data = f"Ann,07700900101\nBob,07700900102\nZed {huge},07700900103\nCid,07700900104\n".encode()
    job = run_import(data)
    assert [issue.line for issue in job.issues.all()] == [3]
    assert (job.rows_read, job.imported, job.failed) == (4, 3, 1)
    assert sorted(Contact.objects.values_list("name", flat=True)) == ["Ann", "Bob", "Cid"]
