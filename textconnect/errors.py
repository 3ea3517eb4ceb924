"""The gateway's error-code table as exceptions, plus the transport failure.

Every code in the vendor's table has its own class under one of four groups, all under
``TextConnectError``. ``error_for_code`` builds the right instance; a negative code missing from
the table still becomes a ``TextConnectError`` carrying that code.
"""

from __future__ import annotations

from typing import Any


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
        return (_rebuild_transport, (self.text, self.may_have_reached, self.status_code))


def _rebuild_transport(
    text: str, may_have_reached: bool, status_code: int | None
) -> TransportError:
    return TransportError(text, may_have_reached=may_have_reached, status_code=status_code)


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


# The vendor's table, one class per code.
class NotEnoughCredits(InsufficientCredits):
    """-100: Not Enough Credits."""

    code = -100
    default_text = "Not Enough Credits"


class InvalidCreditID(InvalidRequest):
    """-101: Invalid CreditID."""

    code = -101
    default_text = "Invalid CreditID"


class InvalidContact(InvalidRequest):
    """-200: Invalid Contact."""

    code = -200
    default_text = "Invalid Contact"


class GeneralDatabaseError(GatewayUnavailable):
    """-300: General Database Error."""

    code = -300
    default_text = "General Database Error"


class UnknownError(GatewayUnavailable):
    """-301: Unknown Error."""

    code = -301
    default_text = "Unknown Error"


class ReturnXMLError(GatewayUnavailable):
    """-302: Return XML Error."""

    code = -302
    default_text = "Return XML Error"


class ReceivedXMLError(InvalidRequest):
    """-303: Received XML Error."""

    code = -303
    default_text = "Received XML Error"


class SomeNumbersFailed(InvalidRequest):
    """-400: Some numbers in list failed."""

    code = -400
    default_text = "Some numbers in list failed"


class InvalidDestinationAddress(InvalidRequest):
    """-401: Invalid Destination Address."""

    code = -401
    default_text = "Invalid Destination Address"


class SourceAddressTooLong(InvalidRequest):
    """-402: Invalid Source Address – Alphanumeric too long."""

    code = -402
    default_text = "Invalid Source Address – Alphanumeric too long"


class InvalidSourceNumber(InvalidRequest):
    """-403: Invalid Source Address – Invalid Number."""

    code = -403
    default_text = "Invalid Source Address – Invalid Number"


class BlankBody(InvalidRequest):
    """-404: Blank Body."""

    code = -404
    default_text = "Blank Body"


class InvalidValidityPeriod(InvalidRequest):
    """-405: Invalid Validity Period."""

    code = -405
    default_text = "Invalid Validity Period"


class NoRouteAvailable(InvalidRequest):
    """-406: No Route Available."""

    code = -406
    default_text = "No Route Available"


class InvalidScheduleDate(InvalidRequest):
    """-407: Invalid Schedule Date."""

    code = -407
    default_text = "Invalid Schedule Date"


class DistributionListEmpty(InvalidRequest):
    """-408: Distribution List is Empty."""

    code = -408
    default_text = "Distribution List is Empty"


class GroupEmpty(InvalidRequest):
    """-409: Group is Empty."""

    code = -409
    default_text = "Group is Empty"


class InvalidDistributionList(InvalidRequest):
    """-410: Invalid Distribution List."""

    code = -410
    default_text = "Invalid Distribution List"


class DailyLimitExceeded(InvalidRequest):
    """-411: daily limit of messages to a single number exceeded."""

    code = -411
    default_text = (
        "You have exceeded the limit of messages you can send in a single day to a single number"
    )


class NumberBlacklisted(InvalidRequest):
    """-412: Number is blacklisted."""

    code = -412
    default_text = "Number is blacklisted"


class InvalidGroup(InvalidRequest):
    """-414: Invalid Group."""

    code = -414
    default_text = "Invalid Group"


