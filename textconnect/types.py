"""Typed answers of the gateway: statuses, send results, report rows, imports, background sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum

from textconnect.errors import TextConnectError


class Status(StrEnum):
    """The status words the gateway is known to use."""

    PENDING = "Pending"
    SENT = "Sent"
    DELIVERED = "Delivered"
    UNDELIVERABLE = "Undeliverable"
    EXPIRED = "Expired"
    FAILED = "Failed"
    UNKNOWN = "Unknown"
    COMMAND_REJECTED = "Command_Rejected"
    COMMAND_FAILED = "Command_Failed"


FINAL_STATUSES = frozenset(
    {
        Status.DELIVERED,
        Status.UNDELIVERABLE,
        Status.EXPIRED,
        Status.FAILED,
        Status.COMMAND_REJECTED,
        Status.COMMAND_FAILED,
    }
)
_KNOWN_BY_LOWER = {status.value.lower(): status for status in Status}


@dataclass(frozen=True)
class MessageStatus:
    """A message's status word, kept exactly as the gateway wrote it."""

    word: str

    @property
    def known(self) -> Status | None:
        """The matching known status, or None for a word the client has not met."""
        return _KNOWN_BY_LOWER.get(self.word.strip().lower())

    @property
    def is_final(self) -> bool:
        """True when the status will not change again; unfamiliar words are not final."""
        return self.known in FINAL_STATUSES

    def __str__(self) -> str:
        return self.word


class SourceTON(IntEnum):
    """Type of number of the source address."""

    INTERNATIONAL = 1
    ALPHANUMERIC = 5


class AccessLevel(StrEnum):
    """Access level of a child user."""

    NORMAL = "Normal"
    ADMIN = "Admin"


class ReportType(StrEnum):
    """The report types the gateway offers."""

    OUTBOX = "Outbox"
    MESSAGES = "Messages"
    USAGE = "Usage"
    INBOUND_MESSAGES = "InboundMessages"
    FAILED_MESSAGES = "FailedMessages"


@dataclass(frozen=True)
class SendResult:
    """The outcome of a send for one destination: its message IDs, or the gateway's error."""

    destination: str
    message_ids: list[str] = field(default_factory=list)
    error: TextConnectError | None = None

    @property
    def ok(self) -> bool:
        """True when the gateway accepted the message for this destination."""
        return self.error is None

    @property
    def message_id(self) -> str | None:
        """The first (or only) message ID, None on error."""
        return self.message_ids[0] if self.message_ids else None


@dataclass(frozen=True)
class MessageRow:
    """A row of the Messages and FailedMessages reports."""

    message_id: str
    username: str
    destination: str
    source: str
    status: MessageStatus
    schedule_date: datetime | None
    sent_date: datetime | None
    delivery_date: datetime | None


@dataclass(frozen=True)
class OutboxRow:
    """A row of the Outbox report (messages not sent yet)."""

    message_id: str
    username: str
    destination: str
    status: MessageStatus
    schedule_date: datetime | None
    sent_date: datetime | None
    delivery_date: datetime | None


@dataclass(frozen=True)
class UsageRow:
    """A row of the Usage report: how many messages had a status in the window."""

    status: MessageStatus
    messages: int


@dataclass(frozen=True)
class InboundRow:
    """A row of the InboundMessages report."""

    message_id: str
    from_number: str
    number: str
    message: str
    received_date: datetime | None
    status: str


@dataclass(frozen=True)
class RawRow:
    """A row of a report type the client does not know: the CSV fields by header name."""

    fields: dict[str, str]


ReportRow = MessageRow | OutboxRow | UsageRow | InboundRow | RawRow


class ImportOutcome(StrEnum):
    """Per-line results of ImportContactsCSV."""

    SUCCESS = "Success"
    PARTIAL = "Partial"
    FAILED = "Failed"
    DUPLICATE_NAME = "Duplicate Name"
    DUPLICATE_NUMBER = "Duplicate Number"


@dataclass(frozen=True)
class ImportResult:
    """The result of one contact line: the word as the gateway wrote it and any reason given."""

    line: int
    result: str
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when the contact was added (possibly without its group, see ``partial``)."""
        return self.result in (ImportOutcome.SUCCESS, ImportOutcome.PARTIAL)

    @property
    def partial(self) -> bool:
        """True when the contact was added but could not be put in a group."""
        return self.result == ImportOutcome.PARTIAL


@dataclass(frozen=True)
class Contact:
    """A contact to import: name, number, optional email and up to any number of groups."""

    name: str
    number: str
    email: str = ""
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class BackgroundMessage:
    """One message of a background send, from GetBGMessages."""

    message_id: str
    destination: str
    status: MessageStatus
