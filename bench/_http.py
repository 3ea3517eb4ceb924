"""Driving a local HTTP server from another process: one new connection per request (gunicorn's
sync workers close each), a few threads, latencies and status codes collected."""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time
from collections.abc import Callable

# Builds the raw request of a thread's `sequence`-th call: (thread number, sequence) -> bytes.
Payload = Callable[[int, int], bytes]


def one(port: int, payload: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(payload)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return int(b"".join(chunks).split(b"\r\n", 1)[0].split()[1])


def _drive(port: int, payload: Payload, seconds: float, threads: int, queue) -> None:  # noqa: ANN001
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(number: int) -> None:
        mine: list[float] = []
        codes: dict[int, int] = {}
        sequence = 0
        while time.perf_counter() < deadline:
            sequence += 1
            request = payload(number, sequence)
            started = time.perf_counter()
            status = one(port, request)
            mine.append(time.perf_counter() - started)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put((latencies, statuses))


def drive(port: int, payload: Payload, seconds: float, threads: int) -> tuple[list[float], dict]:
    """(latencies, statuses) of `seconds` of requests, from a second process (`payload` must be a
    module-level function, so that it can be sent there)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_drive, args=(port, payload, seconds, threads, queue))
    process.start()
    found = queue.get(timeout=seconds + 120)
    process.join()
    return found


def turns(
    port: int, payloads: dict[str, Payload], seconds: float, rounds: int, threads: int
) -> tuple[dict[str, list[float]], dict[str, dict[int, int]]]:
    """Each path for `seconds` in all, in `rounds` rounds that take the paths in turn, so that all
    see the same drift in the machine's speed."""
    latencies: dict[str, list[float]] = {name: [] for name in payloads}
    statuses: dict[str, dict[int, int]] = {name: {} for name in payloads}
    for _ in range(rounds):
        for name, payload in payloads.items():
            found, codes = drive(port, payload, seconds / rounds, threads)
            latencies[name].extend(found)
            for code, count in codes.items():
                statuses[name][code] = statuses[name].get(code, 0) + count
    return latencies, statuses
