"""Fixtures for the client's tests: a scripted HTTP peer and a fast client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

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
