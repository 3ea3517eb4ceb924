"""Who is calling: an API key, sent as `Authorization: Bearer tck_…`."""

import hmac
from datetime import timedelta
from functools import partial
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from ..models import ApiKey, ApiScope, Membership
from ..models.api import KEY_PREFIX, PREFIX_LENGTH, hash_secret
from ..roles import Role
from ..tenancy import preload_rows

LAST_USED_EVERY = timedelta(minutes=1)  # writing last-used on every call would cost a write each


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        kind, _sep, raw = header.partition(" ")
        if kind != self.keyword or not raw.startswith(KEY_PREFIX):
            if header:
                raise exceptions.AuthenticationFailed("Send the key as 'Authorization: Bearer …'.")
            return None
        raw = raw.strip()
        prefix = raw[:PREFIX_LENGTH]  # the secret after it may hold "_" too
        # One query: the key, its workspace with the one-to-one rows the view reads (its
        # `workspace_rows`: API limits, gateway connection, rules...), the admin who made it and
        # their membership of the workspace.
        view = (request.parser_context or {}).get("view")
        rows = tuple(getattr(view, "workspace_rows", ("api_limits",)))
        member = Membership.objects.filter(
            workspace_id=OuterRef("workspace_id"), user_id=OuterRef("created_by_id")
        )
        key = (
            ApiKey.objects.select_related(
                "workspace", "created_by", *(f"workspace__{name}" for name in rows)
            )
            .annotate(
                member_id=Subquery(member.values("pk")[:1]),
                member_role=Subquery(member.values("role")[:1]),
            )
            .filter(prefix=prefix)
            .first()
        )
        if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(raw)):
            raise exceptions.AuthenticationFailed("This API key is not valid.")
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API key was revoked.")
        if not key.is_usable():
            raise exceptions.AuthenticationFailed("This API key has expired.")
        if key.workspace.is_suspended:
            raise exceptions.PermissionDenied("This workspace is suspended.")
        # A key acts for the admin who made it, while they are still an admin of the workspace.
        if key.member_id is None or not Role(key.member_role).at_least(Role.ADMIN):
            raise exceptions.AuthenticationFailed(
                "The admin who made this key is no longer an admin of the workspace: "
                "make a new key."
            )
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_EVERY:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        # The portal's services read the workspace and the member from the Django request.
        preload_rows(key.workspace, rows)  # read with the key, for this request only
        django_request = request._request
        django_request.workspace = key.workspace
        django_request.api_key = key
        django_request.user = key.created_by
        django_request.membership = SimpleLazyObject(
            partial(Membership.objects.get, pk=key.member_id)
        )
        django_request.role = Role(key.member_role)
        return key.created_by, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class HasScope(permissions.BasePermission):
    """The view's `scope`: reading needs `read` (or the scope itself); writing needs the scope."""

    message = "This API key does not have the scope this call needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        needed = getattr(view, "scope", ApiScope.READ)
        scopes = set(key.scopes)
        if request.method in permissions.SAFE_METHODS:
            return ApiScope.READ in scopes or needed in scopes
        self.message = f"This API key does not have the '{needed}' scope."
        return needed in scopes


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {"type": "http", "scheme": "bearer", "description": "A workspace API key (tck_…)."}
