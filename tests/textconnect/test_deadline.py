"""Every gateway call has a total deadline: a server that trickles its answer cannot hold it."""

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from textconnect import NO_RETRY, Client, TransportError


class Trickler:
    """Accepts one connection and sends an HTTP answer one byte every `every` seconds."""

    ANSWER = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 40\r\n\r\n" + b"1" * 40
    )

    def __init__(self, every: float) -> None:
        self.every = every
        self.sent = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/api"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        with conn:
            conn.recv(65536)
            for byte in self.ANSWER:
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return  # the client gave up
                self.sent += 1
                time.sleep(self.every)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def trickler() -> Iterator[Trickler]:
    server = Trickler(every=0.2)  # the whole answer would take about 22 s
    yield server
    server.close()


def test_a_trickling_server_cannot_hold_a_call_past_its_deadline(trickler):
    client = Client("secret-token", trickler.url, timeout=1, deadline=1.5, retry=NO_RETRY)
    with pytest.raises(TransportError) as caught:
        client.check_credits()  # every byte comes within the 1 s read timeout
    assert "no complete answer within 1.5 s" in caught.value.text
    assert caught.value.may_have_reached
    assert trickler.sent < len(Trickler.ANSWER)  # cut off mid-answer, not left to finish


def test_the_deadline_defaults_to_the_timeouts_added_up():
    assert Client("t", timeout=15).deadline == 15
    assert Client("t", timeout=(3, 12)).deadline == 15
    with pytest.raises(ValueError, match="deadline"):
        Client("t", deadline=0)
