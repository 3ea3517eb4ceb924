"""The forwarding endpoint's work: read the gateway's parameters, check them, store the text once.

Everything here runs inside the request, so it stays small: one look-up of the VMN, one insert.
Contact matching, opt-outs and auto-replies run in the worker once the row is committed.
"""

import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.celery import app as celery_app
from contacts.phone import InvalidNumber, normalise_number
from textconnect.limits import INBOUND_DATETIME_FORMAT, VENDOR_TIME_ZONE

from ..models import InboundMessage, VirtualNumber
from .insert import insert_once

log = logging.getLogger(__name__)
VENDOR_ZONE = ZoneInfo(VENDOR_TIME_ZONE)
DRAIN_FLAG = "inbound:drain-queued"
DRAIN_FLAG_SECONDS = 10  # should the queued drain be lost, the next text queues another after this
REQUIRED = ("source", "dest", "msg", "id", "receivedts")
RECEIVED_WINDOW = timedelta(
    days=2
)  # a `receivedts` further from now is replaced by the receipt time
MM_FIELDS = {
    "MMName": "mm_name",
    "MMEmail": "mm_email",
    "MM1": "mm1",
    "MM2": "mm2",
    "MM3": "mm3",
    "MM4": "mm4",
    "MM5": "mm5",
}


