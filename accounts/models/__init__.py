from .api import ApiKey, ApiLimits, ApiScope, IdempotencyRecord
from .audit import AuditEvent
from .gateway import GatewayConnection
from .reseller import ChildAccount, LedgerEntry
from .users import Invitation, Membership, User, UserManager, Workspace
from .webhooks import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "ApiKey",
    "ApiLimits",
    "ApiScope",
    "IdempotencyRecord",
    "AuditEvent",
    "ChildAccount",
    "GatewayConnection",
    "Invitation",
    "LedgerEntry",
    "Membership",
    "User",
    "UserManager",
    "Workspace",
    "DeliveryState",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
