"""The base of every API view: key authentication, scopes, rate limits and idempotent writes."""

import contextlib
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import permissions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from ..models import ApiKey, ApiLimits, IdempotencyRecord, Workspace
from ..shared_cache import count_add
from .auth import ApiKeyAuthentication, HasScope
from .errors import ApiError

IDEMPOTENCY_WINDOW = timedelta(hours=24)
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


class Cursor(CursorPagination):
    """Newest first, by an opaque cursor: stable while rows are added."""

    ordering = "-id"
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000


_pages: dict[str, type[serializers.Serializer]] = {}


def page_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of one page of `item`s, as `Cursor` answers it."""
    name = "Paginated" + item.__name__.removesuffix("Serializer") + "List"
    if name not in _pages:
        _pages[name] = type(name, (serializers.Serializer,), {
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        })  # fmt: skip
    return _pages[name]


def _seconds_to_midnight_utc() -> int:
    now = datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - now).total_seconds()))


def recipients_charge(
    key: ApiKey, count: int, limits: ApiLimits | None = None
) -> Callable[[], None]:
    """Count `count` recipients against the key's day; 429 when over. Returns the refund."""
    limit = (limits or ApiLimits.of(key.workspace)).recipients_per_day
    name = f"api-recipients:{key.prefix}:{datetime.now(UTC):%Y%m%d}"
    used = count_add(name, count, timeout=25 * 3600)

    def refund() -> None:
        with contextlib.suppress(ValueError):
            cache.decr(name, count)

    if used > limit:
        refund()
        raise ApiError(
            429,
            "recipient_limit_reached",
            f"This key may send to {limit:,} recipients a day; {max(0, used - count):,} used.",
            headers={"Retry-After": str(_seconds_to_midnight_utc())},
        )
    return refund


def idempotency_key_uuid(workspace: Workspace, key: str) -> uuid.UUID:
    """A broadcast's own idempotency key, derived from the request's."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"textconnect-portal:{workspace.pk}:{key}")


class ApiView(APIView):
    """Every /api/v1/ view. `scope` is what writing needs (reading also accepts `read`)."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    scope = "read"
    # The workspace's one-to-one rows read with the key (accounts.tenancy.workspace_row).
    workspace_rows: tuple[str, ...] = ("api_limits",)

    @property
    def workspace(self) -> Workspace:
        return self.request.auth.workspace

    @property
    def key(self) -> ApiKey:
        return self.request.auth

    # -- rate limits ---------------------------------------------------------------------------

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        request.api_limits = ApiLimits.of(request.auth.workspace)
        limit = request.api_limits.requests_per_second
        window = int(time.time())
        used = count_add(f"api-rate:{request.auth.prefix}:{window}", 1, timeout=2)
        self.rate_headers = {
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": str(max(0, limit - used)),
            "RateLimit-Reset": "1",
        }
        if used > limit:
            raise ApiError(
                429,
                "rate_limited",
                f"Too many requests: this key may make {limit} a second.",
                headers={"Retry-After": "1", **self.rate_headers},
            )

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        for name, value in getattr(self, "rate_headers", {}).items():
            response.setdefault(name, value)
        return super().finalize_response(request, response, *args, **kwargs)

    # -- idempotent writes ---------------------------------------------------------------------

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """DRF's dispatch, with writes carrying an Idempotency-Key run through `_idempotent`."""
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            _refuse_nul(request)
            self.initial(request, *args, **kwargs)
            name = request.method.lower()
            handler = getattr(self, name, None) if name in self.http_method_names else None
            handler = handler or self.http_method_not_allowed
            if request.method in permissions.SAFE_METHODS:
                response = handler(request, *args, **kwargs)
            else:
                response = self._idempotent(request, lambda: handler(request, *args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - DRF turns it into the error shape, or a 500
            response = self.handle_exception(exc)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response

    def _idempotent(self, request: Request, run: Callable[[], Response]) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            with transaction.atomic():
                return run()
        if len(key) > 255:
            raise ApiError(
                400, "invalid_idempotency_key", "An Idempotency-Key is at most 255 characters."
            )
        workspace = self.workspace
        self.idempotency_key = key
        body = json.dumps(request.data, sort_keys=True, cls=JSONEncoder, default=str)
        path = request.get_full_path()
        fingerprint = hashlib.sha256(f"{request.method} {path}\n{body}".encode()).hexdigest()
        with transaction.atomic():
            # A racing request with the same key waits in this insert until the first one
            # commits (then replays its answer) or rolls back (then runs itself).
            record_id = self._claim(workspace, key, request.method, path, fingerprint)
            if record_id is None:
                cutoff = timezone.now() - IDEMPOTENCY_WINDOW
                stale = IdempotencyRecord.objects.filter(
                    workspace=workspace, key=key, created_at__lt=cutoff
                )
                if stale.delete()[0]:  # a day old: forgotten, and this request runs
                    record_id = self._claim(workspace, key, request.method, path, fingerprint)
                if record_id is None:
                    return self._replay(workspace, key, fingerprint)
            try:
                with transaction.atomic():
                    response = run()
            except Exception as exc:  # noqa: BLE001 - the error answer is kept like any other
                response = self.handle_exception(exc)
            if response.status_code >= 500:
                raise ApiError(500, "server_error", "The request failed; it is safe to retry.")
            data = json.loads(json.dumps(response.data, cls=JSONEncoder))
            IdempotencyRecord.objects.filter(pk=record_id).update(
                status_code=response.status_code, body=data
            )
        return response

    def _claim(
        self, workspace: Workspace, key: str, method: str, path: str, fingerprint: str
    ) -> int | None:
        """Write the key's record, unless one is stored: its id, or None. One statement
        (`INSERT … ON CONFLICT DO NOTHING RETURNING id`), not an insert in a savepoint of its own
        that a conflict rolls back (three round trips)."""
        meta = IdempotencyRecord._meta
        values = {
            "workspace": workspace.pk,
            "key": key,
            "api_key": self.key.pk,
            "method": method,
            "path": path[:300],
            "fingerprint": fingerprint,
            "created_at": timezone.now(),
        }
        fields = [meta.get_field(name) for name in values]
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608  (model names)
            f"({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}"
        )
        pairs = zip(fields, values.values(), strict=True)
        params = [field.get_db_prep_save(value, connection) for field, value in pairs]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return row[0] if row else None

    def _replay(self, workspace: Workspace, key: str, fingerprint: str) -> Response:
        record = IdempotencyRecord.objects.for_workspace(workspace).filter(key=key).first()
        if record is None or record.status_code is None:  # only on a database without row locks
            raise ApiError(
                409,
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still running: retry shortly.",
                headers={"Retry-After": "1"},
            )
        if record.fingerprint != fingerprint:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was used with a different request; use a new key "
                "for a new request.",
                field=IDEMPOTENCY_HEADER,
            )
        return Response(record.body, status=record.status_code, headers={REPLAYED_HEADER: "true"})


def _refuse_nul(request: Request) -> None:
    """A query parameter with a NUL character is bad input: PostgreSQL text cannot hold one, so it
    would fail in a filter as a 500. (Bodies are checked by DRF's CharField.)"""
    for name, values in request.query_params.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise ApiError(
                400,
                "invalid_request",
                "A query parameter holds a NUL character.",
                field=name.replace("\x00", ""),
            )
