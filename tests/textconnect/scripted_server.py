"""A real HTTP peer on 127.0.0.1 that answers a script, for transport tests without the sandbox."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Step:
    """One scripted answer: an HTTP status and body, after `delay` seconds, or a dropped line."""

    body: str = "1"
    status: int = 200
    delay: float = 0
    drop: bool = False
    content_type: str = "text/plain; charset=utf-8"
    encoding: str = "utf-8"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]


@dataclass
class ScriptedServer:
    """Answers requests with `script` in order, then `default` for ever after."""

    script: list[Step] = field(default_factory=list)
    default: Step = field(default_factory=Step)
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def answer(self, *steps: Step | str) -> None:
        self.script.extend(Step(step) if isinstance(step, str) else step for step in steps)

    def next_step(self) -> Step:
        return self.script.pop(0) if self.script else self.default

    def actions(self) -> list[str]:
        return [request.params.get("Action", "") for request in self.received]


def _handler(server_state: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            query = self.path.partition("?")[2]
            params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
            params.update({k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()})
            server_state.received.append(
                Received(self.command, self.path, dict(self.headers.items()), params)
            )
            step = server_state.next_step()
            if step.delay:
                time.sleep(step.delay)
            if step.drop:
                self.close_connection = True
                return
            payload = step.body.encode(step.encoding)
            self.send_response(step.status)
            self.send_header("Content-Type", step.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _handle
        do_POST = _handle

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out and hung up is part of the script


class running:
    """Context manager: a ScriptedServer listening on a free port until the block ends."""

    def __init__(self) -> None:
        self.state = ScriptedServer()
        self.httpd = _QuietServer(("127.0.0.1", 0), _handler(self.state))
        self.state.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self.state

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
