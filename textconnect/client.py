"""The Text-Connect client: one method per API action, typed arguments and typed results."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from textconnect import parsing
from textconnect._version import __version__
from textconnect.deadline import Deadline, DeadlineAdapter
from textconnect.errors import TextConnectError, TransportError, UnexpectedAnswer
from textconnect.limits import (
    API_DATETIME_FORMAT,
    MAX_ALPHANUMERIC_SOURCE,
    MAX_BODY_CHARS,
    MAX_VALIDITY_SECONDS,
)
from textconnect.retry import RetryPolicy, call_with_retries
from textconnect.segments import segments
from textconnect.types import (
    AccessLevel,
    BackgroundMessage,
    Contact,
    ImportResult,
    MessageStatus,
    ReportRow,
    ReportType,
    SendResult,
    SourceTON,
)

logger = logging.getLogger("textconnect")

DEFAULT_BASE_URL = "https://goto.text-connect.co.uk/api"
DEFAULT_TIMEOUT = 30.0
# Destinations per Send call: about 7 KB of numbers, far from any form-size limit, and small
# enough that one refused batch leaves little undone.
DEFAULT_BATCH_SIZE = 500
USER_AGENT = f"textconnect/{__version__} (+python-requests/{requests.__version__})"

_NUMERIC_SOURCE = re.compile(r"\+?\d+")
_COLLECTION_WORDS = frozenset({"list", "group"})

Timeout = float | tuple[float, float]


class _Secret:
    """Holds the token so that no repr, log line or traceback local shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__