class UnknownUsernamePassword(AuthenticationError):
    """-501: Unknown Username/Password."""

    code = -501
    default_text = "Unknown Username/Password"


class UnknownAction(InvalidRequest):
    """-502: Unknown Action."""

    code = -502
    default_text = "Unknown Action"


class UnknownMessageID(NotFound):
    """-503: Unknown Message ID."""

    code = -503
    default_text = "Unknown Message ID"


class InvalidFromTimestamp(InvalidRequest):
    """-504: Invalid From Timestamp."""

    code = -504
    default_text = "Invalid From Timestamp"


class InvalidToTimestamp(InvalidRequest):
    """-505: Invalid To Timestamp."""

    code = -505
    default_text = "Invalid To Timestamp"


class SourceAddressNotAllowed(InvalidRequest):
    """-506: Source Address Not Allowed (Email2SMS)."""

    code = -506
    default_text = "Source Address Not Allowed (Email2SMS)"


class InvalidOrMissingDetails(InvalidRequest):
    """-507: Invalid/Missing Details."""

    code = -507
    default_text = "Invalid/Missing Details"


class ErrorCreatingUser(InvalidRequest):
    """-508: Error Creating User."""

    code = -508
    default_text = "Error Creating User"


class UnknownUser(NotFound):
    """-509: Unknown/Invalid User."""

    code = -509
    default_text = "Unknown/Invalid User"


class NegativeCreditsNotAllowed(InsufficientCredits):
    """-510: You cannot set a user’s credits to be less than 0."""

    code = -510
    default_text = "You cannot set a user’s credits to be less than 0"


class MaintenanceMode(GatewayUnavailable):
    """-511: The system is down for maintenance."""

    code = -511
    default_text = "The system is down for maintenance"


class UserSuspended(AuthenticationError):
    """-512: User Suspended."""

    code = -512
    default_text = "User Suspended"


class LicenseInUse(AuthenticationError):
    """-513: License in use."""

    code = -513
    default_text = "License in use"


class LicenseExpired(AuthenticationError):
    """-514: License expired."""

    code = -514
    default_text = "License expired"


class NoLicenseAvailable(AuthenticationError):
    """-515: No License available."""

    code = -515
    default_text = "No License available"


class UnknownList(NotFound):
    """-516: Unknown List."""

    code = -516
    default_text = "Unknown List"


class UnableToCreateList(InvalidRequest):
    """-517: Unable to create List."""

    code = -517
    default_text = "Unable to create List"


class InvalidSourceAddress(InvalidRequest):
    """-518: Blank or Invalid Source Address."""

    code = -518
    default_text = "Blank or Invalid Source Address"


class BlankMessageBody(InvalidRequest):
    """-519: Blank Message Body."""

    code = -519
    default_text = "Blank Message Body"


class UnknownGroup(NotFound):
    """-520: Unknown Group."""

    code = -520
    default_text = "Unknown Group"


class UnknownBackgroundSendID(NotFound):
    """-521: Unknown Background Send ID."""

    code = -521
    default_text = "Unknown Background Send ID"


class BackgroundSendNotFinished(NotReady):
    """-522: Background Send Not Finished."""

    code = -522
    default_text = "Background Send Not Finished"


class NoMessagesFound(NotFound):
    """-523: No messages were found."""

    code = -523
    default_text = "No messages were found"


class UnknownReportType(InvalidRequest):
    """-601: Unknown Report Type."""

    code = -601
    default_text = "Unknown Report Type"


class NoUserIDSpecified(InvalidRequest):
    """-701: No UserID Specified."""

    code = -701
    default_text = "No UserID Specified"


class InvalidAmount(InvalidRequest):
    """-702: Invalid Amount Specified."""

    code = -702
    default_text = "Invalid Amount Specified"


class InvalidCurrency(InvalidRequest):
    """-703: Invalid Currency Requested."""

    code = -703
    default_text = "Invalid Currency Requested"


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
