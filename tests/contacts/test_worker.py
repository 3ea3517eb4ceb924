"""A 100,000-row file end to end: uploaded, mapped, imported by a real Celery worker."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact, ContactImport

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 100_000


def people(rows: int) -> bytes:
    lines = ["Name,Mobile,Group"]
    for i in range(rows):
        number = f"07700 {i:06d}" if i % 20 else "not a number"  # 5% bad
        lines.append(f"Person {i},{number},{'Leeds, North' if i % 2 else 'York'}".replace(
            "Leeds, North", '"Leeds, North"'))  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def test_a_100k_row_file_imports_through_the_worker(
    celery_worker, client_for, workspace, sender, wait_for
):
    client = client_for(sender)
    base = reverse("contacts:imports", kwargs={"slug": workspace.slug})
    client.post(base, {"file": SimpleUploadedFile("people.csv", people(ROWS))})
    job = ContactImport.objects.get()
    mapping = {"has_header": "on", "policy": "refuse", "col_0": "name", "col_1": "number",
               "col_2": "group"}  # fmt: skip
    client.post(f"{base}{job.public_id}/", mapping)

    def finished():
        job.refresh_from_db()
        return job.state in ("done", "failed")

    wait_for(finished, timeout=240, interval=0.5)
    assert (job.state, job.error) == ("done", "")
    assert (job.rows_read, job.imported, job.duplicates, job.failed) == (ROWS, 95_000, 0, 5_000)
    assert Contact.objects.filter(workspace=workspace).count() == 95_000
    assert job.issues.first().line == 2  # row 0 is on line 2, after the header
    assert workspace.groups.get(name="Leeds, North").contacts.count() == 50_000
