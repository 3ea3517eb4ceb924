"""The one place that resolves a workspace from the URL and checks membership and role."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from .models import Membership
from .roles import Role

View = Callable[..., HttpResponse]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def require_role(request: HttpRequest, role: Role) -> None:
    """Raise PermissionDenied (403) unless the current member holds `role` or a higher one."""
    if not request.role.at_least(role):
        raise PermissionDenied(f"This needs the {role.label} role or higher.")


def workspace_view(
    role: Role = Role.VIEWER, *, post_role: Role | None = None
) -> Callable[[View], View]:
    """Decorate a view under /w/<slug>/.

    Non-members get 404 (the same answer as a workspace that does not exist, so no one can probe for
    slugs); members below `role` get 403. `post_role`, when given, is the role a POST needs.
    Sets request.workspace, request.membership and request.role.
    """

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = (
                Membership.objects.select_related("workspace", "workspace__gateway")
                .filter(workspace__slug=slug, user=request.user)
                .first()
            )
            if membership is None:
                raise Http404("No such workspace.")
            request.workspace = membership.workspace
            request.membership = membership
            request.role = Role(membership.role)
            require_role(request, role)
            if post_role is not None and request.method == "POST":
                require_role(request, post_role)
            # Pages show times on the workspace's clock, as they say ("Times are in …").
            with timezone.override(_zone(membership.workspace.time_zone)):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator
