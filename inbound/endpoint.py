"""`/inbound/<key>/`: the portal's one public endpoint, called by the gateway for each text.

A machine endpoint: no session, no CSRF, plain-text answers. It stores the text and answers 200
within milliseconds; everything else runs in the worker.

| answer | when |
| --- | --- |
| 200 `OK` | stored now, or stored before with the same id and text |
| 400 | a parameter is missing or malformed |
| 403 | `auth` missing or wrong (counted; the audit log gets one event per key per minute) |
| 404 | unknown key |
| 405 | a method other than GET or POST |
| 409 | an id stored before with another text (the first one is kept) |
| 413 | the request or `msg` is too large |
| 429 | too many requests for this key this minute |
"""

import logging
import time

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.audit import audit_record

from .models import VirtualNumber
from .services.receive import (
    MinuteCounter,
    Refused,
    check_auth,
    count_hit,
    decode_form,
    inbound_store,
    message_fields,
)

log = logging.getLogger(__name__)


# Each server process keeps the VMNs it served for a moment: most requests then need one insert
# and no select. A refused auth value is checked again against the database (at most once a
# second per key, so a burst of wrong values cannot turn into a burst of queries): a rotation is
# seen within a second. A removed VMN keeps working for at most VMN_CACHE_SECONDS.
VMN_CACHE_SECONDS = 2.0
RECHECK_SECONDS = 1.0
_vmns: dict[str, tuple[float, VirtualNumber]] = {}


def vmn_for_key(key: str, *, recheck: bool = False) -> VirtualNumber | None:
    """The VMN of a forwarding key; `recheck` reads it again unless read within the second."""
    now = time.monotonic()
    hit = _vmns.get(key)
    if hit is not None and hit[0] > now:
        loaded_at = hit[0] - VMN_CACHE_SECONDS
        if not recheck or now - loaded_at < RECHECK_SECONDS:
            return hit[1]
    vmn = VirtualNumber.objects.select_related("workspace").filter(key=key).first()
    if vmn is None:
        _vmns.pop(key, None)
        return None
    if len(_vmns) >= 10_000:
        _vmns.clear()
    _vmns[key] = (now + VMN_CACHE_SECONDS, vmn)
    return vmn


def _answer(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    # Refusals are counted and audited here; django.request would log each one of a burst.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _params(request: HttpRequest) -> tuple[dict[str, str], str]:
    query = request.META.get("QUERY_STRING", "")
    params, charset = decode_form(query) if query else ({}, "utf-8")
    if request.method == "POST":
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("multipart/form-data"):
            body = {k: v.replace("\x00", "") for k, v in request.POST.items()}
        else:
            body, charset = decode_form(request.body)
        params.update(body)  # the body wins over the query string, as the gateway's own API does
    return params, charset


def _bad_auth(request: HttpRequest, vmn: VirtualNumber) -> HttpResponse:
    try:
        count = count_hit("badauth", vmn.key)
    except Exception:  # the cache is down: refuse without counting (and without auditing each)
        log.warning("inbound: wrong-auth count unavailable (cache down?)", exc_info=True)
        return _answer(403, "forbidden")
    if count == 1:  # the first of the minute is recorded; the sweep summarises the rest
        audit_record(
            "inbound_auth_failed",
            request=request,
            workspace=vmn.workspace,
            obj=vmn,
            note="Further failures this minute are counted and summarised.",
        )
    if count > settings.INBOUND_BAD_AUTH_PER_MINUTE:
        return _answer(429, "too many requests")
    return _answer(403, "forbidden")


# Valid requests are counted in batches (one cache round trip per 50 texts, or on the first text a
# second after the last); wrong `auth` values are counted one by one, so the first of each minute
# is audited.
valid_requests = MinuteCounter("rate", batch=50)


def _rate(key: str) -> int:
    """This minute's count for the key; with the cache down, texts are taken (fail open)."""
    try:
        return valid_requests.hit(key)
    except Exception:
        log.warning("inbound: rate count unavailable (cache down?)", exc_info=True)
        return 0


@csrf_exempt
def receive(request: HttpRequest, key: str) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return _answer(405, "method not allowed")
    limit = settings.INBOUND_MAX_REQUEST_BYTES
    length = request.META.get("CONTENT_LENGTH") or "0"
    query = request.META.get("QUERY_STRING", "")
    if not length.isdigit() or int(length) > limit or len(query) > limit:
        return _answer(413, "request too large")
    vmn = vmn_for_key(key)
    if vmn is None:
        return _answer(404, "unknown key")
    params, charset = _params(request)
    if not check_auth(vmn, params.get("auth", "")):
        vmn = vmn_for_key(key, recheck=True)  # rotated a moment ago? read it again
        if vmn is None:
            return _answer(404, "unknown key")
        if not check_auth(vmn, params.get("auth", "")):
            return _bad_auth(request, vmn)
    if _rate(vmn.key) > settings.INBOUND_RATE_PER_MINUTE:
        return _answer(429, "too many requests")
    try:
        fields = message_fields(vmn, params)
        if charset != "utf-8":
            fields["raw"]["_charset"] = charset  # type: ignore[index]
        stored = inbound_store(workspace_id=vmn.workspace_id, vmn=vmn, fields=fields)
    except Refused as refused:
        log.info("inbound %s refused: %s %s", vmn.pk, refused.status, refused.reason)
        return _answer(refused.status, refused.reason)
    except DatabaseError:
        log.exception("inbound %s: could not store", vmn.pk)
        return _answer(503, "try again")
    return _answer(200, "OK" if stored.created else "OK duplicate")