class Client:
    """A client for one Text-Connect account.

    Every call is an HTTP POST (form-encoded), so the token never sits in a URL where access
    logs, proxies or exception messages could keep it. Read-only actions are retried by
    ``retry`` (see ``textconnect.retry``); actions that change something are attempted once.
    Arguments the gateway would refuse are refused first with ``ValueError``.
    """

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        deadline: float | None = None,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        if not isinstance(token, str) or not token.strip():
            raise ValueError("token must be a non-empty string")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._token = _Secret(token)
        self.base_url = base_url
        self.timeout = timeout
        # The whole call (connect, send, the entire answer) ends by then, whatever the server does.
        self.deadline = deadline if deadline is not None else _total(timeout)
        if self.deadline <= 0:
            raise ValueError("deadline must be positive")
        self.retry = retry if retry is not None else RetryPolicy()
        self.batch_size = batch_size
        self._owns_session = session is None
        self._session = session if session is not None else _session()
        self._headers = {"User-Agent": USER_AGENT}
        self._sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, timeout={self.timeout!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session if the client created it."""
        if self._owns_session:
            self._session.close()

    # -- read-only actions (retried) -------------------------------------------------------

    def check_credits(self) -> Decimal:
        """The account's credit balance (CheckCredits)."""
        return self._read("CheckCredits", {}, parsing.parse_credits)

    def check_message_status(self, message_id: str | int) -> MessageStatus:
        """The status of one message by the ID Send returned (CheckMessageStatus).

        Raises ``UnknownMessageID`` (-503) for an ID the gateway does not know.
        """
        message_id = _required("message_id", str(message_id))
        return self._read("CheckMessageStatus", {"MessageID": message_id}, parsing.parse_status)

    def report(
        self,
        report_type: ReportType | str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[ReportRow]:
        """A report as typed rows (Report): the CSV parsed, dates as aware vendor-local times.

        ``start`` and ``end`` are aware datetimes, converted to the vendor's local time (whole
        seconds: ``end`` is rounded up, so a message sent within its last second is included);
        they may be omitted only for ``Outbox``, which ignores them. Rows are ``MessageRow``
        (Messages, FailedMessages), ``OutboxRow``, ``UsageRow`` or ``InboundRow``; a report
        type the client does not know gives ``RawRow``.
        """
        params = _report_params(report_type, start, end)
        report_type = params["ReportType"]
        return self._read("Report", params, lambda text: parsing.parse_report(text, report_type))

    def report_csv(
        self,
        report_type: ReportType | str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> str:
        """A report's CSV exactly as the gateway wrote it (Report), for keeping or streaming on.

        The same arguments, retries and errors as ``report``; the body is not parsed.
        """

        def unparsed(text: str) -> str:
            parsing.raise_for_error(text)
            return text

        return self._read("Report", _report_params(report_type, start, end), unparsed)

    def background_send_messages(self, bg_send_id: str | int) -> list[BackgroundMessage]:
        """The messages of a finished background send (GetBGMessages).

        Raises ``BackgroundSendNotFinished`` (-522) while the send is running,
        ``UnknownBackgroundSendID`` (-521) or ``NoMessagesFound`` (-523).
        """
        bg_send_id = _required("bg_send_id", str(bg_send_id))
        return self._read("GetBGMessages", {"BGSendID": bg_send_id}, parsing.parse_background)

    # -- sending (never retried) -----------------------------------------------------------

    def send(
        self,
        destinations: Sequence[str] | str,
        source: str,
        body: str,
        *,
        schedule: datetime | None = None,
        source_ton: SourceTON | int | None = None,
        validity: int | None = MAX_VALIDITY_SECONDS,
        all_part_ids: bool = False,
    ) -> list[SendResult]:
        """Send ``body`` to each number in ``destinations``; one result per number, in order.

        A number the gateway refuses (-401 invalid, -411 daily limit, -412 blacklisted, ...)
        gives a result with ``error`` set; the other numbers are still sent. Failures of the
        whole call raise. More than ``batch_size`` numbers go in several calls of at most
        ``batch_size`` each; if a later call fails, the raised error's ``partial_results``
        holds the results of the calls already accepted (do not send those again).
        ``schedule`` is an aware datetime in the future; ``all_part_ids`` asks for the ID of
        every part of a long message, not only the first.
        """
        numbers = _destinations(destinations)
        params = _message_params(source, body, schedule, source_ton, validity)
        if all_part_ids:
            params["GetAllMessageIDs"] = "1"
        parts = segments(body).parts
        results: list[SendResult] = []
        for start in range(0, len(numbers), self.batch_size):
            batch = numbers[start : start + self.batch_size]
            try:
                text = self._call("Send", {"DestinationAddress": ",".join(batch), **params})
                results.extend(parsing.parse_send(text, batch, parts))
            except TextConnectError as error:
                error.partial_results = list(results)
                raise
        return results

    def send_to_group(
        self,
        group: str,
        source: str,
        body: str,
        *,
        schedule: datetime | None = None,
        source_ton: SourceTON | int | None = None,
        validity: int | None = MAX_VALIDITY_SECONDS,
        background_send_id: bool = False,
    ) -> list[str]:
        """Send ``body`` to every contact of an address-book group (Send with ``Group``).

        Returns the background-send IDs when ``background_send_id`` is set (usually one; the
        vendor reserves a comma-separated list), else an empty list. Groups of more than 200
        contacts are sent in the background; read them with ``background_send_messages``.
        Contacts the gateway refuses are skipped and the others sent; without
        ``background_send_id`` that answer is ``SomeNumbersFailed`` (-400): the others were
        sent, so do not send again.
        """
        return self._send_to_collection(
            "Group", "GroupName", group, source, body, schedule, source_ton, validity,
            background_send_id,
        )  # fmt: skip

    def send_to_list(
        self,
        list_name: str,
        source: str,
        body: str,
        *,
        schedule: datetime | None = None,
        source_ton: SourceTON | int | None = None,
        validity: int | None = MAX_VALIDITY_SECONDS,
        background_send_id: bool = False,
    ) -> list[str]:
        """Send ``body`` to a distribution list (Send with ``List``); as ``send_to_group``."""
        return self._send_to_collection(
            "List", "ListName", list_name, source, body, schedule, source_ton, validity,
            background_send_id,
        )  # fmt: skip

    # -- account and address book (never retried) ------------------------------------------

    def create_user(
        self,
        username: str,
        password: str,
        *,
        first_name: str,
        last_name: str,
        email: str,
        credits: int = 0,
        access_level: AccessLevel | str = AccessLevel.NORMAL,
        telephone: str | None = None,
        credit_reminder: int | None = None,
        alert: int | None = None,
    ) -> None:
        """Create a child user (CreateUser; admin accounts only).

        ``credits`` are moved from this account to the new user. On failure the raised
        error's text keeps every line the gateway wrote about the problem.
        """
        params = {
            "ChildUsername": _required("username", username),
            "ChildPassword": _required("password", password),
            "AccessLevel": _access_level(access_level),
            "FirstName": _required("first_name", first_name),
            "LastName": _required("last_name", last_name),
            "Email": _required("email", email),
            "Credits": str(_whole("credits", credits, minimum=0)),
        }
        if telephone:
            params["Telephone"] = telephone
        if credit_reminder is not None:
            params["CreditReminder"] = str(_whole("credit_reminder", credit_reminder, minimum=0))
        if alert is not None:
            params["Alert"] = str(_whole("alert", alert, minimum=0))
        self._write("CreateUser", params)

    def update_credits(self, child: str, quantity: int) -> None:
        """Move credits to a child user (positive ``quantity``) or back from it (negative)."""
        quantity = _whole("quantity", quantity)
        if quantity == 0:
            raise ValueError("quantity must not be zero")
        params = {"ChildUsername": _required("child", child), "Quantity": str(quantity)}
        self._write("UpdateCredits", params)

    def import_contacts(
        self,
        contacts: Iterable[Contact | Sequence[str]],
        ignore_dupes: bool = False,
        overwrite_dupes: bool = False,
    ) -> list[ImportResult]:
        """Import contacts into the address book (ImportContactsCSV); one result per contact.

        Each contact is a ``Contact`` or a sequence ``(name, number, email, *groups)``. Fields
        may not contain commas or line breaks: the vendor documents no quoting. Duplicates are
        refused unless ``ignore_dupes``; ``overwrite_dupes`` overwrites a duplicate number (and
        makes the gateway ignore ``ignore_dupes``).
        """
        lines = [_contact_line(contact) for contact in contacts]
        if not lines:
            raise ValueError("contacts must not be empty")
        params = {"ContactsCSV": "\n".join(lines)}
        if ignore_dupes:
            params["IgnoreDupes"] = "1"
        if overwrite_dupes:
            params["OverwriteDupes"] = "1"
        return parsing.parse_import(self._call("ImportContactsCSV", params))

    def delete_all_contacts(self) -> None:
        """Delete every contact of the account (DeleteAllContacts)."""
        self._write("DeleteAllContacts", {})

    def delete_all_groups(self) -> None:
        """Delete every contact group of the account (DeleteAllGroups)."""
        self._write("DeleteAllGroups", {})

    def empty_group(self, name: str) -> None:
        """Remove all contacts from a group (EmptyGroup); ``UnknownGroup`` if it is missing."""
        self._write("EmptyGroup", {"Group": _required("name", name)})

    def delete_group(self, name: str) -> None:
        """Delete a group (DeleteGroup); ``UnknownGroup`` if it is missing."""
        self._write("DeleteGroup", {"Group": _required("name", name)})

    # -- plumbing --------------------------------------------------------------------------

    def _send_to_collection(
        self,
        word: str,
        name_param: str,
        name: str,
        source: str,
        body: str,
        schedule: datetime | None,
        source_ton: SourceTON | int | None,
        validity: int | None,
        background_send_id: bool,
    ) -> list[str]:
        params = {
            "DestinationAddress": word,
            name_param: _required(name_param, name),
            **_message_params(source, body, schedule, source_ton, validity),
        }
        if background_send_id:
            params["GetBGSendID"] = "1"
            return parsing.parse_ids(self._call("Send", params), "Send")
        parsing.parse_ok(self._call("Send", params), "Send")
        return []

    def _read[T](self, action: str, params: dict[str, str], parse: Callable[[str], T]) -> T:
        return call_with_retries(
            lambda: parse(self._call(action, params)), self.retry, action=action, sleep=self._sleep
        )

    def _write(self, action: str, params: dict[str, str]) -> None:
        parsing.parse_ok(self._call(action, params), action)

    def _call(self, action: str, params: dict[str, str]) -> str:
        """One POST to the gateway; the answer's text, or TransportError."""
        data = {
            "Token": self._token.reveal(),
            "Action": action,
            "ShowErrorMessage": "1",
            **params,
        }
        started = time.perf_counter()
        try:
            with Deadline(self.deadline) as deadline:
                response = self._session.post(
                    self.base_url,
                    data=data,
                    headers=self._headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
        except requests.RequestException as exc:
            if deadline.expired:
                raise TransportError(
                    f"{action}: no complete answer within {self.deadline:g} s"
                ) from None
            raise self._transport_error(action, exc) from None
        status = response.status_code
        logger.debug("%s: HTTP %s in %.3fs", action, status, time.perf_counter() - started)
        if not 200 <= status < 300:
            # A 4xx or redirect was refused before the action ran; a 5xx may come after it.
            raise TransportError(
                f"{action}: HTTP {status}", may_have_reached=status >= 500, status_code=status
            )
        text = _decode(response)
        if text.lstrip().startswith("<"):
            sample = text.strip()[:120].replace("\n", "\\n")
            raise UnexpectedAnswer(f"{action}: answer is markup, not an API answer: {sample!r}")
        return text

    def _transport_error(self, action: str, exc: requests.RequestException) -> TransportError:
        detail = str(exc).replace(self._token.reveal(), "***")
        return TransportError(
            f"{action}: {type(exc).__name__}: {detail}", may_have_reached=_may_have_reached(exc)
        )


def _total(timeout: Timeout) -> float:
    """The default deadline: the connect and read timeouts added up."""
    return float(sum(timeout)) if isinstance(timeout, tuple) else float(timeout)


def _session() -> requests.Session:
    session = requests.Session()
    adapter = DeadlineAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _may_have_reached(exc: requests.RequestException) -> bool:
    """False only when the request certainly never left: no connection could be opened."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.InvalidURL):
        return False
    if isinstance(exc, requests.exceptions.MissingSchema | requests.exceptions.InvalidSchema):
        return False
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", exc.args[0])
        if isinstance(reason, NewConnectionError | ConnectTimeoutError):
            return False
    return True


def _decode(response: requests.Response) -> str:
    content_type = response.headers.get("Content-Type", "")
    if "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
        try:
            return response.content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return response.content.decode("utf-8")
    except UnicodeDecodeError:
        return response.content.decode("latin-1")


# -- argument checks (before any HTTP call) -------------------------------------------------


def _required(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value


def _whole(name: str, value: Any, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _destinations(destinations: Sequence[str] | str) -> list[str]:
    numbers = [destinations] if isinstance(destinations, str) else list(destinations)
    if not numbers:
        raise ValueError("destinations must not be empty")
    for number in numbers:
        if not isinstance(number, str) or not number.strip():
            raise ValueError(f"destinations must be non-empty strings, got {number!r}")
        if "," in number:
            raise ValueError(f"destinations: pass numbers as a list, not {number!r}")
        if number.strip().lower() in _COLLECTION_WORDS:
            raise ValueError("destinations: use send_to_group or send_to_list for groups and lists")
    return [number.strip() for number in numbers]


def _message_params(
    source: str,
    body: str,
    schedule: datetime | None,
    source_ton: SourceTON | int | None,
    validity: int | None,
) -> dict[str, str]:
    source = _required("source", source)
    alphanumeric = source_ton == SourceTON.ALPHANUMERIC or not _NUMERIC_SOURCE.fullmatch(source)
    if alphanumeric and len(source) > MAX_ALPHANUMERIC_SOURCE:
        raise ValueError(
            f"source: an alphanumeric source has at most {MAX_ALPHANUMERIC_SOURCE} characters, "
            f"got {len(source)}"
        )
    if not isinstance(body, str) or not body.strip():
        raise ValueError("body must not be blank")
    if len(body) > MAX_BODY_CHARS:
        raise ValueError(f"body: at most {MAX_BODY_CHARS} characters, got {len(body)}")
    params = {"SourceAddress": source, "Body": body}
    if schedule is not None:
        if schedule.tzinfo is None or schedule.utcoffset() is None:
            raise ValueError("schedule must be an aware datetime")
        if schedule <= datetime.now(UTC):
            raise ValueError("schedule must be in the future")
        params["ScheduleDate"] = _vendor_time("schedule", schedule)
    if source_ton is not None:
        try:
            params["SourceTON"] = str(int(SourceTON(source_ton)))
        except ValueError:
            raise ValueError(f"source_ton must be 1 or 5, got {source_ton!r}") from None
    if validity is not None:
        validity = _whole("validity", validity, minimum=1)
        if validity > MAX_VALIDITY_SECONDS:
            raise ValueError(f"validity: at most {MAX_VALIDITY_SECONDS} seconds, got {validity}")
        params["ValidityPeriod"] = str(validity)
    return params


def _report_params(
    report_type: ReportType | str, start: datetime | None, end: datetime | None
) -> dict[str, str]:
    report_type = _required("report_type", str(report_type))
    is_outbox = report_type.lower() == ReportType.OUTBOX.lower()
    if (start is None or end is None) and not is_outbox:
        raise ValueError("start and end are required for this report type")
    now = datetime.now(UTC)
    start_value = _vendor_time("start", start or now)
    end_value = _vendor_time("end", _ceil_second(end or now))
    if start is not None and end is not None and end < start:
        raise ValueError("end must not be before start")
    return {"ReportType": report_type, "From": start_value, "To": end_value}


def _vendor_time(name: str, moment: datetime) -> str:
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return moment.astimezone(parsing.VENDOR_ZONE).strftime(API_DATETIME_FORMAT)


def _ceil_second(moment: datetime) -> datetime:
    if isinstance(moment, datetime) and moment.microsecond:
        return moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


def _access_level(value: AccessLevel | str) -> str:
    for level in AccessLevel:
        if str(value).lower() == level.value.lower():
            return level.value
    raise ValueError(f"access_level must be Normal or Admin, got {value!r}")


def _contact_line(contact: Contact | Sequence[str]) -> str:
    if isinstance(contact, Contact):
        fields = [contact.name, contact.number, contact.email, *contact.groups]
    elif isinstance(contact, str):
        raise ValueError("contacts: each contact is a Contact or a sequence of fields")
    else:
        fields = ["" if field is None else str(field) for field in contact]
    if len(fields) < 2:
        raise ValueError("contacts: each contact needs at least a name and a number")
    for field in fields:
        if "," in field or "\n" in field or "\r" in field:
            raise ValueError(f"contacts: a field may not hold a comma or line break: {field!r}")
    return ",".join(fields)
