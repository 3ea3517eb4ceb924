"""A client for the Text-Connect bulk-SMS HTTP API (no Django; only ``requests``).

from textconnect import Client
with Client(token) as client:
    results = client.send(["447700900123"], source="Acme", body="Hello")
"""

from textconnect._version import __version__
from textconnect.client import DEFAULT_BASE_URL, DEFAULT_BATCH_SIZE, USER_AGENT, Client
from textconnect.errors import (
    ERRORS_BY_CODE,
    AuthenticationError,
    GatewayUnavailable,
    InsufficientCredits,
    InvalidRequest,
    NotFound,
    NotReady,
    TextConnectError,
    TransportError,
    error_for_code,
)
from textconnect.limits import (
    API_DATETIME_FORMAT,
    BACKGROUND_SEND_THRESHOLD,
    INBOUND_DATETIME_FORMAT,
    MAX_ALPHANUMERIC_SOURCE,
    MAX_BODY_CHARS,
    MAX_VALIDITY_SECONDS,
    REPORT_DATETIME_FORMAT,
    VENDOR_TIME_ZONE,
)
from textconnect.retry import NO_RETRY, RetryPolicy
from textconnect.segments import (
    Segments,
    credits_needed,
    credits_per_part,
    segments,
    ucs2_characters,
)
from textconnect.types import (
    AccessLevel,
    BackgroundMessage,
    Contact,
    ImportOutcome,
    ImportResult,
    InboundRow,
    MessageRow,
    MessageStatus,
    OutboxRow,
    RawRow,
    ReportRow,
    ReportType,
    SendResult,
    SourceTON,
    Status,
    UsageRow,
)

__all__ = [
    "API_DATETIME_FORMAT",
    "BACKGROUND_SEND_THRESHOLD",
    "DEFAULT_BASE_URL",
    "DEFAULT_BATCH_SIZE",
    "ERRORS_BY_CODE",
    "INBOUND_DATETIME_FORMAT",
    "MAX_ALPHANUMERIC_SOURCE",
    "MAX_BODY_CHARS",
    "MAX_VALIDITY_SECONDS",
    "NO_RETRY",
    "REPORT_DATETIME_FORMAT",
    "USER_AGENT",
    "VENDOR_TIME_ZONE",
    "AccessLevel",
    "AuthenticationError",
    "BackgroundMessage",
    "Client",
    "Contact",
    "GatewayUnavailable",
    "ImportOutcome",
    "ImportResult",
    "InboundRow",
    "InsufficientCredits",
    "InvalidRequest",
    "MessageRow",
    "MessageStatus",
    "NotFound",
    "NotReady",
    "OutboxRow",
    "RawRow",
    "ReportRow",
    "ReportType",
    "RetryPolicy",
    "Segments",
    "SendResult",
    "SourceTON",
    "Status",
    "TextConnectError",
    "TransportError",
    "UsageRow",
    "__version__",
    "credits_needed",
    "credits_per_part",
    "error_for_code",
    "segments",
    "ucs2_characters",
]
