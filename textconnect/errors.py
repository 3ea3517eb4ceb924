"""The gateway's error codes: the one table of codes and texts, and an exception per code.

``ERROR_TEXTS`` is the vendor's table, character for character; the sandbox answers from it and
every exception class takes its text from it. Every code has its own class under one of five
groups, all under ``TextConnectError``. ``error_for_code`` builds the right instance; a negative
code missing from the table still becomes a ``TextConnectError`` carrying that code.
"""

from __future__ import annotations

from typing import Any

# The vendor's documentation, character for character (its en dashes and right single quote
# included). -521..-523 come from its list of GetBGMessages errors.
ERROR_TEXTS: dict[int, str] = {
    -100: "Not Enough Credits",
    -101: "Invalid CreditID",
    -200: "Invalid Contact",
    -300: "General Database Error",
    -301: "Unknown Error",
    -302: "Return XML Error",
    -303: "Received XML Error",
    -400: "Some numbers in list failed",
    -401: "Invalid Destination Address",
    -402: "Invalid Source Address – Alphanumeric too long",
    -403: "Invalid Source Address – Invalid Number",
    -404: "Blank Body",
    -405: "Invalid Validity Period",
    -406: "No Route Available",
    -407: "Invalid Schedule Date",
    -408: "Distribution List is Empty",
    -409: "Group is Empty",
    -410: "Invalid Distribution List",
    -411: "You have exceeded the limit of messages you can send in a single day to a single number",
    -412: "Number is blacklisted",
    -414: "Invalid Group",
    -501: "Unknown Username/Password",
    -502: "Unknown Action",
    -503: "Unknown Message ID",
    -504: "Invalid From Timestamp",
    -505: "Invalid To Timestamp",
    -506: "Source Address Not Allowed (Email2SMS)",
    -507: "Invalid/Missing Details",
    -508: "Error Creating User",
    -509: "Unknown/Invalid User",
    -510: "You cannot set a user’s credits to be less than 0",
    -511: "The system is down for maintenance",
    -512: "User Suspended",
    -513: "License in use",
    -514: "License expired",
    -515: "No License available",
    -516: "Unknown List",
    -517: "Unable to create List",
    -518: "Blank or Invalid Source Address",
    -519: "Blank Message Body",
    -520: "Unknown Group",
    -521: "Unknown Background Send ID",
    -522: "Background Send Not Finished",
    -523: "No messages were found",
    -601: "Unknown Report Type",
    -701: "No UserID Specified",
    -702: "Invalid Amount Specified",
    -703: "Invalid Currency Requested",
}


class TextConnectError(Exception):
    """Root of every error the client raises; ``code`` is the gateway's negative code.

    ``text`` is the vendor's message for the code (as sent with ``ShowErrorMessage``, else the
    table's wording). ``partial_results`` is filled when a batched send fails after earlier
    batches were accepted: those results, which must not be sent again.
    """

    code: int | None = None
    default_text: str = "Text-Connect error"

    def __init__(self, text: str | None = None, *, code: int | None = None) -> None:
        if code is not None:
            self.code = code
        self.text = text if text else self.default_text
        self.partial_results: list[Any] = []
        super().__init__(self.text)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A class for a code of the table says only its code; its text comes from the table.
        if cls.__dict__.get("code") is not None:
            cls.default_text = ERROR_TEXTS[cls.code]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}" if self.code is not None else self.text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, text={self.text!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Survives pickling (Celery results) as the same class with the same code and text.
        return (_rebuild, (type(self), self.text, self.code))


def _rebuild(cls: type[TextConnectError], text: str, code: int | None) -> TextConnectError:
    return cls(text, code=code)


class TransportError(TextConnectError):
    """The call got no usable answer: timeout, connection failure, HTTP error or garbled body.

    ``may_have_reached`` is False only when the request certainly never reached the gateway
    (the connection could not be opened, or an HTTP 4xx refused it); otherwise the action may
    have run, so a send must be reconciled rather than repeated.
    """

    default_text = "transport failure"

    def __init__(
        self,
        text: str | None = None,
        *,
        may_have_reached: bool = True,
        status_code: int | None = None,
    ) -> None:
        super().__init__(text)
        self.may_have_reached = may_have_reached
        self.status_code = status_code

    def __repr__(self) -> str:
        return (
            f"TransportError(text={self.text!r}, may_have_reached={self.may_have_reached!r}, "
            f"status_code={self.status_code!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_transport,
            (self.text, self.may_have_reached, self.status_code, type(self)),
        )


class UnexpectedAnswer(TransportError):
    """The gateway answered, but not as the API documents (markup, an unknown word): the text
    holds a sample of the answer, for logs only; show people that the answer was unexpected."""


def _rebuild_transport(
    text: str,
    may_have_reached: bool,
    status_code: int | None,
    cls: type[TransportError] = TransportError,
) -> TransportError:
    return cls(text, may_have_reached=may_have_reached, status_code=status_code)


# The four groups.
class AuthenticationError(TextConnectError):
    """The token or the account cannot be used (bad token, suspended, licence problems)."""


class InsufficientCredits(TextConnectError):
    """Not enough credits for the action."""


class InvalidRequest(TextConnectError):
    """The gateway refused the request's content; sending it again will not help."""


class NotFound(InvalidRequest):
    """A named object (message, user, group, list, background send) does not exist."""


class GatewayUnavailable(TextConnectError):
    """The gateway failed on its side (maintenance, database); read-only calls are retried."""


class NotReady(TextConnectError):
    """The object exists but its answer is not ready yet (background send still running)."""


# The vendor's table, one class per code (the text comes from ERROR_TEXTS).
class NotEnoughCredits(InsufficientCredits):
    """-100: Not Enough Credits."""

    code = -100


