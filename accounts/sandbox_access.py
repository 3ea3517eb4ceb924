"""What the development sandbox's pages may show a portal user (settings.SANDBOX_PAGE_TOKENS)."""

from typing import Any

from .models import GatewayConnection, Workspace
from .roles import Role


def gateway_tokens_for(user: Any) -> set[str]:
    """The gateway tokens of the workspaces `user` owns (decrypted, never logged): the token is
    the owner's to see and change, as on the gateway settings page; other members see none."""
    workspaces = Workspace.objects.filter(memberships__user=user, memberships__role=Role.OWNER)
    connections = GatewayConnection.objects.filter(workspace__in=workspaces)
    return {connection.token for connection in connections if connection.token}
