"""Message parts, checked by examples and against an independent encoder of GSM 03.38."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textconnect.segments import (
    credits_needed,
    credits_per_part,
    segments,
    ucs2_characters,
)

# GSM 03.38 default alphabet written out as the 128-entry code table, row by row (0x00..0x7F);
# 0x1B is the escape and holds no character. This is a second, independent reading.
_ESC = "\x1b"
GSM_TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ" + _ESC + "ÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Extension table: code after the escape -> character.
GSM_EXTENSION_TABLE = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}


def _encode_gsm(body):
    """Septet groups (one tuple per character), or None when the body is not GSM-7."""
    basic = {char: code for code, char in enumerate(GSM_TABLE) if code != 0x1B}
    extension = {char: code for code, char in GSM_EXTENSION_TABLE.items()}
    groups = []
    for char in body:
        if char in basic:
            groups.append((basic[char],))
        elif char in extension:
            groups.append((0x1B, extension[char]))
        else:
            return None
    return groups


def _pack(groups, single, multi):
    total = sum(len(group) for group in groups)
    if total == 0:
        return 0, 0
    if total <= single:
        return 1, total
    parts = [[]]
    for group in groups:
        if len(parts[-1]) + len(group) > multi:
            parts.append([])
        parts[-1].extend(group)
    return len(parts), total


def independent_reading(body):
    groups = _encode_gsm(body)
    if groups is not None:
        return ("GSM-7", *_pack(groups, 160, 153))
    utf16 = body.encode("utf-16-le")
    units = [utf16[i : i + 2] for i in range(0, len(utf16), 2)]
    groups = []
    for unit in units:
        # A low surrogate (DC00..DFFF) belongs with the high surrogate before it.
        if groups and 0xDC <= unit[1] <= 0xDF:
            groups[-1] = groups[-1] + (unit,)
        else:
            groups.append((unit,))
    return ("UCS-2", *_pack(groups, 70, 67))


gsm_chars = st.sampled_from(
    [c for c in GSM_TABLE if c != _ESC] + list(GSM_EXTENSION_TABLE.values())
)
gsm_bodies = st.text(alphabet=gsm_chars, max_size=500)
any_bodies = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400)
# No lone surrogates: no text that reaches the client can hold one (UTF-8 cannot carry it).
any_chars = st.characters(exclude_categories=("Cs",))
mixed_bodies = st.lists(st.one_of(gsm_chars, any_chars), max_size=400).map("".join)


@settings(max_examples=150, deadline=None)
@given(gsm_bodies)
def test_gsm_bodies_agree_with_independent_encoder(body):
    result = segments(body)
    assert (result.encoding, result.parts, result.chars) == independent_reading(body)


@settings(max_examples=150, deadline=None)
@given(mixed_bodies)
def test_any_body_agrees_with_independent_encoder(body):
    result = segments(body)
    assert (result.encoding, result.parts, result.chars) == independent_reading(body)


@settings(max_examples=100, deadline=None)
@given(any_bodies)
def test_body_is_ucs2_exactly_when_a_character_forces_it(body):
    assert (segments(body).encoding == "UCS-2") == bool(ucs2_characters(body))


@settings(max_examples=100, deadline=None)
@given(gsm_bodies, gsm_bodies)
def test_appending_text_never_reduces_parts(left, right):
    assert segments(left + right).parts >= segments(left).parts


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", ("GSM-7", 0, 0)),
        ("a" * 160, ("GSM-7", 1, 160)),
        ("a" * 161, ("GSM-7", 2, 161)),
        ("a" * 306, ("GSM-7", 2, 306)),
        ("a" * 307, ("GSM-7", 3, 307)),
        ("a" * 459, ("GSM-7", 3, 459)),
        ("€" * 80, ("GSM-7", 1, 160)),
        ("€" * 81, ("GSM-7", 2, 162)),
        ("é" * 70, ("GSM-7", 1, 70)),
        ("ж" * 70, ("UCS-2", 1, 70)),
        ("ж" * 71, ("UCS-2", 2, 71)),
        ("ж" * 134, ("UCS-2", 2, 134)),
        ("ж" * 135, ("UCS-2", 3, 135)),
        ("😀" * 35, ("UCS-2", 1, 70)),
    ],
)
def test_examples_follow_part_sizes(body, expected):
    result = segments(body)
    assert (result.encoding, result.parts, result.chars) == expected


def test_pound_dollar_ampersand_are_one_septet():
    assert segments("£$&").chars == 3
    assert segments("£$&").encoding == "GSM-7"


@pytest.mark.parametrize("char", list("^{}\\[~]|€\f"))
def test_extension_characters_count_two(char):
    assert segments(char).chars == 2


def test_extension_character_is_not_split_across_parts():
    # 306 septets fit two parts of 153, but the escape pair cannot straddle the boundary.
    body = "a" * 152 + "€" + "a" * 152
    assert segments(body).chars == 306
    assert segments(body).parts == 3


def test_surrogate_pair_is_not_split_across_parts():
    body = "ж" * 66 + "😀" + "ж" * 67
    assert segments(body).parts == 3


def test_ucs2_characters_lists_distinct_offenders_in_order():
    assert ucs2_characters("héllo ж 😀 ж wörld ç") == ["ж", "😀", "ç"]


def test_ascii_letters_and_digits_never_force_ucs2():
    assert ucs2_characters(string.ascii_letters + string.digits + " .,!?") == []


@pytest.mark.parametrize(
    ("destination", "credits"),
    [("447700900123", 1), ("+447700900123", 1), ("00447700900123", 1), ("33612345678", 2)],
)
def test_credits_per_part_by_destination(destination, credits):
    assert credits_per_part(destination) == credits


def test_credits_needed_multiplies_parts_by_destination_rate():
    assert credits_needed("a" * 200, ["447700900001", "33612345678"]) == 2 * 1 + 2 * 2


def test_empty_body_costs_nothing():
    assert credits_needed("", ["447700900001"]) == 0


uk_or_not = st.sampled_from(["447700900123", "+447700900123", "33612345678", "12025550123"])


@settings(max_examples=100, deadline=None)
@given(mixed_bodies, st.lists(uk_or_not, max_size=5))
def test_credits_needed_is_parts_times_destination_rates(body, destinations):
    _, parts, _ = independent_reading(body)
    rates = sum(1 if d.lstrip("+").startswith("44") else 2 for d in destinations)
    assert credits_needed(body, destinations) == parts * rates
