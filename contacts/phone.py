"""Phone numbers: read any common format, store E.164, send the gateway's digits-only form."""

import phonenumbers


class InvalidNumber(ValueError):
    """A number that cannot be read as a valid phone number."""


def normalise_number(raw: str, default_country: str = "GB") -> str:
    """`07700 900123`, `+44 7700 900123` or `00447700900123` -> `+447700900123` (E.164).

    Numbers typed without a country code are read in `default_country` (ISO 3166 alpha-2).
    Raises InvalidNumber with a message fit for a form.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidNumber("Enter a phone number.")
    if len(text) > 40:
        raise InvalidNumber(f"“{text[:40]}…” is too long to be a phone number.")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.isdigit() and len(text) > 10 and not text.startswith("0"):
        text = "+" + text  # international digits as the gateway writes them: 447700900123
    try:
        number = phonenumbers.parse(text, default_country.upper())
    except phonenumbers.NumberParseException:
        raise InvalidNumber(f"“{raw.strip()}” is not a phone number.") from None
    # Possible rather than valid: Ofcom's drama range (07700 900xxx) and newly allocated ranges are
    # "not valid" to the library's metadata; the gateway answers -401 for a number it cannot reach.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise InvalidNumber(f"“{raw.strip()}” is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def gateway_number(e164: str) -> str:
    """The gateway's form: international digits without the plus (`447700900123`)."""
    return e164.lstrip("+")


def display_number(e164: str) -> str:
    """A readable international form for pages: `+44 7700 900123`."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
