"""Who may see which sandbox accounts on the sandbox's pages (the API stays token-based).

Staff see every account. Anyone else sees only the accounts whose token the function named by
the `SANDBOX_PAGE_TOKENS` setting returns for them (the portal names one that answers the tokens
of its user's workspaces); without that setting, nobody but staff sees any account. The sandbox
knows nothing of the portal's models: it only calls that function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.module_loading import import_string

from .models import SandboxAccount


def _tokens_function() -> Callable[[Any], Iterable[str]] | None:
    path = getattr(settings, "SANDBOX_PAGE_TOKENS", "")
    return import_string(path) if path else None


def visible_accounts(user: Any) -> QuerySet[SandboxAccount]:
    """The accounts `user` may see: all for staff, else those whose token is theirs."""
    if not user.is_authenticated:
        return SandboxAccount.objects.none()
    if user.is_staff:
        return SandboxAccount.objects.all()
    tokens_for = _tokens_function()
    tokens = {token for token in tokens_for(user) if token} if tokens_for else set()
    return SandboxAccount.objects.filter(token__in=tokens)


def account_for(request: HttpRequest, pk: int) -> SandboxAccount:
    """One account the request's user may see; 404 alike for missing and not theirs."""
    return get_object_or_404(visible_accounts(request.user), pk=pk)


def require_staff(request: HttpRequest) -> None:
    """Creating accounts is for staff: a portal user sees only what their workspaces use."""
    if not request.user.is_staff:
        raise PermissionDenied
