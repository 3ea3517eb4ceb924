"""Limits and formats of the Text-Connect HTTP API, shared by the client and the sandbox."""

# Body length limit of Send, in characters as the vendor counts them (three 153-septet parts).
MAX_BODY_CHARS = 459
# An alphanumeric SourceAddress may have at most this many characters (-402 otherwise).
MAX_ALPHANUMERIC_SOURCE = 11
# ValidityPeriod upper bound in seconds (-405 above it); clients default to it.
MAX_VALIDITY_SECONDS = 86400
# Group and list sends with more entries than this run in the background.
BACKGROUND_SEND_THRESHOLD = 200

# ScheduleDate, From and To parameters (vendor local time).
API_DATETIME_FORMAT = "%Y%m%d%H%M%S"
# Dates inside report CSV.
REPORT_DATETIME_FORMAT = "%d/%m/%Y %H:%M:%S"
# `receivedts` of inbound forwarding.
INBOUND_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# The gateway reads and writes naive local times in this zone.
VENDOR_TIME_ZONE = "Europe/London"
