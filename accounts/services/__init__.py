"""Domain actions of the accounts app, by purpose: members, gateway connection, reseller."""

from .members import (
    invitation_accept,
    invitation_create,
    invitation_send,
    membership_change_role,
    membership_remove,
    user_sign_up,
    user_sign_up_invited,
    workspace_create,
)

__all__ = [
    "invitation_accept",
    "invitation_create",
    "invitation_send",
    "membership_change_role",
    "membership_remove",
    "user_sign_up",
    "user_sign_up_invited",
    "workspace_create",
]
