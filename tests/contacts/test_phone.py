"""Reading phone numbers: the quick path for UK mobiles gives what `phonenumbers` gives."""

import random

import pytest

from contacts import phone
from contacts.phone import InvalidNumber, normalise_number


def by_library(raw: str, country: str = "GB") -> str:
    """The number as `phonenumbers` alone reads it (normalise_number without its quick path)."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.isdigit() and len(text) > 10 and not text.startswith("0"):
        text = "+" + text
    try:
        return phone._parse(text, raw, country)
    except InvalidNumber:
        return "invalid"


def ours(raw: str, country: str = "GB") -> str:
    try:
        return normalise_number(raw, country)
    except InvalidNumber:
        return "invalid"


def test_uk_mobiles_in_every_written_form_read_as_the_library_reads_them():
    rng = random.Random(18)
    for _ in range(5000):
        digits = "7" + "".join(rng.choice("0123456789") for _ in range(9))
        text = rng.choice(["0", "+44", "0044", "44", "+44 ", "0044 "]) + digits
        gaps = [" " if i and rng.random() < 0.2 else "" for i in range(len(text))]
        spaced = "".join(ch + gap for ch, gap in zip(text, gaps, strict=True))
        for raw in (text, spaced, f" {spaced} "):
            assert ours(raw) == by_library(raw), raw


@pytest.mark.parametrize(
    "raw",
    ["07700 900123", "+44 7700 900123", "00447700900123", "447700900123", "+44 (0) 7700 900123",
     "07700-900-123", "+4407700900123", "0770090012", "077009001234", "+1 (212) 555-0123",
     "0049 151 12345670", "+33 6 81 23 45 67", "01632 960123", "+44 1632 960123", "7700900123",
     "07700 900123 ext. 5", "0 7700 900 123", "07700\u00a0900123", "+44 7700 900123\t"],
)  # fmt: skip
def test_other_forms_are_left_to_the_library(raw):
    assert ours(raw) == by_library(raw)


def test_the_quick_path_is_for_numbers_read_in_the_uk_only():
    assert normalise_number("07700 900123", "GB") == "+447700900123"
    assert ours("07700 900123", "FR") == by_library("07700 900123", "FR") == "invalid"
