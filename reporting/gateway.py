"""The Report call, keeping the gateway's body verbatim (the snapshot stores the raw CSV)."""

from datetime import datetime

import textconnect


def report_body(
    client: textconnect.Client, report_type: str, start: datetime, end: datetime
) -> str:
    """The Report answer as text, with the client's retries and error mapping (an error answer
    or a web page raises there); the portal keeps the body itself, for support and for the
    original download."""
    return client.report_csv(report_type, start, end)
