"""What an import shows before and after: the rows that will fail and why, the rows that did,
duplicates naming the contact they duplicate, and what is kept of a row with a bad part."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact, ContactImport
from contacts.services import importing

pytestmark = pytest.mark.django_db

MAP3 = ["name", "number", "email"]
# One row of each kind: fine, bad number, bad email, no name, a name seen earlier in the file,
# a number an existing contact has.
MIXED = (
    b"Name,Mobile,Email\n"
    b"Ann,07700900101,ann@example.com\n"
    b"Bob,nope,\n"
    b"Cid,07700900103,not-an-email\n"
    b",07700900104,\n"
    b"Ann,07700900105,\n"
    b"Dee Two,07700900106,\n"
)


def url(ws, name, **kwargs):
    return reverse(f"contacts:{name}", kwargs={"slug": ws.slug, **kwargs})


def upload(client, ws, data: bytes) -> ContactImport:
    client.post(url(ws, "imports"), {"file": SimpleUploadedFile("people.csv", data)})
    return ContactImport.objects.order_by("-created_at").first()


def csv_lines(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- Rows without a name, bad emails -------------------------------------------------------------
def test_a_row_without_a_name_is_imported_and_shown_as_its_number(
    client_for, workspace, viewer, run_import
):
    job = run_import(workspace, b",07700900102\n", MAP3)
    assert (job.imported, job.failed) == (1, 0)
    contact = Contact.objects.get()
    assert (contact.name, contact.number) == ("", "+447700900102")
    page = client_for(viewer).get(url(workspace, "list")).content.decode()
    assert "+447700900102" in page and "(no name)" not in page
    detail = client_for(viewer).get(url(workspace, "detail", contact_id=contact.public_id))
    assert "(no name)" not in detail.content.decode()


def test_rows_without_names_are_not_duplicates_of_each_other(workspace, run_import):
    job = run_import(workspace, b",07700900101\n,07700900102\n", MAP3)
    assert (job.imported, job.duplicates) == (2, 0)


def test_a_mapping_without_a_name_column_imports_numbers_alone(workspace, run_import):
    importing.validate_mapping(["number"])
    job = run_import(workspace, b"07700900101\n07700900102\n", ["number"])
    assert job.imported == 2


def test_a_bad_email_is_dropped_with_a_warning_and_the_contact_kept(workspace, run_import):
    job = run_import(workspace, b"Cid,07700900103,not-an-email\n", MAP3)
    assert (job.imported, job.partial, job.failed) == (1, 1, 0)
    contact = Contact.objects.get()
    assert (contact.name, contact.email) == ("Cid", "")
    issue = job.issues.get()
    assert (issue.result, issue.reason) == ("Partial", "Invalid email (not-an-email): left out")


# --- Duplicates ----------------------------------------------------------------------------------
def test_a_duplicate_number_names_the_contact_that_has_it(workspace, run_import):
    dee = Contact.objects.create(workspace=workspace, name="Dee", number="+447700900106")
    job = run_import(workspace, b"Dee Two,07700900106\n", MAP3)
    issue = job.issues.get()
    assert (job.duplicates, issue.result, issue.duplicate_of) == (1, "Duplicate Number", dee)


def test_a_duplicate_of_an_earlier_row_names_the_contact_that_row_made(workspace, run_import):
    job = run_import(workspace, b"Ann,07700900101\nAnn,07700900105\n", MAP3)
    ann = Contact.objects.get()
    issue = job.issues.get()
    assert (issue.line, issue.result, issue.duplicate_of) == (2, "Duplicate Name", ann)


def test_a_duplicate_in_a_later_chunk_names_the_contact_too(workspace, run_import, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)
    job = run_import(workspace, b"Ann,07700900101\nBea,07700900101\n", MAP3)
    assert job.issues.get().duplicate_of == Contact.objects.get(name="Ann")


def test_the_portable_path_names_duplicates_too(workspace, run_import, monkeypatch):
    real = importing.ChunkWriter.__init__

    def portable(self, job):
        real(self, job)
        self.postgres = False

    monkeypatch.setattr(importing.ChunkWriter, "__init__", portable)
    dee = Contact.objects.create(workspace=workspace, name="Dee", number="+447700900106")
    job = run_import(workspace, b"Dee,07700900999\nAnn,07700900106\n", MAP3)
    assert [(i.result, i.duplicate_of) for i in job.issues.all()] == [
        ("Duplicate Name", dee), ("Duplicate Number", dee),
    ]  # fmt: skip


# --- The preview ---------------------------------------------------------------------------------
def test_the_preview_marks_the_rows_that_will_fail_and_why(client_for, workspace, sender):
    dee = Contact.objects.create(workspace=workspace, name="Dee", number="+447700900106")
    client = client_for(sender)
    job = upload(client, workspace, MIXED)
    page = client.get(url(workspace, "import", import_id=job.public_id))
    verdicts = [(c.line, c.result, c.reasons) for c in page.context["checks"]]
    assert verdicts == [
        (1, "Header", []),
        (2, "", []),
        (3, "Failed", ["Invalid number (nope)"]),
        (4, "Partial", ["Invalid email (not-an-email): left out"]),
        (5, "", []),
        (6, "Duplicate Name", ["“Ann” is already on line 2"]),
        (7, "Duplicate Number", ["+447700900106 is already in your contacts"]),
    ]
    html = page.content.decode()
    assert "Invalid number (nope)" in html
    assert url(workspace, "detail", contact_id=dee.public_id) in html


def test_the_preview_and_the_import_give_every_row_the_same_verdict(
    client_for, workspace, sender, eager_tasks, django_capture_on_commit_callbacks
):
    Contact.objects.create(workspace=workspace, name="Dee", number="+447700900106")
    client = client_for(sender)
    job = upload(client, workspace, MIXED)
    page = client.get(url(workspace, "import", import_id=job.public_id))
    previewed = {c.line: c.result for c in page.context["checks"] if c.result not in ("", "Header")}
    form = {"has_header": "on", "policy": "refuse", "col_0": "name", "col_1": "number",
            "col_2": "email"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(workspace, "import", import_id=job.public_id), form)
    job.refresh_from_db()
    assert job.state == "done"
    assert {i.line: i.result for i in job.issues.all()} == previewed


def test_the_preview_takes_the_first_record_as_the_header_as_the_run_does(
    client_for, workspace, sender, run_import
):
    data = b"\nName,Mobile\nAnn,07700900101\n"  # a blank first line is the "header"
    client = client_for(sender)
    job = upload(client, workspace, data)
    form = {
        "check": "1",
        "has_header": "on",
        "policy": "refuse",
        "col_0": "name",
        "col_1": "number",
    }
    checks = client.post(url(workspace, "import", import_id=job.public_id), form).context["checks"]
    ran = run_import(workspace, data, ["name", "number"], has_header=True)
    assert [(c.line, c.result) for c in checks] == [(1, "Header"), (2, "Failed"), (3, "")]
    assert [(i.line, i.result) for i in ran.issues.all()] == [(2, "Failed")]


def test_checking_again_with_another_mapping_updates_the_marks(client_for, workspace, sender):
    client = client_for(sender)
    job = upload(client, workspace, b"Mobile,Name\n07700900101,Ann\n")
    form = {"check": "1", "policy": "refuse", "col_0": "name", "col_1": "number"}  # swapped
    response = client.post(
        url(workspace, "import", import_id=job.public_id),
        form,
        headers={"HX-Request": "true", "HX-Target": "import-preview"},
    )
    assert [(c.line, c.result) for c in response.context["checks"]] == [
        (1, "Failed"), (2, "Failed"),
    ]  # fmt: skip
    assert response.content.decode().lstrip().startswith('<div id="import-preview"')
    job.refresh_from_db()
    assert job.state == "uploaded"


# --- The result ----------------------------------------------------------------------------------
def test_the_result_is_a_table_of_rows_with_reasons_and_links_to_duplicates(
    client_for, workspace, viewer, run_import
):
    dee = Contact.objects.create(workspace=workspace, name="Dee", number="+447700900106")
    job = run_import(workspace, MIXED, MAP3, has_header=True)
    html = client_for(viewer).get(url(workspace, "import", import_id=job.public_id)).content
    html = html.decode()
    assert '<table class="import-issues">' in html and "<pre" not in html
    assert "<td>3</td>" in html and "Invalid number (nope)" in html
    assert url(workspace, "detail", contact_id=dee.public_id) in html
    ann = Contact.objects.get(name="Ann")
    assert url(workspace, "detail", contact_id=ann.public_id) in html


def test_the_failed_rows_download_with_the_header_and_the_reason_last(
    client_for, workspace, sender, run_import
):
    job = run_import(workspace, MIXED, MAP3, has_header=True)
    ContactImport.objects.filter(pk=job.pk).update(header=["Name", "Mobile", "Email"])
    response = client_for(sender).get(url(workspace, "import_issues", import_id=job.public_id))
    assert csv_lines(response) == [
        ["Name", "Mobile", "Email", "line", "reason"],
        ["Bob", "nope", "", "3", "Invalid number (nope)"],
    ]


def test_the_header_is_kept_when_the_import_starts(client_for, workspace, sender):
    client = client_for(sender)
    job = upload(client, workspace, b"Name,Mobile\nAnn,07700900101\n")
    form = {"has_header": "on", "policy": "refuse", "col_0": "name", "col_1": "number"}
    client.post(url(workspace, "import", import_id=job.public_id), form)
    job.refresh_from_db()
    assert job.header == ["Name", "Mobile"]


def test_failed_rows_of_a_file_without_a_header_get_one_from_the_mapping(
    client_for, workspace, sender, run_import
):
    job = run_import(workspace, b"Ann,07700900101\nCid,nope,x\n", MAP3)
    response = client_for(sender).get(url(workspace, "import_issues", import_id=job.public_id))
    assert csv_lines(response) == [
        ["name", "number", "email", "line", "reason"],
        ["Cid", "nope", "x", "2", "Invalid number (nope)"],
    ]


def test_the_failed_rows_file_uploads_again_as_it_is(client_for, workspace, sender, run_import):
    job = run_import(workspace, b"Ann,07700900101\nCid,nope\n", MAP3)
    response = client_for(sender).get(url(workspace, "import_issues", import_id=job.public_id))
    fixed = b"".join(response.streaming_content).replace(b"nope", b"07700900103")
    client = client_for(sender)
    again = upload(client, workspace, fixed)
    page = client.get(url(workspace, "import", import_id=again.public_id))
    assert [page.context["form"].initial[f"col_{i}"] for i in range(5)] == [
        "name", "number", "email", "", "",
    ]  # fmt: skip
    assert [(c.line, c.result) for c in page.context["checks"]] == [(1, "Header"), (2, "")]


# --- The export's formula guard ------------------------------------------------------------------
def test_reimporting_the_export_removes_the_formula_guard(
    client_for, workspace, other_workspace, sender, run_import
):
    names = ["=1+1", "@Ann", "-Bob-", "+Cid", "'Tis Dee", "O'Brien"]
    for i, name in enumerate(names):
        Contact.objects.create(
            workspace=workspace, name=name, number=f"+44770090010{i}", field1="=x" if i else "'y"
        )
    response = client_for(sender).get(url(workspace, "export"))
    data = b"".join(response.streaming_content)
    assert b"'=1+1" in data and b"'+447700900100" in data  # the guard is there
    header = data.decode().splitlines()[0].split(",")
    mapping = importing.guess_mapping(other_workspace, header, True)
    job = run_import(other_workspace, data, mapping, has_header=True)
    assert (job.imported, job.failed) == (len(names), 0)
    copied = Contact.objects.for_workspace(other_workspace).order_by("number")
    assert [c.name for c in copied] == names
    assert [c.field1 for c in copied] == ["'y"] + ["=x"] * 5
    assert copied[0].number == "+447700900100"


def test_an_apostrophe_before_anything_else_is_kept(workspace, run_import):
    run_import(workspace, b"'Tis,07700900101\n'',07700900102\n", MAP3)
    assert sorted(Contact.objects.values_list("name", flat=True)) == ["''", "'Tis"]
