"""What the development sandbox's pages may show a portal user (settings.SANDBOX_PAGE_TOKENS)."""

from typing import Any

from .models import GatewayConnection, Workspace


def gateway_tokens_for(user: Any) -> set[str]:
    """The gateway tokens of the workspaces `user` is a member of (decrypted, never logged)."""
    workspaces = Workspace.objects.filter(memberships__user=user)
    connections = GatewayConnection.objects.filter(workspace__in=workspaces)
    return {connection.token for connection in connections if connection.token}
