"""The operator admin has every messaging model, and each page loads with data."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import (
    ApprovalPolicy,
    Broadcast,
    DispatchRun,
    GatewayCallCount,
    Message,
    MessageTemplate,
    QuietHours,
    SenderID,
    Series,
)

pytestmark = pytest.mark.django_db
MODELS = [Broadcast, Message, MessageTemplate, SenderID, GatewayCallCount, DispatchRun, Series,
          QuietHours, ApprovalPolicy]  # fmt: skip


@pytest.fixture
def data(workspace):  # noqa: ANN001, ANN201
    now = timezone.now()
    broadcast = Broadcast.objects.create(
        workspace=workspace, body="Hi", source="Acme", idempotency_key=uuid.uuid4()
    )
    Message.objects.create(workspace=workspace, broadcast=broadcast, destination="+447700900123")
    MessageTemplate.objects.create(workspace=workspace, name="T", body="Hi")
    SenderID.objects.create(workspace=workspace, value="Acme")
    GatewayCallCount.objects.create(workspace=workspace, day=now.date())
    DispatchRun.objects.create(workspace=workspace, broadcast=broadcast, started_at=now,
                               alive_until=now)  # fmt: skip
    Series.objects.create(workspace=workspace, body="Hi", source="Acme", rule="RRULE:FREQ=DAILY",
                          starts=now, time_zone="Europe/London")  # fmt: skip
    QuietHours.objects.create(workspace=workspace, enabled=True, quiet_days=[6])
    ApprovalPolicy.objects.create(workspace=workspace, enabled=True, recipients_over=100)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_messaging_admin_page_loads(admin_client, data, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model.objects.first()
    change = admin_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )
    assert change.status_code == 200
