"""A client for the Text-Connect bulk-SMS HTTP API (no Django; only ``requests``)."""

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
from textconnect.segments import (
    Segments,
    credits_needed,
    credits_per_part,
    segments,
    ucs2_characters,
)

__version__ = "0.1.0"

__all__ = [
    "API_DATETIME_FORMAT",
    "BACKGROUND_SEND_THRESHOLD",
    "INBOUND_DATETIME_FORMAT",
    "MAX_ALPHANUMERIC_SOURCE",
    "MAX_BODY_CHARS",
    "MAX_VALIDITY_SECONDS",
    "REPORT_DATETIME_FORMAT",
    "VENDOR_TIME_ZONE",
    "Segments",
    "__version__",
    "credits_needed",
    "credits_per_part",
    "segments",
    "ucs2_characters",
]
