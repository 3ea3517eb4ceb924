"""Webhooks never go to loopback, private or link-local addresses (server-side request forgery):
checked when the URL is saved and, after resolving the name, before every attempt."""

import pytest
from django.core.exceptions import ValidationError

from accounts import webhooks
from accounts.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_rules(settings) -> None:  # noqa: ANN001
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/hook",  # a name that resolves to loopback
        "https://[::1]/hook",
        "https://192.168.1.10/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_private_addresses_are_refused(url):
    with pytest.raises(ValidationError, match="private, loopback or link-local"):
        webhooks.check_url(url)


def test_plain_http_is_refused_in_production():
    with pytest.raises(ValidationError, match="https"):
        webhooks.check_url("http://example.com/hook")


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(ValidationError, match="does not resolve"):
        webhooks.check_url("https://no-such-host.invalid/hook")


def test_the_form_refuses_a_private_url(client_for, workspace, owner):
    page = client_for(owner).post(
        f"/w/{workspace.slug}/settings/api/webhooks/new/",
        {"url": "https://169.254.169.254/", "events": ["message.inbound"]},
    )
    assert page.status_code == 200 and "private, loopback or link-local" in page.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_each_attempt_checks_again_after_resolving(workspace, receiver, settings):
    """An endpoint saved while its name was public that now points at loopback is not called."""
    settings.WEBHOOKS_ALLOW_HTTP = True  # only the address stands in the way
    endpoint = WebhookEndpoint.objects.create(workspace=workspace, url=receiver.url,
                                              events=["contact.opted_out"])  # fmt: skip
    webhooks.webhooks_emit(workspace.pk, "contact.opted_out", [({"n": 1}, "")])
    webhooks.endpoint_deliver(endpoint.pk)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert "private, loopback or link-local" in delivery.log[0]["error"]
