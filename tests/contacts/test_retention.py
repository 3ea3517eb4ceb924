"""Retention: what is older than a workspace keeps is purged in batches, exactly that, no more."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, PrivacySettings, Workspace
from contacts import privacy
from contacts.models import ContactImport, ImportIssue
from contacts.tasks import retention_sweep_task
from inbound.models import Conversation, InboundMessage
from messaging.models import Broadcast, Message
from reporting.models import ReportSnapshot

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DAY = timedelta(days=1)
CUTOFF_24 = NOW - timedelta(days=730)  # about 24 months: tests stay a week clear of the edge


def _broadcast(ws: Workspace, at, body: str = "Sale on Saturday") -> Broadcast:  # noqa: ANN001
    broadcast = Broadcast.objects.create(
        workspace=ws, body=body, source="Acme", status="done", idempotency_key=uuid.uuid4(),
        finished_at=at, recipients_spec={"selection": {"numbers": ["+447700900001"]}},
        sent_count=1,
    )  # fmt: skip
    Broadcast.objects.filter(pk=broadcast.pk).update(created_at=at)
    return broadcast


def _message(ws: Workspace, at, state: str = "delivered", number: str = "+447700900001") -> Message:  # noqa: ANN001
    message = Message.objects.create(
        workspace=ws, broadcast=_broadcast(ws, at), destination=number, body="Hi Ann",
        state=state,
    )  # fmt: skip
    Message.objects.filter(pk=message.pk).update(queued_at=at)
    return message


def _text(ws: Workspace, at, gateway_id: str) -> InboundMessage:  # noqa: ANN001
    return InboundMessage.objects.create(
        workspace=ws, dest="+447700900500", gateway_id=gateway_id, source="+447700900001",
        body="Can I book?", received_at=at, mm_name="Ann",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path / "media"


def test_purge_scrubs_exactly_the_rows_past_the_limit(workspace, settings):
    settings.PRIVACY_PURGE_BATCH = 2  # several batches
    old = [_message(workspace, CUTOFF_24 - DAY * (i + 7)) for i in range(5)]
    kept = _message(workspace, CUTOFF_24 + DAY * 7)
    in_flight = _message(workspace, CUTOFF_24 - DAY * 30, state="submitted")
    old_text, new_text = _text(workspace, CUTOFF_24 - DAY * 7, "a"), _text(workspace, NOW, "b")
    Conversation.objects.create(workspace=workspace, number="+447700900002",
                                last_message_at=CUTOFF_24 - DAY * 7)  # fmt: skip
    recent = Conversation.objects.create(workspace=workspace, number="+447700900001",
                                         last_message_at=NOW)  # fmt: skip
    old_snap = ReportSnapshot.objects.create(
        workspace=workspace, report_type="Messages", range_start=CUTOFF_24 - DAY * 9,
        range_end=CUTOFF_24 - DAY * 8, state="ready",
    )  # fmt: skip
    old_snap.raw_file.save("old.csv", ContentFile(b'"1","acme","447700900001"\n'))
    new_snap = ReportSnapshot.objects.create(
        workspace=workspace, report_type="Messages", range_start=NOW - DAY, range_end=NOW,
        state="ready",
    )  # fmt: skip
    old_import = ContactImport.objects.create(workspace=workspace, state="done")
    old_import.file.save("old.csv", ContentFile(b"Ann,07700900001\n"))
    ContactImport.objects.filter(pk=old_import.pk).update(created_at=CUTOFF_24 - DAY * 7)
    issue = ImportIssue.objects.create(contact_import=old_import, line=1, result="Failed",
                                       reason="bad", fields=["Ann", "07700900001"])  # fmt: skip
    new_import = ContactImport.objects.create(workspace=workspace, state="done")
    new_import.file.save("new.csv", ContentFile(b"Bob,07700900002\n"))

    counts = privacy.retention_purge(workspace)

    for message in old:
        message.refresh_from_db()
        assert (message.destination, message.body, message.state) == ("", "", "delivered")
        assert Broadcast.objects.get(pk=message.broadcast_id).body == ""
    kept.refresh_from_db()
    in_flight.refresh_from_db()
    assert kept.destination == "+447700900001" and kept.body == "Hi Ann"
    assert Broadcast.objects.get(pk=kept.broadcast_id).body == "Sale on Saturday"
    assert in_flight.destination == "+447700900001"  # still on its way: never scrubbed mid-send
    old_text.refresh_from_db()
    new_text.refresh_from_db()
    assert (old_text.source, old_text.body, old_text.mm_name) == ("", "", "")
    assert new_text.body == "Can I book?"
    assert list(Conversation.objects.all()) == [recent]
    assert list(ReportSnapshot.objects.all()) == [new_snap]
    old_import.refresh_from_db()
    new_import.refresh_from_db()
    issue.refresh_from_db()
    assert old_import.file.name == "" and issue.fields == []
    assert new_import.file.name and new_import.file.read() == b"Bob,07700900002\n"
    assert counts["messages"] == 5 and counts["texts_received"] == 1
    assert counts["report_snapshots"] == 1 and counts["import_files"] == 1
    assert counts["conversations"] == 1
    # Counts stay: the broadcasts still say what they sent.
    assert sum(Broadcast.objects.values_list("sent_count", flat=True)) == 7
    prefs = PrivacySettings.objects.get(workspace=workspace)
    assert prefs.last_purge_at is not None and prefs.last_purge_counts["messages"] == 5
    # A second run finds nothing more to do.
    assert not any(privacy.retention_purge(workspace).values())


def test_the_operators_maximum_caps_the_workspaces_choice(workspace):
    message = _message(workspace, NOW - timedelta(days=200))
    PrivacySettings.objects.create(workspace=workspace, keep_months=24, max_keep_months=6)
    privacy.retention_purge(workspace)
    message.refresh_from_db()
    assert message.destination == ""


def test_the_beat_task_purges_each_workspace(workspace, other_workspace, eager_tasks):
    mine = _message(workspace, CUTOFF_24 - DAY * 30)
    theirs = _message(other_workspace, NOW - timedelta(days=60))
    PrivacySettings.objects.create(workspace=other_workspace, keep_months=1)
    retention_sweep_task()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.destination == "" and theirs.destination == ""
    assert PrivacySettings.objects.filter(last_purge_at__isnull=False).count() == 2


def test_the_settings_show_and_change_retention(workspace, admin, client_for):
    PrivacySettings.objects.create(workspace=workspace, max_keep_months=36)
    client = client_for(admin)
    url = reverse("contacts:privacy", kwargs={"slug": workspace.slug})
    page = client.get(url)
    assert b"Not yet" in page.content and b"36 months" in page.content
    refused = client.post(url, {"action": "retention", "keep_months": "48"})
    assert b"at most 36 months" in refused.content
    assert PrivacySettings.objects.get(workspace=workspace).keep_months == 24
    client.post(url, {"action": "retention", "keep_months": "12"})
    assert PrivacySettings.objects.get(workspace=workspace).keep_months == 12
    event = AuditEvent.objects.get(workspace=workspace, action="retention_changed")
    assert event.detail["months"] == 12
    privacy.retention_purge(workspace)
    assert b"Not yet" not in client.get(url).content
