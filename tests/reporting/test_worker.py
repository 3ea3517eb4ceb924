"""Through a real Celery worker: a report requested on the page is fetched once and shown."""

import pytest
from django.urls import reverse

from reporting.models import ReportRow, ReportSnapshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_requested_report_is_fetched_by_the_worker_while_the_page_polls(
    client_for, viewer, workspace, send, start_worker, wait_for, tmp_path
):
    start_worker(MEDIA_ROOT=str(tmp_path / "media"))
    send(["+447700900123", "+447700900124"])
    client = client_for(viewer)
    reports = reverse("reporting:reports", kwargs={"slug": workspace.slug})
    form = {"report_type": "Messages", "preset": "today"}
    page_url = client.post(reports, form).url
    client.post(reports, form)  # a second request while the first is under way
    polled = client.get(page_url, headers={"HX-Request": "true", "HX-Target": "report-live"})
    assert b"<html" not in polled.content  # the progress part, or a reload once it is done
    assert b'id="report-live"' in polled.content or polled.headers["HX-Refresh"] == "true"
    snapshot = ReportSnapshot.objects.get()
    wait_for(lambda: ReportSnapshot.objects.filter(pk=snapshot.pk, state="ready").exists())
    snapshot.refresh_from_db()
    assert snapshot.fetch_count == 1 and snapshot.row_count == 2
    assert ReportRow.objects.filter(snapshot=snapshot).count() == 2
    assert b"447700900124" in client.get(page_url).content
