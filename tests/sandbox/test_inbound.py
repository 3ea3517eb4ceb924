"""Inbound texts to a VMN and their forwarding, with retries recorded per attempt."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from sandbox import inbound, workers
from sandbox.models import DistributionList, ForwardAttempt, InboundMessage, ListEntry


class Endpoint:
    """A customer's forwarding endpoint on loopback: answers the statuses it is given, in turn."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.calls: list[tuple[str, dict[str, str]]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                query = urlsplit(self.path).query
                if self.command == "POST":
                    query = self.rfile.read(int(self.headers["Content-Length"])).decode()
                fields = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
                endpoint.calls.append((self.command, fields))
                self.send_response(endpoint.statuses.pop(0) if endpoint.statuses else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    yield server
    workers.wait_idle(10)
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def vmn_account(sandbox_account, endpoint):
    return sandbox_account(vmn="447700900555", forward_url=endpoint.url, forward_auth="pass")


def test_command_prints_the_new_message_id(vmn_account, endpoint):
    out = StringIO()
    call_command("sandbox_inbound", to="447700900555", sender="447700900100", text="Hi", stdout=out)
    assert InboundMessage.objects.get(pk=int(out.getvalue())).body == "Hi"


def test_command_makes_the_first_attempt_before_it_exits(vmn_account, endpoint):
    call_command(
        "sandbox_inbound", to="447700900555", sender="447700900100", text="Hi", stdout=StringIO()
    )
    assert ForwardAttempt.objects.count() == 1
    assert len(endpoint.calls) == 1


def test_forwarding_posts_the_documented_parameters(vmn_account, endpoint):
    message = inbound.receive(to="447700900555", sender="447700900100", text="Yes please")
    workers.wait_idle(10)
    method, fields = endpoint.calls[0]
    assert method == "POST"
    assert fields == {
        "source": "447700900100",
        "dest": "447700900555",
        "msg": "Yes please",
        "id": str(message.pk),
        "receivedts": fields["receivedts"],
        "auth": "pass",
    }
    assert len(fields["receivedts"]) == len("2026-01-01 12:00:00")


def test_forwarding_with_get_sends_query_parameters(sandbox_account, endpoint):
    sandbox_account(vmn="447700900556", forward_url=endpoint.url, forward_method="GET")
    inbound.receive(to="447700900556", sender="447700900100", text="Hi")
    workers.wait_idle(10)
    assert endpoint.calls[0][0] == "GET"
    assert endpoint.calls[0][1]["msg"] == "Hi"


def test_sender_on_the_linked_list_adds_mail_merge_fields(vmn_account, endpoint):
    dist_list = DistributionList.objects.create(account=vmn_account, name="Customers")
    ListEntry.objects.create(
        dist_list=dist_list, number="447700900100", name="Ann", email="a@x.test", mm1="Gold"
    )
    vmn_account.vmns.update(linked_list=dist_list)
    inbound.receive(to="447700900555", sender="447700900100", text="Hi")
    workers.wait_idle(10)
    fields = endpoint.calls[0][1]
    assert (fields["MMName"], fields["MMEmail"], fields["MM1"], fields["MM5"]) == (
        "Ann",
        "a@x.test",
        "Gold",
        "",
    )


def test_failing_endpoint_is_retried_until_it_answers(vmn_account, endpoint):
    endpoint.statuses = [500, 503]
    message = inbound.receive(to="447700900555", sender="447700900100", text="Hi")
    workers.wait_idle(10)
    attempts = list(message.attempts.values_list("http_status", "ok"))
    assert attempts == [(500, False), (503, False), (200, True)]
    message.refresh_from_db()
    assert message.forward_state == "delivered"


def test_forwarding_gives_up_after_the_last_attempt(vmn_account, endpoint, settings):
    settings.SANDBOX_FORWARD_ATTEMPTS = 2
    endpoint.statuses = [500, 500, 500]
    message = inbound.receive(to="447700900555", sender="447700900100", text="Hi")
    workers.wait_idle(10)
    message.refresh_from_db()
    assert (message.forward_state, message.attempts.count()) == ("failed", 2)


def test_unreachable_endpoint_records_the_error(sandbox_account):
    sandbox_account(vmn="447700900557", forward_url="http://127.0.0.1:9/nothing")
    message = inbound.receive(to="447700900557", sender="447700900100", text="Hi")
    workers.wait_idle(10)
    assert "ConnectionError" in message.attempts.first().error


def test_backoff_doubles_from_its_base(settings):
    settings.SANDBOX_FORWARD_BACKOFF = 2.0
    assert [inbound.backoff(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]


def test_unknown_vmn_is_refused(transactional_db):
    with pytest.raises(inbound.InboundError):
        inbound.receive(to="447700900999", sender="447700900100", text="Hi")
