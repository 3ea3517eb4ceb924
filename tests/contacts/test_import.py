"""Import jobs: the gateway's answers and duplicate rules, bad input, resuming, any bytes at all."""

import codecs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Contact, ContactImport, Group
from contacts.services import importing

pytestmark = pytest.mark.django_db

VENDOR_EXAMPLE = (
    b"Contact 1,447777777771,,group1\n"
    b"Contact 2,447777777772,\n"
    b"Contact 3,447777777773,,group1,group2,group3\n"
    b",447777777774,\n"
    b"Contact 5,mynumber,,group3"
)
PEOPLE = b"name,number,email\nAnn Lee,07700 900101,ann@example.com\nBob Roy,+44 7700 900102,\n"
MAP3 = ["name", "number", "email"]


def counts(job):
    return job.rows_read, job.imported, job.duplicates, job.failed


def test_the_vendors_example_answers_as_documented_but_keeps_the_row_without_a_name(
    workspace, run_import
):
    job = run_import(workspace, VENDOR_EXAMPLE)
    assert (job.state, *counts(job)) == ("done", 5, 4, 0, 1)
    assert [str(i) for i in job.issues.all()] == ["5 : Invalid number (mynumber)"]
    assert Contact.objects.get(number="+447777777774").name == ""  # shown and sent as its number
    assert sorted(Group.objects.get(name="group1").contacts.values_list("name", flat=True)) == [
        "Contact 1", "Contact 3",
    ]  # fmt: skip
    assert Contact.objects.get(name="Contact 2").number == "+447777777772"


def test_importing_the_same_file_twice_changes_nothing_under_refuse(workspace, run_import):
    run_import(workspace, PEOPLE, MAP3, has_header=True)
    before = list(Contact.objects.values_list("pk", "name", "number", "updated_at"))
    job = run_import(workspace, PEOPLE, MAP3, has_header=True)
    assert counts(job) == (2, 0, 2, 0)
    assert list(Contact.objects.values_list("pk", "name", "number", "updated_at")) == before


def test_refuse_checks_names_then_numbers_like_the_gateway(workspace, run_import):
    run_import(workspace, b"Ann,07700900101\n", MAP3)
    job = run_import(workspace, b"Ann,07700900999\nBob,07700900101\nCid,07700900103\n", MAP3)
    assert counts(job) == (3, 1, 2, 0)
    assert Contact.objects.count() == 2


def test_duplicates_inside_one_file_are_refused_too(workspace, run_import):
    job = run_import(workspace, b"Ann,07700900101\nAnn B,07700900101\n", MAP3)
    assert counts(job) == (2, 1, 1, 0)


def test_allow_keeps_every_duplicate(workspace, run_import):
    run_import(workspace, b"Ann,07700900101\n", MAP3)
    job = run_import(workspace, b"Ann,07700900101\n", MAP3, policy="allow")
    assert counts(job) == (1, 1, 0, 0)
    assert Contact.objects.filter(number="+447700900101").count() == 2


def test_overwrite_updates_the_contact_with_that_number(workspace, run_import):
    run_import(workspace, b"Ann,07700900101,old@example.com\n", MAP3)
    job = run_import(
        workspace, b"Ann Lee,07700900101,new@example.com,VIP\n", [*MAP3, "group"], "overwrite"
    )
    assert (job.created, job.updated) == (0, 1)
    contact = Contact.objects.get()
    assert (contact.name, contact.email, contact.sync_state) == (
        "Ann Lee",
        "new@example.com",
        "unsynced",
    )
    assert [g.name for g in contact.groups.all()] == ["VIP"]


def test_a_group_name_with_a_comma_is_kept_here_and_a_semicolon_on_the_gateway(
    workspace, run_import
):
    run_import(workspace, b'Ann,07700900101,,"Leeds, North"\n')
    group = Group.objects.get()
    assert (group.name, group.gateway_name) == ("Leeds, North", "Leeds; North")


def test_custom_fields_and_joined_names(workspace, run_import):
    mapping = ["name", "name", "number", "field1", "field5"]
    run_import(workspace, b"First,Last,Number,Shoe,Town\nAnn,Lee,07700900101,5,York\n", mapping,
               has_header=True)  # fmt: skip
    contact = Contact.objects.get()
    assert (contact.name, contact.field1, contact.field5) == ("Ann Lee", "5", "York")


def test_bad_rows_each_say_why_on_their_line(workspace, run_import):
    data = (
        b"name,number,email\n"
        + b"x" * 10_000 + b",07700900101,\n"
        + b"Bob,garbage,\n"
        + b"Cid,07700900103,not-an-email\n"
        + b",".join([b"y"] * 400) + b"\n"
        + b"Dee,07700900104,\n"
    )  # fmt: skip
    job = run_import(workspace, data, MAP3, has_header=True)
    assert [str(i) for i in job.issues.all()] == [
        "2 : Name longer than 200 characters",
        "3 : Invalid number (garbage)",
        "4 : Invalid email (not-an-email): left out",
        "5 : Too many columns (400; at most 100)",
    ]
    assert counts(job) == (5, 2, 0, 3)


def test_a_number_column_of_garbage_says_to_check_the_mapping(workspace, run_import):
    job = run_import(workspace, b"Ann,Leeds\nBob,York\n", MAP3)
    assert job.failed == 2
    assert "check the column mapping" in job.error


def test_a_header_only_file_says_there_are_no_contacts(workspace, run_import):
    job = run_import(workspace, b"name,number\n", MAP3, has_header=True)
    assert (job.state, job.rows_read) == ("done", 0)
    assert "no rows after the header" in job.error


