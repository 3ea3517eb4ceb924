"""Date and time inputs written the way the page's language writes them (2/12/2026, 16:05).

The browsers' own pickers (`type="date"`, `datetime-local`, `time`) take their format from the
browser's locale, not the page: a US-English browser shows 12/02/2026 and 04:05 PM on a British
page. These are text inputs in the active language's first input format, read back by the
form fields through the same formats (config/formats), with a hint of the expected shape.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class _LocalInput:
    input_type = "text"
    shape: Any = ""

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        hints = {"placeholder": self.shape, "inputmode": "numeric", "autocomplete": "off"}
        super().__init__(attrs={**hints, **(attrs or {})}, format=format)  # type: ignore[call-arg]


class LocalDateInput(_LocalInput, forms.DateInput):
    """A day: 02/12/2026 in British English and Welsh."""

    shape = _("dd/mm/yyyy")


class LocalDateTimeInput(_LocalInput, forms.DateTimeInput):
    """A day and a 24-hour time: 02/12/2026 16:05."""

    shape = _("dd/mm/yyyy hh:mm")


class LocalTimeInput(_LocalInput, forms.TimeInput):
    """A 24-hour time: 16:05."""

    shape = _("hh:mm")

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs, format or "%H:%M")
