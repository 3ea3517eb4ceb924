"""Settings → API → webhooks: add an endpoint (its secret shown once), send a test event, see the
log, resend, rotate, switch off and on; admins only; every change audited."""

import pytest

from accounts import webhooks
from accounts.models import AuditEvent, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(
    client_for, workspace, owner, receiver, local_webhooks
):
    client = client_for(owner)
    page = client.post(
        f"/w/{workspace.slug}/settings/api/webhooks/new/",
        {"url": receiver.url, "events": ["message.inbound"]},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get(workspace=workspace)
    assert endpoint.events == ["message.inbound"]
    assert endpoint.secret in page.content.decode()
    detail = client.get(f"/w/{workspace.slug}/settings/api/webhooks/{endpoint.public_id}/")
    assert endpoint.secret not in detail.content.decode()
    assert AuditEvent.objects.filter(action="webhook_created").exists()
    listing = client.get(f"/w/{workspace.slug}/settings/api/").content.decode()
    assert receiver.url in listing


def test_test_event_log_and_resend(
    client_for,
    workspace,
    owner,
    endpoint,
    receiver,
    django_capture_on_commit_callbacks,
    eager_tasks,
):
    client = client_for(owner)
    base = f"/w/{workspace.slug}/settings/api/webhooks/{endpoint.public_id}"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}/test/")
    assert [r.payload["type"] for r in receiver.received] == ["endpoint.test"]
    log = client.get(f"{base}/").content.decode()
    assert "endpoint.test" in log and "200" in log
    assert "A test event from the portal." in log  # the request as sent
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}/deliveries/{delivery.public_id}/resend/")
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    assert AuditEvent.objects.filter(action="webhook_resent").exists()


def test_rotate_shows_the_new_secret_and_keeps_the_old_for_a_day(
    client_for, workspace, owner, endpoint
):
    old = endpoint.secret
    page = client_for(owner).post(
        f"/w/{workspace.slug}/settings/api/webhooks/{endpoint.public_id}/rotate/", follow=True
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret in page.content.decode()
    assert endpoint.signing_secrets() == [endpoint.secret, old]


def test_switch_off_holds_events_and_switch_on_sends_them(
    client_for, workspace, owner, endpoint, receiver
):
    client = client_for(owner)
    toggle = f"/w/{workspace.slug}/settings/api/webhooks/{endpoint.public_id}/toggle/"
    webhooks.webhooks_emit(workspace.pk, "contact.opted_out", [({"n": 1}, "")])
    client.post(toggle)
    webhooks.endpoint_deliver(endpoint.pk)
    assert receiver.received == []
    client.post(toggle)
    webhooks.endpoint_deliver(endpoint.pk)
    assert len(receiver.received) == 1


def test_members_below_admin_cannot_reach_the_pages(client_for, workspace, sender, endpoint):
    client = client_for(sender)
    assert client.get(f"/w/{workspace.slug}/settings/api/webhooks/new/").status_code == 403
    assert (
        client.post(
            f"/w/{workspace.slug}/settings/api/webhooks/{endpoint.public_id}/delete/"
        ).status_code
        == 403
    )
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