def test_mixed_encodings_import_the_same_names(workspace, run_import):
    text = "Zoë,07700900101\n"
    for i, data in enumerate([codecs.BOM_UTF8 + text.encode(), text.encode("utf-16"),
                              text.encode("cp1252")]):  # fmt: skip
        run_import(workspace, data.replace(b"1\n", str(i).encode() + b"\n")
                   if i == 0 else data, MAP3, policy="allow")  # fmt: skip
    assert set(Contact.objects.values_list("name", flat=True)) == {"Zoë"}


def test_a_semicolon_file_with_quoted_newlines(workspace, run_import):
    data = 'name;number;group\n"Smith; John";07700900101;"A, B"\n"Two\nlines";07700900102;\n'
    job = run_import(workspace, data.encode(), ["name", "number", "group"], has_header=True)
    assert job.imported == 2
    assert set(Contact.objects.values_list("name", flat=True)) == {"Smith; John", "Two\nlines"}


def test_a_stopped_job_resumes_after_its_last_committed_chunk(workspace, run_import, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    data = b"".join(b"P%d,0770090%04d\n" % (i, i) for i in range(7))
    calls = {"n": 0}
    real = importing.ChunkWriter.write

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("database went away")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(importing.ChunkWriter, "write", flaky)
    job = run_import(workspace, data, MAP3)
    assert job.state == "failed" and job.error == "Stopped after line 4: database went away"
    assert (job.rows_read, Contact.objects.count()) == (4, 4)
    importing.import_resume(contact_import=job)
    importing.import_run(import_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.rows_read, job.imported, Contact.objects.count()) == ("done", 7, 7, 7)


def test_chunks_commit_without_waiting_for_the_disk_but_the_last_one_waits(
    workspace, run_import, monkeypatch
):
    """A lost commit loses a chunk's rows with the progress that counts them, so a chunk need
    not wait for the disk; the last does, since the file it would resume from is then deleted."""
    from django.db import connection

    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    data = b"".join(b"P%d,0770090%04d\n" % (i, i) for i in range(5))
    seen = []

    def record(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        if "synchronous_commit" in sql:
            seen.append(sql)
        elif sql.startswith('UPDATE "contacts_contactimport" SET "rows_read"'):
            seen.append("progress")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        job = run_import(workspace, data, MAP3)
    assert (job.state, job.imported) == ("done", 5)
    off = "SET LOCAL synchronous_commit TO OFF"
    assert seen == [off, "progress", off, "progress", "progress"]


def test_a_job_runs_once_even_if_queued_twice(workspace, run_import):
    job = run_import(workspace, PEOPLE, MAP3, has_header=True)
    importing.import_run(import_id=job.pk)
    assert Contact.objects.count() == 2


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600) | st.text(max_size=300).map(str.encode))
def test_any_bytes_never_crash_and_every_row_is_accounted_for(workspace, run_import, data):
    try:
        job = run_import(workspace, data, ["name", "number", "group"], policy="refuse")
    except importing.csvread.UnreadableFile:
        return  # refused at upload with a message
    assert job.state == "done", job.error
    assert job.imported + job.duplicates + job.failed == job.rows_read
    assert job.issues.filter(result="Failed").count() == job.failed


def test_the_file_is_removed_once_the_job_is_done(workspace, run_import):
    job = run_import(workspace, PEOPLE, MAP3, has_header=True)
    assert not importing.default_storage.exists(job.file.name)
    assert ContactImport.objects.get().state == "done"


def test_the_sweep_queues_again_a_job_whose_worker_stopped(workspace, run_import, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    job = run_import(workspace, PEOPLE, MAP3, has_header=True)
    long_ago = timezone.now() - timedelta(hours=1)
    ContactImport.objects.filter(pk=job.pk).update(state="running", heartbeat_at=long_ago)
    queued = []
    monkeypatch.setattr("contacts.tasks.contact_import_task.delay", queued.append)
    assert importing.import_sweep() == 1
    assert queued == [job.pk]
    assert ContactImport.objects.get().state == "queued"


def test_the_portable_path_gives_the_same_answer(workspace, run_import, monkeypatch):
    """`make run` uses SQLite: bulk_create instead of COPY, IN lists instead of index probes."""
    real = importing.ChunkWriter.__init__

    def portable(self, job):
        real(self, job)
        self.postgres = False

    monkeypatch.setattr(importing.ChunkWriter, "__init__", portable)
    job = run_import(workspace, VENDOR_EXAMPLE)
    assert [str(i) for i in job.issues.all()] == ["5 : Invalid number (mynumber)"]
    again = run_import(workspace, VENDOR_EXAMPLE, policy="overwrite")
    assert (again.updated, again.failed, Contact.objects.count()) == (4, 1, 4)


def test_a_group_name_too_long_for_the_gateway_is_partial(workspace, run_import):
    data = b"Ann,07700900101,," + b"g" * 101 + b",VIP\n"
    job = run_import(workspace, data)
    assert (job.imported, job.partial, job.failed) == (1, 1, 0)
    assert str(job.issues.get()) == (
        "1 : Could not add to group (gggggggggggggggggggg...): over 100 characters"
    )
    assert [g.name for g in Contact.objects.get().groups.all()] == ["VIP"]


def test_imported_contacts_have_distinct_time_ordered_public_ids(workspace, run_import):
    data = b"".join(b"P%d,0770090%04d\n" % (i, i) for i in range(50))
    run_import(workspace, data, MAP3)
    ids = list(Contact.objects.values_list("public_id", flat=True))
    assert len(set(ids)) == 50
    assert {(u.version, u.variant) for u in ids} == {(7, "specified in RFC 4122")}
