"""Message parts and credits, by GSM 03.38; the one rule both the client and the sandbox use.

Counting:

* A body made only of characters from the GSM 03.38 default alphabet (basic set plus the
  extension table) is GSM-7. ``chars`` counts septets: a basic character is one septet, an
  extension-table character (form feed and ``^ { } \\ [ ~ ] | €``) is two (escape + character).
  ``£ $ &`` are in the basic set, so they count one.
* Any other character makes the whole body UCS-2; ``chars`` counts UTF-16 code units, so a
  character outside the Basic Multilingual Plane (most emoji) counts two.
* One part holds 160 septets (GSM-7) or 70 code units (UCS-2). Longer bodies are split into
  parts of at most 153 septets or 67 code units (the rest is the concatenation header).
* Following the standard, a part never ends in the middle of an escape sequence or a surrogate
  pair: a two-unit character that does not fit in what is left of a part moves whole to the
  next part, so such a part carries 152 septets (or 66 code units). Bodies that would fit
  exactly under naive division can therefore need one part more.
* An empty body has no parts and costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 default alphabet, basic set (the escape 0x1B itself is not a character of text).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# GSM 03.38 extension table: sent as escape + character, two septets each.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_PART = {GSM7: 160, UCS2: 70}
MULTI_PART = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class Segments:
    """How a body travels: its encoding, number of parts and length in septets or code units."""

    encoding: str
    parts: int
    chars: int


def ucs2_characters(body: str) -> list[str]:
    """The distinct characters of ``body`` that force UCS-2, in order of first appearance."""
    seen: dict[str, None] = {}
    for char in body:
        if char not in GSM7_BASIC and char not in GSM7_EXTENSION:
            seen.setdefault(char, None)
    return list(seen)


def _unit_costs(body: str, encoding: str) -> list[int]:
    if encoding == GSM7:
        return [2 if char in GSM7_EXTENSION else 1 for char in body]
    return [2 if ord(char) > 0xFFFF else 1 for char in body]


def _count_parts(costs: list[int], per_part: int) -> int:
    parts, used = 1, 0
    for cost in costs:
        if used + cost > per_part:
            parts, used = parts + 1, 0
        used += cost
    return parts


def segments(body: str) -> Segments:
    """Encoding, parts and length of ``body`` (see the module docstring for the rules)."""
    encoding = UCS2 if ucs2_characters(body) else GSM7
    costs = _unit_costs(body, encoding)
    chars = sum(costs)
    if chars == 0:
        parts = 0
    elif chars <= SINGLE_PART[encoding]:
        parts = 1
    else:
        parts = _count_parts(costs, MULTI_PART[encoding])
    return Segments(encoding=encoding, parts=parts, chars=chars)


def credits_per_part(destination: str) -> int:
    """Credits one part costs to ``destination``: 1 for UK numbers (``44...``), else 2.

    A leading ``+`` or ``00`` international prefix is ignored.
    """
    number = destination.strip()
    if number.startswith("+"):
        number = number[1:]
    elif number.startswith("00"):
        number = number[2:]
    return 1 if number.startswith("44") else 2


def credits_needed(body: str, destinations: Iterable[str]) -> int:
    """Credits a send of ``body`` to every one of ``destinations`` costs."""
    parts = segments(body).parts
    return sum(parts * credits_per_part(destination) for destination in destinations)
