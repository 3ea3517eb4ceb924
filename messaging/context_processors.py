"""What every workspace page shows of messaging: how many sends wait for an admin's approval."""

from django.http import HttpRequest

from accounts.roles import Role

from .services.controls import awaiting_approval_count


def approvals(request: HttpRequest) -> dict:
    workspace, role = getattr(request, "workspace", None), getattr(request, "role", None)
    if workspace is None or role is None or not role.at_least(Role.ADMIN):
        return {}
    return {"awaiting_approval": awaiting_approval_count(workspace.pk)}
