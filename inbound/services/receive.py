"""The forwarding endpoint's work: read the gateway's parameters, check them, store the text once.

Everything here runs inside the request, so it stays small: one look-up of the VMN, one insert.
Contact matching, opt-outs and auto-replies run in the worker once the row is committed.
"""

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.phone import InvalidNumber, normalise_number
from textconnect.limits import INBOUND_DATETIME_FORMAT, VENDOR_TIME_ZONE

from ..models import InboundMessage, VirtualNumber

log = logging.getLogger(__name__)
VENDOR_ZONE = ZoneInfo(VENDOR_TIME_ZONE)
DRAIN_FLAG = "inbound:drain-queued"
DRAIN_FLAG_SECONDS = 10  # should the queued drain be lost, the next text queues another after this
REQUIRED = ("source", "dest", "msg", "id", "receivedts")
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
    message: InboundMessage
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


def count_hit(kind: str, key: str, *, now: datetime | None = None) -> int:
    """Count a request in this minute's bucket for the key; one round trip on Redis."""
    name = f"inbound:{kind}:{key}:{minute_bucket(now)}"
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full = backend.make_and_validate_key(name)
        count, _ = (
            _redis(backend).pipeline(transaction=False).incr(full).expire(full, 180).execute()
        )
        return int(count)
    if backend.add(name, 1, timeout=180):
        return 1
    try:
        return backend.incr(name)
    except ValueError:  # expired between the two calls
        backend.add(name, 1, timeout=180)
        return 1


def _flag_set(name: str, seconds: int) -> bool:
    """Set a flag unless it is set (cache.add, in one round trip on Redis)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full = backend.make_and_validate_key(name)
        return bool(_redis(backend).set(full, 1, nx=True, ex=seconds))
    return backend.add(name, 1, timeout=seconds)


def parse_received(value: str) -> datetime:
    """`receivedts` (`YYYY-MM-DD HH:MM:SS`, the vendor's local time) as an aware datetime."""
    text = value.strip()
    try:
        naive = datetime.strptime(text, INBOUND_DATETIME_FORMAT)
    except ValueError:
        try:  # tolerate an ISO form with a `T` or fractions of a second
            naive = datetime.fromisoformat(text)
        except ValueError:
            raise Refused(400, "receivedts: expected YYYY-MM-DD HH:MM:SS") from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=VENDOR_ZONE)


def read_number(value: str, country: str, name: str = "source") -> str:
    """A sender or VMN in E.164; a short alphanumeric sender is kept as it came."""
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
    row = InboundMessage(workspace_id=workspace_id, vmn=vmn, **fields)
    connection = transaction.get_connection()
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint, so the caller's transaction survives
                row.save(force_insert=True)
        elif connection.vendor == "postgresql":
            row.pk = _insert_once(row, connection)
            if row.pk is None:
                raise IntegrityError("the gateway id is stored already")
        else:
            row.save(force_insert=True)
    except IntegrityError:
        message = InboundMessage.objects.filter(
            workspace_id=workspace_id, gateway_id=fields["gateway_id"]
        ).first()
        if message is None:  # not a repeat: the VMN was removed a moment ago
            raise Refused(404, "unknown key") from None
        if message.body != fields["body"] or message.source != fields["source"]:
            raise Refused(409, "id: already received with a different message") from None
        return Stored(message, created=False)
    transaction.on_commit(processing_schedule)
    return Stored(row, created=True)


def _insert_once(row: InboundMessage, connection) -> int | None:  # noqa: ANN001
    """One statement, one round trip: INSERT ... ON CONFLICT DO NOTHING RETURNING id.

    With INBOUND_ASYNC_COMMIT, `set_config(..., true)` turns synchronous_commit off for this
    statement's own transaction only: the answer does not wait for the disk. A text lost to a
    database crash in that moment is still on the gateway, and reconciliation brings it back.
    """
    fields = [f for f in InboundMessage._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    quote = connection.ops.quote_name
    asynchronous = "off" if settings.INBOUND_ASYNC_COMMIT else "on"
    sql = (
        f"INSERT INTO {quote(InboundMessage._meta.db_table)} "  # noqa: S608  (names from the model)
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(['%s'] * len(fields))} "
        "FROM (SELECT set_config('synchronous_commit', %s, true)) AS commit_mode "
        "ON CONFLICT (workspace_id, gateway_id) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, asynchronous])
        inserted = cursor.fetchone()
    return inserted[0] if inserted else None


def processing_schedule() -> None:
    """Queue the drain task unless one is queued and not started yet (one publish per burst).

    The drain clears the flag before it reads the unprocessed rows, so a text committed before
    the flag was seen set is always read by the drain that set it.
    """
    from ..tasks import inbound_drain_task

    try:
        if _flag_set(DRAIN_FLAG, DRAIN_FLAG_SECONDS):
            inbound_drain_task.delay()
    except Exception:  # the text is stored; the minute sweep queues the drain once it can
        log.warning("inbound: could not queue processing", exc_info=True)
