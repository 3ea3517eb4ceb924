from .api import ApiKey, ApiLimits, ApiScope, IdempotencyRecord
from .audit import AuditEvent
from .gateway import GatewayConnection
from .privacy import ErasedNumber, PrivacySettings
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
    "ErasedNumber",
    "PrivacySettings",
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
