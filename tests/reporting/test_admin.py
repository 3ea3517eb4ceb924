"""Operator admin: every reporting model is listed; snapshots and rows are read-only."""

import pytest
from django.urls import reverse

from reporting.models import BalancePoint, ReportRow, ReportSnapshot, ScheduledReport

from .conftest import messages_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(make_snapshot, workspace, admin):  # noqa: ANN001, ANN201
    from django.utils import timezone

    make_snapshot(messages_csv(2))
    BalancePoint.objects.create(workspace=workspace, balance=5, checked_at=timezone.now())
    schedule = ScheduledReport.objects.create(
        workspace=workspace, report_type="Usage", frequency="daily", next_run_at=timezone.now()
    )
    schedule.recipients.set([admin])


@pytest.mark.parametrize("model", [ReportSnapshot, ReportRow, BalancePoint, ScheduledReport])
def test_every_reporting_admin_page_loads(admin_client, data, model):
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    assert admin_client.get(reverse(f"{name}_changelist")).status_code == 200
    obj = model.objects.first()
    assert admin_client.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200


def test_snapshots_cannot_be_changed_or_deleted_in_the_admin(admin_client, data):
    snapshot = ReportSnapshot.objects.get()
    change = reverse("admin:reporting_reportsnapshot_change", args=[snapshot.pk])
    delete = reverse("admin:reporting_reportsnapshot_delete", args=[snapshot.pk])
    assert admin_client.post(change, {"state": "failed"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ReportSnapshot.objects.get().state == "ready"
