"""A local webhook receiver over real HTTP: it records what it got and answers as told."""

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.models import WebhookEndpoint, Workspace


@dataclass
class Received:
    headers: dict[str, str]
    body: str

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    # Called with the number of the request (0, 1, …) and its payload; returns the status.
    answer: Callable[[int, dict], int] = lambda n, payload: 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    def by_type(self, event: str) -> list[Received]:
        return [r for r in self.received if r.payload["type"] == event]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            with box.lock:
                number = len(box.received)
                box.received.append(Received(dict(self.headers.items()), body))
            status = box.answer(number, json.loads(body))
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"not now")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.url = f"http://127.0.0.1:{server.server_port}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()


@pytest.fixture
def local_webhooks(settings) -> None:  # noqa: ANN001
    """Deliveries may go to the local receiver (plain http on 127.0.0.1), as in development."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def endpoint(workspace: Workspace, receiver: Receiver, local_webhooks) -> WebhookEndpoint:  # noqa: ANN001
    from accounts.models import WebhookEvent

    return WebhookEndpoint.objects.create(
        workspace=workspace, url=receiver.url, events=[e.value for e in WebhookEvent]
    )
