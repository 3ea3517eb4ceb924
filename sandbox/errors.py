"""The exception that carries a gateway code out of a service; the texts are textconnect's table."""

from __future__ import annotations

from textconnect.errors import ERROR_TEXTS


class ApiError(Exception):
    """A call-level failure answered as a negative code; `details` are extra explanation lines."""

    def __init__(self, code: int, *details: str) -> None:
        super().__init__(code, *details)
        self.code = code
        self.details = list(details)

    @property
    def text(self) -> str:
        return ERROR_TEXTS.get(self.code, ERROR_TEXTS[-301])
