"""Phone numbers: read any common format, store E.164, send the gateway's digits-only form."""

import re

import phonenumbers


class InvalidNumber(ValueError):
    """A number that cannot be read as a valid phone number."""


# A UK mobile written as digits and spaces only, nationally (07700 900123) or with the country
# code (+44 7700 900123; 0044... and 447700... arrive here as +44...): its E.164 form is +44 and
# the ten digits from the 7, which is what `phonenumbers` gives for each such string (no national
# prefix to strip after +44, ten digits a possible length for GB), at a twentieth of the cost.
# Anything else (other countries, punctuation, letters, extensions) goes to `phonenumbers`.
_UK_MOBILE = re.compile(r"(?:\+44|0)(7[0-9]{9})")


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
    if default_country.upper() == "GB" and (mobile := _UK_MOBILE.fullmatch(text.replace(" ", ""))):
        return "+44" + mobile.group(1)
    return _parse(text, raw, default_country)


def _parse(text: str, raw: str, default_country: str) -> str:
    """`text` (normalise_number's cleaned form of `raw`) read by `phonenumbers`, in E.164."""
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
