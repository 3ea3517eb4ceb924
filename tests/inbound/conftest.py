"""Fixtures of the inbound tests: a VMN, eager tasks, a gateway on the sandbox, forwarding."""

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import GatewayConnection, Workspace
from inbound import endpoint
from inbound.models import VirtualNumber
from inbound.services.receive import signal_forget

LONDON = ZoneInfo("Europe/London")
VMN = "+447700900500"
SENDER = "+447700900123"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit and wrong-auth counters live in the cache and in the process; each test starts
    from zero."""
    _forget()
    yield
    _forget()


def _forget() -> None:
    cache.clear()
    endpoint._vmns.clear()
    endpoint.valid_requests.forget()
    signal_forget()


@pytest.fixture
def vmn(workspace: Workspace) -> VirtualNumber:
    return VirtualNumber.objects.create(workspace=workspace, number=VMN, label="Main")


@pytest.fixture
def gateway(sandbox_account, sandbox_api_url, workspace, vmn, settings):  # noqa: ANN001, ANN201
    """The workspace connected to a sandbox account whose VMN forwards to the live endpoint."""
    settings.SANDBOX_DELIVERY_SECONDS = 0
    live = sandbox_api_url.removesuffix("/sandbox/api")
    account = sandbox_account(
        username="acme",
        credits=100_000,
        vmn=VMN.lstrip("+"),
        forward_url=live + endpoint_url(vmn),
        forward_method=vmn.method,
        forward_auth=vmn.auth,
    )
    GatewayConnection.objects.create(
        workspace=workspace, token=account.token, api_url=sandbox_api_url
    )
    return account


def endpoint_url(vmn: VirtualNumber) -> str:
    return reverse("inbound_endpoint:receive", kwargs={"key": vmn.key})


def params(vmn: VirtualNumber, **overrides: str) -> dict[str, str]:
    """The parameters the gateway forwards, valid unless overridden (None removes one)."""
    data = {
        "source": SENDER.lstrip("+"),
        "dest": vmn.number.lstrip("+"),
        "msg": "Hello there",
        "id": "1001",
        "receivedts": datetime.now(LONDON).strftime("%Y-%m-%d %H:%M:%S"),
        "auth": vmn.auth,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def forward(vmn: VirtualNumber) -> Callable[..., object]:
    """POST (or GET) the gateway's parameters to the endpoint with Django's test client."""
    client = Client(enforce_csrf_checks=True)

    def send(method: str = "post", target: VirtualNumber | None = None, **overrides: str):  # noqa: ANN202
        target = target or vmn
        return getattr(client, method)(endpoint_url(target), params(target, **overrides))

    return send


@pytest.fixture
def receive(forward, eager_tasks, django_capture_on_commit_callbacks):  # noqa: ANN001, ANN201
    """A text arrives and is processed at once (tasks inline): `receive("STOP", id="7")`."""
    counter = iter(range(1, 10_000))

    def text(body: str, **overrides: str):  # noqa: ANN202
        overrides.setdefault("id", f"t{next(counter)}")
        overrides.setdefault("receivedts", datetime.now(LONDON).strftime("%Y-%m-%d %H:%M:%S"))
        with django_capture_on_commit_callbacks(execute=True):
            response = forward(msg=body, **overrides)
        assert response.status_code == 200, response.content
        return response

    return text
