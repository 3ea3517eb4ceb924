"""Workspace roles and the one table of what each may do."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    SENDER = "sender", _("Sender")
    VIEWER = "viewer", _("Viewer")

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: "Role") -> bool:
        return self.rank >= other.rank


_RANK = {Role.VIEWER: 0, Role.SENDER: 1, Role.ADMIN: 2, Role.OWNER: 3}


def invitable_roles(inviter: Role) -> list[Role]:
    """The roles a member may invite people to: owners any, admins senders and viewers only."""
    if inviter == Role.OWNER:
        return list(Role)
    if inviter == Role.ADMIN:
        return [Role.SENDER, Role.VIEWER]
    return []
