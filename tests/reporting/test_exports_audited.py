"""Every export of workspace data is in the audit log, with who, what and how many rows."""

import pytest

from accounts.models import AuditEvent
from contacts.models import Contact

from .test_views import answer, messages_csv, snapshot_of, url  # noqa: F401 - answer is a fixture

pytestmark = pytest.mark.django_db


def exports() -> list[tuple[str, str, int]]:
    rows = AuditEvent.objects.filter(action="export_downloaded").order_by("id")
    return [(e.actor_email, e.detail["what"], e.detail["rows"]) for e in rows]


def test_contacts_log_broadcasts_and_audit_downloads_are_audited(client_for, workspace, owner):
    for n in range(3):
        Contact.objects.create(workspace=workspace, number=f"+44770090060{n}")
    client = client_for(owner)
    for path in (
        "contacts/export.csv",
        "messages/export.csv",
        "messages/broadcasts/export.csv",
        "settings/audit.csv",
    ):
        response = client.get(f"/w/{workspace.slug}/{path}")
        assert response.status_code == 200, path
        b"".join(response.streaming_content)  # the download runs to its end
    found = exports()
    assert found[:3] == [
        (owner.email, "contacts", 3),
        (owner.email, "message log", 0),
        (owner.email, "broadcasts", 0),
    ]
    assert found[3][1] == "audit log" and found[3][2] >= 3
    assert all(
        e.workspace_id == workspace.pk
        for e in AuditEvent.objects.filter(action="export_downloaded")
    )


def test_report_downloads_are_audited(client_for, admin, workspace, answer):  # noqa: F811
    client = client_for(admin)
    snapshot = snapshot_of(client, workspace, answer, messages_csv(4))
    b"".join(
        client.get(url("view_csv", workspace, snapshot_id=snapshot.public_id)).streaming_content
    )
    b"".join(
        client.get(url("view_xlsx", workspace, snapshot_id=snapshot.public_id)).streaming_content
    )
    b"".join(client.get(url("raw", workspace, snapshot_id=snapshot.public_id)).streaming_content)
    assert [(what, rows) for _, what, rows in exports()] == [
        ("Messages report, filtered", 4),
        ("Messages report, filtered", 4),
        ("Messages report, the gateway's answer", 4),
    ]
