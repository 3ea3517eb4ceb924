"""Fault injection per account: latency, HTTP 500s, dropped connections, maintenance, -300s."""

from __future__ import annotations

import contextlib
import random
import socket
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.http import HttpRequest

from .models import Faults, SandboxAccount

_random = random.SystemRandom()


RATES = ("http_500_rate", "drop_before_rate", "drop_after_rate", "db_error_rate")
COUNTS = ("latency_before", "latency_after", "calls_remaining")


def fault_problems(values: dict[str, Any]) -> dict[str, str]:
    """What is wrong with these settings (Faults' field names), by field; empty when none."""
    problems = {}
    for name in RATES:
        if not 0 <= (values.get(name) or 0) <= 1:
            problems[name] = "A share between 0 and 1."
    for name in COUNTS:
        if (values.get(name) or 0) < 0:
            problems[name] = "Not negative."
    return problems


def set_faults(
    account: SandboxAccount,
    *,
    latency_before: float = 0,
    latency_after: float = 0,
    http_500_rate: float = 0,
    drop_before_rate: float = 0,
    drop_after_rate: float = 0,
    maintenance: bool = False,
    db_error_rate: float = 0,
    calls: int | None = None,
) -> Faults:
    """Replace the account's faults. With `calls`, they apply to its next N API calls only.
    Raises ValueError naming the first setting out of range (see `fault_problems`)."""
    values = {
        "latency_before": latency_before,
        "latency_after": latency_after,
        "http_500_rate": http_500_rate,
        "drop_before_rate": drop_before_rate,
        "drop_after_rate": drop_after_rate,
        "maintenance": maintenance,
        "db_error_rate": db_error_rate,
        "calls_remaining": calls,
    }
    if problems := fault_problems(values):
        name, problem = next(iter(problems.items()))
        raise ValueError(f"{name}: {problem}")
    faults, _ = Faults.objects.update_or_create(account=account, defaults=values)
    return faults


def clear_faults(account: SandboxAccount) -> Faults:
    return set_faults(account)


@dataclass(frozen=True)
class Plan:
    """What this one call suffers, drawn once when the call arrives."""

    latency_before: float = 0
    latency_after: float = 0
    http_500: bool = False
    drop_before: bool = False
    drop_after: bool = False
    maintenance: bool = False
    db_error: bool = False


NO_FAULTS = Plan()


def plan_for(account: SandboxAccount) -> Plan:
    """Draw this call's faults and count the call against `calls`, if the faults are limited."""
    try:
        faults = account.faults  # loaded with the account by `authenticate`
    except Faults.DoesNotExist:
        return NO_FAULTS
    if not faults.active:
        return NO_FAULTS
    if faults.calls_remaining is not None:
        taken = Faults.objects.filter(pk=faults.pk, calls_remaining__gt=0).update(
            calls_remaining=F("calls_remaining") - 1
        )
        if not taken:
            return NO_FAULTS

    def roll(rate: float) -> bool:
        return rate >= 1 or (rate > 0 and _random.random() < rate)

    return Plan(
        latency_before=faults.latency_before,
        latency_after=faults.latency_after,
        http_500=roll(faults.http_500_rate),
        drop_before=roll(faults.drop_before_rate),
        drop_after=roll(faults.drop_after_rate),
        maintenance=faults.maintenance,
        db_error=roll(faults.db_error_rate),
    )


def _find_socket(obj: Any, depth: int = 0) -> socket.socket | None:
    if isinstance(obj, socket.socket):
        return obj
    if obj is None or depth > 6:
        return None
    for attr in ("stream", "raw", "_sock", "sock", "_stream", "rfile"):
        found = _find_socket(getattr(obj, attr, None), depth + 1)
        if found is not None:
            return found
    # Django's LimitedStream keeps only the bound `read` of the stream it wraps.
    return _find_socket(getattr(getattr(obj, "_read", None), "__self__", None), depth + 1)


def client_socket(request: HttpRequest) -> socket.socket | None:
    """The client's TCP socket: gunicorn names it; Django's servers hide it in wsgi.input."""
    environ = request.META
    return _find_socket(environ.get("gunicorn.socket")) or _find_socket(environ.get("wsgi.input"))


def drop_connection(request: HttpRequest) -> bool:
    """Close the client's connection without an answer; False if no socket was found."""
    sock = client_socket(request)
    if sock is None:
        return False
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    return True
