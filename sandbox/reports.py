"""Report: CSV with the documented columns, quoted fields, `\\n` line ends, UK local dates."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from .errors import ApiError
from .models import FAILED_STATUSES, STATUS_ORDER, InboundMessage, Message, SandboxAccount
from .rules import format_report_datetime, parse_api_datetime

REPORT_TYPES = {
    "outbox": "Outbox",
    "messages": "Messages",
    "usage": "Usage",
    "inboundmessages": "InboundMessages",
    "failedmessages": "FailedMessages",
}
MESSAGE_COLUMNS = [
    "MessageID",
    "Username",
    "Destination",
    "Source",
    "Status",
    "Schedule Date",
    "Sent Date",
    "Delivery Date",
]
OUTBOX_COLUMNS = [c for c in MESSAGE_COLUMNS if c != "Source"]


def _csv(header: list[str], rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _owners(account: SandboxAccount) -> Q:
    """An admin's reports include its child users' messages."""
    if account.is_admin:
        return Q(account=account) | Q(account__parent=account)
    return Q(account=account)


def _window(params: dict[str, str]) -> tuple[datetime, datetime]:
    start = parse_api_datetime(params.get("From", ""))
    if start is None:
        raise ApiError(-504, "From must be YYYYMMDDHHMMSS")
    end = parse_api_datetime(params.get("To", ""))
    if end is None or end < start:
        raise ApiError(-505, "To must be YYYYMMDDHHMMSS, not before From")
    return start, end


def _message_row(m: Message, now: datetime, with_source: bool = True) -> list[str]:
    status = m.status_at(now)
    sent = m.sent_at if m.sent_at and m.sent_at <= now else None
    final = m.final_at if m.final_at and m.final_at <= now else None
    row = [str(m.pk), m.account.username, m.destination]
    if with_source:
        row.append(m.source)
    return row + [
        status,
        format_report_datetime(m.scheduled_at),
        format_report_datetime(sent if status != "Pending" else None),
        format_report_datetime(final),
    ]


def _messages(account: SandboxAccount, start: datetime, end: datetime) -> QuerySet[Message]:
    return (
        Message.objects.filter(_owners(account), submitted_at__gte=start, submitted_at__lte=end)
        .select_related("account")
        .order_by("pk")
    )


def report(account: SandboxAccount, params: dict[str, str]) -> str:
    kind = REPORT_TYPES.get(params.get("ReportType", "").strip().lower())
    if kind is None:
        raise ApiError(-601)
    now = timezone.now()
    if kind == "Outbox":
        pending = Message.objects.filter(_owners(account)).filter(
            (Q(sent_at__isnull=True) | Q(sent_at__gt=now))
            & (Q(final_at__isnull=True) | Q(final_at__gt=now))
        )
        rows = pending.select_related("account").order_by("pk")
        return _csv(OUTBOX_COLUMNS, (_message_row(m, now, with_source=False) for m in rows))
    start, end = _window(params)
    if kind == "Messages":
        return _csv(MESSAGE_COLUMNS, (_message_row(m, now) for m in _messages(account, start, end)))
    if kind == "FailedMessages":
        failed = (m for m in _messages(account, start, end) if m.status_at(now) in FAILED_STATUSES)
        return _csv(MESSAGE_COLUMNS, (_message_row(m, now) for m in failed))
    if kind == "Usage":
        counts = Counter(m.status_at(now) for m in _messages(account, start, end))
        order = list(STATUS_ORDER) + sorted(set(counts) - set(STATUS_ORDER))
        return _csv(["Status", "Messages"], ([s, str(counts[s])] for s in order if counts[s]))
    inbound = InboundMessage.objects.filter(
        account=account, received_at__gte=start, received_at__lte=end
    ).select_related("vmn")
    return _csv(
        ["MessageID", "From", "Number", "Message", "Received Date", "Status"],
        (
            [
                str(i.pk),
                i.source,
                i.vmn.number,
                i.body,
                format_report_datetime(i.received_at),
                i.status,
            ]
            for i in inbound.order_by("pk")
        ),
    )
