"""Fixtures for the client's tests: a scripted HTTP peer and a fast client pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from textconnect import Client, RetryPolicy

from .scripted_server import ScriptedServer, running

TOKEN = "tok-5f2b9c1e7d3a4e8f"
FAST_RETRY = RetryPolicy(attempts=3, backoff_base=0.01, backoff_max=0.02)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with running() as state:
        yield state


@pytest.fixture
def client(server: ScriptedServer) -> Iterator[Client]:
    with Client(TOKEN, server.url, timeout=0.5, retry=FAST_RETRY) as tc:
        yield tc


@dataclass
class Live:
    """A client for one sandbox account over the live server, and that account."""

    client: Client
    account: Any
    url: str

    def reload(self) -> Any:
        self.account.refresh_from_db()
        return self.account


@pytest.fixture
def live_factory(sandbox_api_url, sandbox_account, settings) -> Iterator[Callable[..., Live]]:
    """Make clients for fresh sandbox accounts: `live_factory(credits=5, admin=True)`."""
    settings.SANDBOX_DELIVERY_SECONDS = 0
    clients: list[Client] = []

    def make(*, timeout: float = 10, retry: RetryPolicy = FAST_RETRY, **account: Any) -> Live:
        created = sandbox_account(**account)
        tc = Client(created.token, sandbox_api_url, timeout=timeout, retry=retry)
        clients.append(tc)
        return Live(tc, created, sandbox_api_url)

    yield make
    for tc in clients:
        tc.close()


@pytest.fixture
def live(live_factory) -> Live:
    return live_factory()
