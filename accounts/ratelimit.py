"""Limits on the mail anonymous visitors can make the portal send (sign-up and password-reset
links): per recipient address, so no one floods a mailbox, and per client IP address, so no one
sweeps the forms to find out which addresses have accounts.

Counters are fixed one-hour windows in the cache (Redis in production), shared by every process.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .audit import audit_record, client_ip

WINDOW_SECONDS = 3600


def _count(key: str) -> int:
    """Add one to the window's counter and return it (the window starts with the first hit)."""
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def _allowed(request: HttpRequest, key: str, limit: int, **detail: str) -> bool:
    count = _count(key)
    if count == limit + 1:  # the first refusal of a window is audited, not every one
        audit_record("mail_rate_limited", request=request, limit=limit, **detail)
    return count <= limit


def ip_allowed(request: HttpRequest, *, kind: str) -> bool:
    """Count one request from the client's IP address; False once over ACCOUNT_MAIL_PER_IP."""
    ip = client_ip(request) or "unknown"
    return _allowed(
        request, f"mail-limit:ip:{ip}", settings.ACCOUNT_MAIL_PER_IP, kind=kind, scope="ip"
    )


def address_allowed(request: HttpRequest, email: str, *, kind: str) -> bool:
    """Count one mail to `email`; False once over ACCOUNT_MAIL_PER_ADDRESS."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return _allowed(
        request,
        f"mail-limit:to:{digest}",
        settings.ACCOUNT_MAIL_PER_ADDRESS,
        kind=kind,
        scope="address",
        email=email.strip().lower(),
    )
