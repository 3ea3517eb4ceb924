"""The audit log helper every app calls for security-relevant actions."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from .models import AuditEvent, Workspace


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    action: str,
    *,
    request: HttpRequest | None = None,
    workspace: Workspace | None = None,
    actor: Any = None,
    obj: models.Model | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one audit event. Actor and workspace default to those of the request."""
    if request is not None:
        workspace = workspace or getattr(request, "workspace", None)
        if actor is None and getattr(request, "user", None) is not None:
            actor = request.user if request.user.is_authenticated else None
        if (api_key := getattr(request, "api_key", None)) is not None:  # done through the API
            detail.setdefault("api_key", api_key.prefix)
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(getattr(obj, "public_id", None) or getattr(obj, "pk", "") or "")[:64],
        object_repr=str(obj)[:200] if obj is not None else "",
        ip_address=client_ip(request),
        detail=detail,
    )