class Refused(Exception):
    """A request the endpoint answers with a 4xx status and a one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Stored:
    pk: int
    created: bool


# -- reading the request ----------------------------------------------------------------------


def decode_form(raw: str | bytes) -> tuple[dict[str, str], str]:
    """Form-encoded parameters as text: UTF-8, else Windows-1252 (the gateway's other charset).

    NUL characters are dropped: no database stores them in text, and no handset sends one.
    """
    if isinstance(raw, bytes):
        raw = raw.decode("latin-1")  # percent-encoding is ASCII; stray raw bytes survive as-is
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
        charset = "utf-8"
    except UnicodeDecodeError:
        pairs = parse_qsl(raw, keep_blank_values=True, encoding="cp1252", errors="replace")
        charset = "cp1252"
    return {name: value.replace("\x00", "") for name, value in pairs}, charset


def check_auth(vmn: VirtualNumber, provided: str, *, now: datetime | None = None) -> bool:
    """Compare in constant time with the current value, or the previous one during its grace."""
    given = provided.encode()
    if hmac.compare_digest(given, vmn.auth.encode()):
        return True
    now = now or timezone.now()
    if vmn.previous_auth and vmn.previous_auth_until and now < vmn.previous_auth_until:
        return hmac.compare_digest(given, vmn.previous_auth.encode())
    return False


def minute_bucket(now: datetime | None = None) -> int:
    return int((now or timezone.now()).timestamp() // 60)


_redis_clients: dict[int, object] = {}


def _redis(backend: RedisCache):  # noqa: ANN202
    """The backend's Redis client, made once per process (Django makes one per call)."""
    client = _redis_clients.get(id(backend))
    if client is None:
        client = _redis_clients[id(backend)] = backend._cache.get_client(write=True)
    return client


def count_hit(kind: str, key: str, *, now: datetime | None = None, hits: int = 1) -> int:
    """Add `hits` to this minute's shared count for the key; one round trip on Redis."""
    name = f"inbound:{kind}:{key}:{minute_bucket(now)}"
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full = backend.make_and_validate_key(name)
        count, _ = (
            _redis(backend)
            .pipeline(transaction=False)
            .incrby(full, hits)
            .expire(full, 180)
            .execute()
        )
        return int(count)
    if backend.add(name, hits, timeout=180):
        return hits
    try:
        return backend.incr(name, hits)
    except ValueError:  # expired between the two calls
        backend.add(name, hits, timeout=180)
        return hits


@dataclass
class _Tally:
    bucket: int
    shared: int = 0  # the shared count as last read
    pending: int = 0  # counted here since
    synced_at: float = float("-inf")


class MinuteCounter:
    """Requests per key and minute, counted in this process and added to the shared count in
    batches: every `batch` requests, or on the first request `seconds` after the last addition.

    A round trip to the cache per request cost the endpoint as much as its insert. The count a
    request sees is the shared count last read plus this process's requests since, so a key's
    limit holds across server processes, each of which may overshoot it by at most `batch`
    requests. The first request of a key in a process always reads the shared count.
    """

    def __init__(self, kind: str, *, batch: int = 20, seconds: float = 1.0) -> None:
        self.kind = kind
        self.batch = batch
        self.seconds = seconds
        self._tallies: dict[str, _Tally] = {}

    def hit(self, key: str, *, now: datetime | None = None) -> int:
        """Count one request; the key's count this minute (raises if the cache is down)."""
        now = now or timezone.now()
        bucket = minute_bucket(now)
        tally = self._tallies.get(key)
        if tally is None or tally.bucket != bucket:
            if len(self._tallies) >= 10_000:
                self._tallies.clear()
            tally = self._tallies[key] = _Tally(bucket)
        tally.pending += 1
        clock = time.monotonic()
        if tally.pending >= self.batch or clock - tally.synced_at >= self.seconds:
            tally.shared = count_hit(self.kind, key, now=now, hits=tally.pending)
            tally.pending = 0
            tally.synced_at = clock
        return tally.shared + tally.pending

    def forget(self) -> None:
        self._tallies.clear()


def _flag_set(name: str, seconds: int) -> bool:
    """Set a flag unless it is set (cache.add, in one round trip on Redis)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full = backend.make_and_validate_key(name)
        return bool(_redis(backend).set(full, 1, nx=True, ex=seconds))
    return backend.add(name, 1, timeout=seconds)


def parse_received(value: str, *, now: datetime | None = None) -> datetime:
    """`receivedts` (`YYYY-MM-DD HH:MM:SS`, the vendor's local time) as an aware datetime.

    A time more than RECEIVED_WINDOW from `now` (default: the time of receipt) gives `now`: years
    like 9999 or 1 cannot be stored in every database or shown in every time zone, and a text is
    forwarded as it arrives. The given value stays in the text's raw record."""
    now = now or timezone.now()
    received = _parse_received(value)
    # Subtracting aware datetimes never overflows, unlike converting year 9999 to another zone.
    return received if abs(received - now) <= RECEIVED_WINDOW else now


def _parse_received(value: str) -> datetime:
    text = value.strip()
    try:  # the gateway's form is ISO 8601 with a space; a `T` or fractions are taken too
        naive = datetime.fromisoformat(text)
    except ValueError:
        try:  # and the same without leading zeros
            naive = datetime.strptime(text, INBOUND_DATETIME_FORMAT)
        except ValueError:
            raise Refused(400, "receivedts: expected YYYY-MM-DD HH:MM:SS") from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=VENDOR_ZONE)


@lru_cache(maxsize=4096)
def read_number(value: str, country: str, name: str = "source") -> str:
    """A sender or VMN in E.164; a short alphanumeric sender is kept as it came.

    Cached: a workspace hears from the same numbers again and again, and reading one costs more
    than the rest of a request's checks together.
    """
    text = value.strip()
    try:
        return normalise_number(text, country)
    except InvalidNumber:
        if text and len(text) <= 20 and text.replace(" ", "").isalnum():
            return text
        raise Refused(400, f"{name}: not a phone number or sender name") from None


def message_fields(vmn: VirtualNumber, params: dict[str, str]) -> dict[str, object]:
    """Validated model fields from the gateway's parameters (raises Refused)."""
    missing = [name for name in REQUIRED if name not in params]
    if missing:
        raise Refused(400, f"missing: {', '.join(missing)}")
    gateway_id = params["id"].strip()
    if not gateway_id or len(gateway_id) > 40:
        raise Refused(400, "id: expected the gateway's message id")
    body = params["msg"]
    if len(body) > settings.INBOUND_MAX_BODY_CHARS:
        raise Refused(413, f"msg: longer than {settings.INBOUND_MAX_BODY_CHARS} characters")
    country = vmn.workspace.default_country
    dest = read_number(params["dest"], country, "dest")
    if dest != vmn.number and not (
        VirtualNumber.objects.filter(workspace_id=vmn.workspace_id, number=dest).exists()
    ):
        raise Refused(400, "dest: not a VMN of this workspace")
    fields: dict[str, object] = {
        "gateway_id": gateway_id,
        "source": read_number(params["source"], country),
        "dest": dest,
        "body": body,
        "received_at": parse_received(params["receivedts"]),
    }
    for name, field in MM_FIELDS.items():
        if name in params:
            fields[field] = params[name][:200]
    fields["raw"] = {k: v[:1000] for k, v in params.items() if k != "auth"}
    return fields


# -- storing ----------------------------------------------------------------------------------


def inbound_store(
    *, workspace_id: int, vmn: VirtualNumber | None, fields: dict[str, object]
) -> Stored:
    """Insert the text once per (workspace, gateway id) and schedule processing on commit.

    A repeated delivery of the same text returns the stored row; the same id with another body
    raises Refused(409): the first one stays.
    """
    connection = transaction.get_connection()
    try:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            pk = insert_once(
                {**fields, "workspace_id": workspace_id, "vmn_id": vmn.pk if vmn else None},
                connection,
            )
            if pk is None:
                raise IntegrityError("the gateway id is stored already")
        else:
            row = InboundMessage(workspace_id=workspace_id, vmn=vmn, **fields)
            with transaction.atomic():  # a savepoint, so a caller's transaction survives
                row.save(force_insert=True)
            pk = row.pk
    except IntegrityError:
        message = InboundMessage.objects.filter(
            workspace_id=workspace_id, gateway_id=fields["gateway_id"]
        ).first()
        if message is None:  # not a repeat: the VMN was removed a moment ago
            raise Refused(404, "unknown key") from None
        if message.body != fields["body"] or message.source != fields["source"]:
            raise Refused(409, "id: already received with a different message") from None
        return Stored(message.pk, created=False)
    transaction.on_commit(processing_schedule)
    return Stored(pk, created=True)


# A drain queued by the endpoint queues one more drain FOLLOW_UP_SECONDS after it finishes, so a
# process that asked for a drain less than SIGNAL_EVERY_SECONDS ago need not ask again: see
# processing_schedule. Tested with a real worker in tests/inbound/test_drain_signal.py.
SIGNAL_EVERY_SECONDS = 0.25
FOLLOW_UP_SECONDS = 1.0
_signalled_at = float("-inf")


def signal_forget() -> None:
    """Forget this process's last look at the flag (the next text looks again)."""
    global _signalled_at  # noqa: PLW0603
    _signalled_at = float("-inf")


def processing_schedule() -> None:
    """Make sure a drain reads the text just committed, queuing at most one per burst.

    The flag means "a drain is queued and has not started": the drain clears it before it reads
    the unprocessed rows, so a text committed before the flag was seen set is read by that drain.

    Within SIGNAL_EVERY_SECONDS of this process's last look at the flag (taken at time s), this
    text needs no look of its own: the flag was set at s, so a drain D starts after s, and D's
    follow-up reads after D starts plus FOLLOW_UP_SECONDS, later than this commit. With tasks
    run eagerly there is no later follow-up, so every text looks.
    """
    global _signalled_at  # noqa: PLW0603  (per process, like the VMN cache)
    started = time.monotonic()
    if started - _signalled_at < SIGNAL_EVERY_SECONDS and not celery_app.conf.task_always_eager:
        return
    from ..tasks import inbound_drain_task

    try:
        if _flag_set(DRAIN_FLAG, DRAIN_FLAG_SECONDS):
            inbound_drain_task.delay(follow_up=True)
        _signalled_at = started
    except Exception:  # the text is stored; the minute sweep queues the drain once it can
        log.warning("inbound: could not queue processing", exc_info=True)
