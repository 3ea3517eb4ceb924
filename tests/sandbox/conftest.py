"""Helpers for the sandbox conformance suite: every call goes over real HTTP with `requests`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.test import Client

from sandbox.models import SandboxAccount

from .standalone import production_env, runsandbox, shared_database_url

HERE = Path(__file__).resolve().parent
# Flushing only these apps' tables between transactional tests keeps the suite fast.
AVAILABLE_APPS = [
    "accounts",  # the user model: the sandbox's pages need a login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "sandbox",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.django_db(transaction=True, available_apps=AVAILABLE_APPS))


@pytest.fixture(autouse=True)
def _fast_clock(settings) -> None:
    settings.ROOT_URLCONF = "tests.sandbox.urls"
    settings.SANDBOX_DELIVERY_SECONDS = 0
    settings.SANDBOX_FORWARD_BACKOFF = 0.01


@pytest.fixture
def staff_client(django_user_model) -> Client:
    """A browser logged in as staff, who sees every sandbox account."""
    client = Client()
    client.force_login(django_user_model.objects.create_user("staff@example.com", is_staff=True))
    return client


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@dataclass
class Gateway:
    """One account's view of the API: `gateway.call("Send", DestinationAddress=...)`."""

    url: str
    account: SandboxAccount
    session: requests.Session

    def post(self, action: str, **params: str) -> requests.Response:
        data = {"Token": self.account.token, "Action": action, **params}
        return self.session.post(self.url, data=data, timeout=10)

    def get(self, action: str, **params: str) -> requests.Response:
        data = {"Token": self.account.token, "Action": action, **params}
        return self.session.get(self.url, params=data, timeout=10)

    def call(self, action: str, **params: str) -> str:
        response = self.post(action, **params)
        assert response.status_code == 200, response.text
        return response.text

    def send(self, destination: str = "447700900100", body: str = "Hello", **params: str) -> str:
        return self.call(
            "Send", DestinationAddress=destination, SourceAddress="Acme", Body=body, **params
        )

    def credits(self) -> str:
        return self.call("CheckCredits")


@pytest.fixture
def gateway(sandbox_api_url, sandbox_account, http) -> Gateway:
    return Gateway(sandbox_api_url, sandbox_account(credits=1000), http)


@pytest.fixture
def admin_gateway(sandbox_api_url, sandbox_account, http) -> Gateway:
    return Gateway(sandbox_api_url, sandbox_account(credits=1000, admin=True), http)


@pytest.fixture(scope="session")
def standalone_api_url(django_db_setup) -> Iterator[str]:
    """`runsandbox` in a subprocess with DEBUG off, serving the test database; its API URL."""
    with runsandbox(production_env(shared_database_url())) as base:
        yield f"{base}/api"


@pytest.fixture
def standalone(standalone_api_url, sandbox_account, http) -> Gateway:
    """An account's view of the API served by the `runsandbox` subprocess."""
    return Gateway(standalone_api_url, sandbox_account(credits=1000), http)