class InvalidCreditID(InvalidRequest):
    """-101: Invalid CreditID."""

    code = -101


class InvalidContact(InvalidRequest):
    """-200: Invalid Contact."""

    code = -200


class GeneralDatabaseError(GatewayUnavailable):
    """-300: General Database Error."""

    code = -300


class UnknownError(GatewayUnavailable):
    """-301: Unknown Error."""

    code = -301


class ReturnXMLError(GatewayUnavailable):
    """-302: Return XML Error."""

    code = -302


class ReceivedXMLError(InvalidRequest):
    """-303: Received XML Error."""

    code = -303


class SomeNumbersFailed(InvalidRequest):
    """-400: Some numbers in list failed."""

    code = -400


class InvalidDestinationAddress(InvalidRequest):
    """-401: Invalid Destination Address."""

    code = -401


class SourceAddressTooLong(InvalidRequest):
    """-402: Invalid Source Address – Alphanumeric too long."""

    code = -402


class InvalidSourceNumber(InvalidRequest):
    """-403: Invalid Source Address – Invalid Number."""

    code = -403


class BlankBody(InvalidRequest):
    """-404: Blank Body."""

    code = -404


class InvalidValidityPeriod(InvalidRequest):
    """-405: Invalid Validity Period."""

    code = -405


class NoRouteAvailable(InvalidRequest):
    """-406: No Route Available."""

    code = -406


class InvalidScheduleDate(InvalidRequest):
    """-407: Invalid Schedule Date."""

    code = -407


class DistributionListEmpty(InvalidRequest):
    """-408: Distribution List is Empty."""

    code = -408


class GroupEmpty(InvalidRequest):
    """-409: Group is Empty."""

    code = -409


class InvalidDistributionList(InvalidRequest):
    """-410: Invalid Distribution List."""

    code = -410


class DailyLimitExceeded(InvalidRequest):
    """-411: daily limit of messages to a single number exceeded."""

    code = -411


class NumberBlacklisted(InvalidRequest):
    """-412: Number is blacklisted."""

    code = -412


class InvalidGroup(InvalidRequest):
    """-414: Invalid Group."""

    code = -414


class UnknownUsernamePassword(AuthenticationError):
    """-501: Unknown Username/Password."""

    code = -501


class UnknownAction(InvalidRequest):
    """-502: Unknown Action."""

    code = -502


class UnknownMessageID(NotFound):
    """-503: Unknown Message ID."""

    code = -503


class InvalidFromTimestamp(InvalidRequest):
    """-504: Invalid From Timestamp."""

    code = -504


class InvalidToTimestamp(InvalidRequest):
    """-505: Invalid To Timestamp."""

    code = -505


class SourceAddressNotAllowed(InvalidRequest):
    """-506: Source Address Not Allowed (Email2SMS)."""

    code = -506


class InvalidOrMissingDetails(InvalidRequest):
    """-507: Invalid/Missing Details."""

    code = -507


class ErrorCreatingUser(InvalidRequest):
    """-508: Error Creating User."""

    code = -508


class UnknownUser(NotFound):
    """-509: Unknown/Invalid User."""

    code = -509


class NegativeCreditsNotAllowed(InsufficientCredits):
    """-510: You cannot set a user’s credits to be less than 0."""

    code = -510


class MaintenanceMode(GatewayUnavailable):
    """-511: The system is down for maintenance."""

    code = -511


class UserSuspended(AuthenticationError):
    """-512: User Suspended."""

    code = -512


class LicenseInUse(AuthenticationError):
    """-513: License in use."""

    code = -513


class LicenseExpired(AuthenticationError):
    """-514: License expired."""

    code = -514


class NoLicenseAvailable(AuthenticationError):
    """-515: No License available."""

    code = -515


class UnknownList(NotFound):
    """-516: Unknown List."""

    code = -516


class UnableToCreateList(InvalidRequest):
    """-517: Unable to create List."""

    code = -517


class InvalidSourceAddress(InvalidRequest):
    """-518: Blank or Invalid Source Address."""

    code = -518


class BlankMessageBody(InvalidRequest):
    """-519: Blank Message Body."""

    code = -519


class UnknownGroup(NotFound):
    """-520: Unknown Group."""

    code = -520


class UnknownBackgroundSendID(NotFound):
    """-521: Unknown Background Send ID."""

    code = -521


class BackgroundSendNotFinished(NotReady):
    """-522: Background Send Not Finished."""

    code = -522


class NoMessagesFound(NotFound):
    """-523: No messages were found."""

    code = -523


class UnknownReportType(InvalidRequest):
    """-601: Unknown Report Type."""

    code = -601


class NoUserIDSpecified(InvalidRequest):
    """-701: No UserID Specified."""

    code = -701


class InvalidAmount(InvalidRequest):
    """-702: Invalid Amount Specified."""

    code = -702


class InvalidCurrency(InvalidRequest):
    """-703: Invalid Currency Requested."""

    code = -703


def _all_subclasses(cls: type[TextConnectError]) -> list[type[TextConnectError]]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


ERRORS_BY_CODE: dict[int, type[TextConnectError]] = {
    cls.code: cls for cls in _all_subclasses(TextConnectError) if cls.code is not None
}

# Codes that retrying a read-only call can cure.
RETRYABLE_CODES = frozenset({-300, -511})


def error_for_code(code: int, text: str | None = None) -> TextConnectError:
    """The exception for a gateway code; unknown codes give a plain ``TextConnectError``."""
    cls = ERRORS_BY_CODE.get(code)
    if cls is None:
        return TextConnectError(text or f"Unknown error code {code}", code=code)
    return cls(text)
