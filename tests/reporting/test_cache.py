"""The caching rules: final ranges are fetched once, ranges touching today after the TTL or on
refresh, the Outbox always; concurrent requests for one snapshot make one gateway call."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import GatewayConnection
from reporting.models import ReportSnapshot
from reporting.ranges import ReportRange, today_in
from reporting.services import snapshots
from reporting.services.snapshots import snapshot_request

from .conftest import messages_csv


@pytest.fixture
def calls(workspace, monkeypatch) -> list:  # noqa: ANN001
    """Count gateway calls: the Report call answers a small Messages report."""
    GatewayConnection.objects.create(workspace=workspace, token="t" * 20)
    made: list = []

    def fake_body(client, report_type, start, end):  # noqa: ANN001, ANN202
        made.append((report_type, start, end))
        return messages_csv(2)

    monkeypatch.setattr(snapshots, "report_body", fake_body)
    return made


def today_range(workspace) -> ReportRange:  # noqa: ANN001
    today = today_in(workspace.time_zone, timezone.now())
    return ReportRange(today, today, workspace.time_zone)


FINAL = ReportRange(date(2026, 1, 5), date(2026, 1, 11), "Europe/London")


def ask(workspace, rng, **kwargs) -> ReportSnapshot:  # noqa: ANN001, ANN003
    return snapshot_request(workspace=workspace, report_type="Messages", rng=rng, **kwargs)


@pytest.mark.django_db
class TestRules:
    @pytest.fixture(autouse=True)
    def _eager(self, eager_tasks, django_capture_on_commit_callbacks):  # noqa: ANN001
        self.commit = django_capture_on_commit_callbacks

    def request(self, *args, **kwargs) -> ReportSnapshot:  # noqa: ANN002, ANN003
        with self.commit(execute=True):
            snapshot = ask(*args, **kwargs)
        snapshot.refresh_from_db()
        return snapshot

    def test_a_final_range_is_fetched_once_for_good(self, workspace, calls):
        first = self.request(workspace, FINAL)
        assert first.state == "ready" and first.is_final
        later = timezone.now() + timedelta(days=90)
        self.request(workspace, FINAL, now=later)
        self.request(workspace, FINAL, refresh=True, now=later)
        assert len(calls) == 1

    def test_today_is_served_from_cache_within_the_ttl(self, workspace, calls, settings):
        settings.REPORTING_TTL_SECONDS = 300
        self.request(workspace, today_range(workspace))
        snapshot = self.request(workspace, today_range(workspace))
        assert len(calls) == 1 and not snapshot.is_final

    def test_today_is_fetched_again_after_the_ttl(self, workspace, calls, settings):
        settings.REPORTING_TTL_SECONDS = 300
        self.request(workspace, today_range(workspace))
        self.request(workspace, today_range(workspace), now=timezone.now() + timedelta(seconds=301))
        assert len(calls) == 2

    def test_refresh_fetches_a_range_touching_today(self, workspace, calls):
        self.request(workspace, today_range(workspace))
        self.request(workspace, today_range(workspace), refresh=True)
        assert len(calls) == 2

    def test_the_outbox_is_always_fetched(self, workspace, calls):
        for _ in range(2):
            with self.commit(execute=True):
                snapshot_request(workspace=workspace, report_type="Outbox", rng=FINAL)
        assert len(calls) == 2

    def test_a_failed_snapshot_is_fetched_again_when_asked(self, workspace, calls, monkeypatch):
        import textconnect

        def failing(*args):  # noqa: ANN002, ANN202
            calls.append(args)
            raise textconnect.error_for_code(-300, "General Database Error")

        monkeypatch.setattr(snapshots, "report_body", failing)
        assert self.request(workspace, FINAL).state == "failed"
        monkeypatch.undo()
        monkeypatch.setattr(snapshots, "report_body", lambda *a: messages_csv(1))
        assert self.request(workspace, FINAL).state == "ready"

    def test_a_fetch_under_way_is_not_doubled(self, workspace, calls):
        with self.commit(execute=False):
            ask(workspace, FINAL)
            second = ask(workspace, FINAL)
        assert second.state == "queued" and len(calls) == 0

    def test_a_stale_fetch_is_taken_over(self, workspace, calls, settings):
        with self.commit(execute=False):
            ask(workspace, FINAL)
        later = timezone.now() + timedelta(seconds=settings.REPORTING_STALE_SECONDS + 1)
        assert self.request(workspace, FINAL, now=later).state == "ready"


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_snapshot_make_one_gateway_call(workspace, calls, eager_tasks):
    barrier = threading.Barrier(8)
    errors: list = []

    def request() -> None:
        try:
            barrier.wait()
            ask(workspace, FINAL)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(calls) == 1
    assert ReportSnapshot.objects.get().state == "ready"


@pytest.mark.django_db
def test_prune_deletes_unseen_snapshots_with_their_files(make_snapshot, settings):
    from reporting.services.snapshots import snapshots_prune

    snapshot = make_snapshot(messages_csv(2))
    path = snapshot.raw_file.path
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(
        last_viewed_at=timezone.now() - timedelta(days=settings.REPORTING_PRUNE_DAYS + 1)
    )
    assert snapshots_prune() == 1
    assert not ReportSnapshot.objects.exists()
    import os

    assert not os.path.exists(path)


@pytest.mark.django_db
def test_a_report_people_open_is_not_pruned(make_snapshot, settings, client_for, viewer, workspace):
    from reporting.services.snapshots import snapshots_prune

    snapshot = make_snapshot(messages_csv(2))  # a final range: opening it fetches nothing
    long_ago = timezone.now() - timedelta(days=settings.REPORTING_PRUNE_DAYS + 1)
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(last_viewed_at=long_ago)
    page = client_for(viewer).get(f"/w/{workspace.slug}/reports/{snapshot.public_id}/")
    assert page.status_code == 200
    assert snapshots_prune() == 0
    assert ReportSnapshot.objects.filter(pk=snapshot.pk).exists()
