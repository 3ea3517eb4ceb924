"""Formats the gateway accepts and writes: numbers, sender IDs, dates. Parts and credits come from
`textconnect.segments`; this module only adds what the client does not need."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from textconnect.limits import (
    API_DATETIME_FORMAT,
    MAX_ALPHANUMERIC_SOURCE,
    REPORT_DATETIME_FORMAT,
    VENDOR_TIME_ZONE,
)
from textconnect.segments import GSM7_BASIC, GSM7_EXTENSION

from .errors import ApiError

LONDON = ZoneInfo(VENDOR_TIME_ZONE)
_DIGITS = re.compile(r"\d+")
_API_DATE = re.compile(r"\d{14}")
_SPACES = re.compile(r"[\s\-()]")


def normalize_number(raw: str) -> str | None:
    """The international form of a handset number, or None when it is not one.

    `+44...`, `0044...` and `44...` are the same number; a national `07...` is taken as UK.
    Spaces, dashes and brackets are ignored. The result has 10 to 15 digits.
    """
    number = _SPACES.sub("", raw)
    if number.startswith("+"):
        number = number[1:]
    elif number.startswith("00"):
        number = number[2:]
    elif number.startswith("0"):
        number = "44" + number[1:]
    if not number.isascii() or not _DIGITS.fullmatch(number) or not 10 <= len(number) <= 15:
        return None
    return number


def check_source(source: str, source_ton: str) -> int | None:
    """Validate a SourceAddress; return the TON it implies (1 or 5) or raise ApiError."""
    if not source.strip():
        raise ApiError(-518, "SourceAddress is blank")
    if source_ton not in ("", "1", "5"):
        raise ApiError(-403, "SourceTON must be 1 or 5")
    numeric = source.lstrip("+").isdigit() and source.isascii()
    if source_ton == "1" or (source_ton == "" and numeric):
        if not numeric or not 3 <= len(source.lstrip("+")) <= 15:
            raise ApiError(-403, f"Invalid sender number ({source})")
        return 1
    if len(source) > MAX_ALPHANUMERIC_SOURCE:
        raise ApiError(-402, f"Alphanumeric SourceAddress longer than {MAX_ALPHANUMERIC_SOURCE}")
    if any(ch not in GSM7_BASIC and ch not in GSM7_EXTENSION for ch in source) or "\n" in source:
        raise ApiError(-518, "SourceAddress has characters outside GSM 03.38")
    return 5


def parse_api_datetime(value: str) -> datetime | None:
    """`YYYYMMDDHHMMSS` in vendor local time, as an aware datetime; None when malformed."""
    if not _API_DATE.fullmatch(value.strip()):
        return None
    try:
        naive = datetime.strptime(value.strip(), API_DATETIME_FORMAT)  # noqa: DTZ007
    except ValueError:
        return None
    return naive.replace(tzinfo=LONDON)


def format_report_datetime(value: datetime | None) -> str:
    return value.astimezone(LONDON).strftime(REPORT_DATETIME_FORMAT) if value else ""


def london_midnight(now: datetime) -> datetime:
    local = now.astimezone(LONDON)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
