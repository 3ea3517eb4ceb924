"""The Report call, keeping the gateway's body verbatim (the snapshot stores the raw CSV)."""

from datetime import datetime

import textconnect

from .csvparse import check_head


def report_body(
    client: textconnect.Client, report_type: str, start: datetime, end: datetime
) -> str:
    """The Report answer as text, with the client's retries and error mapping; the portal keeps
    the body itself (for support and for the original download), so it is not parsed here."""
    text = client.report_csv(report_type, start, end)
    check_head(text[:4096])
    return text
