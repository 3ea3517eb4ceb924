"""The Report call, keeping the gateway's body verbatim (the snapshot stores the raw CSV)."""

from datetime import datetime

import textconnect
from textconnect.parsing import VENDOR_ZONE

from .csvparse import check_head

VENDOR_FORMAT = "%Y%m%d%H%M%S"


def vendor_time(moment: datetime) -> str:
    """An aware datetime as the gateway's `From`/`To` (UK local time, whole seconds)."""
    return moment.astimezone(VENDOR_ZONE).strftime(VENDOR_FORMAT)


def _checked(text: str) -> str:
    check_head(text[:4096])
    return text


def report_body(
    client: textconnect.Client, report_type: str, start: datetime, end: datetime
) -> str:
    """The Report answer as text, with the client's retries and error mapping.

    `Client.report` returns parsed rows only; the portal keeps the body itself (for support and
    for the original download), so this goes through the client's read path with a parser that
    checks for an error answer and returns the text unchanged.
    """
    params = {"ReportType": report_type, "From": vendor_time(start), "To": vendor_time(end)}
    return client._read("Report", params, _checked)  # noqa: SLF001
