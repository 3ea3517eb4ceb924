"""One error shape for every API answer: {"error": {"code", "message", "field"}}."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid_request",
    status.HTTP_401_UNAUTHORIZED: "unauthenticated",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_422_UNPROCESSABLE_ENTITY: "unprocessable",
    status.HTTP_429_TOO_MANY_REQUESTS: "rate_limited",
}


class ApiError(exceptions.APIException):
    """An answer with a code of our own, e.g. ApiError(422, "idempotency_key_reused", "…")."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, code)
        self.status_code = status_code
        self.error_code = code
        self.field = field
        self.headers = headers or {}


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field}}


def _first(detail: Any, path: str = "") -> tuple[str | None, str]:
    """The first message of DRF's nested validation detail, with the field it belongs to."""
    if isinstance(detail, dict):
        for name, inner in detail.items():
            field = name if name != "non_field_errors" else ""
            return _first(inner, f"{path}.{field}" if path and field else (field or path))
    if isinstance(detail, list) and detail:
        if isinstance(detail[0], dict | list):
            return _first(detail[0], f"{path}[0]")
        return (path or None), str(detail[0])
    return (path or None), str(detail)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApiError):
        return Response(
            error_body(exc.error_code, str(exc.detail), exc.field),
            status=exc.status_code,
            headers=exc.headers,
        )
    if isinstance(exc, ValidationError):  # a service's refusal, in its own words
        exc = exceptions.ValidationError(exc.messages[0] if exc.messages else str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("No such object in this workspace.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    field = None
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first(exc.detail)
        code = "invalid_request"
    else:
        message = str(getattr(exc, "detail", exc))
        code = CODES.get(response.status_code, "error")
        if isinstance(exc, exceptions.Throttled) and exc.wait:
            message = f"Too many requests: try again in {int(exc.wait) + 1} s."
    response.data = error_body(code, message, field)
    return response
