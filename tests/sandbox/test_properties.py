"""Property tests: parts and credits charged, and ImportContactsCSV parsing of any text."""

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox import contacts_csv, sending
from sandbox.models import Message
from textconnect.segments import credits_needed, segments

GSM_CHARS = st.sampled_from(list("abcXYZ 0123,.!?@£$&[]{}~^|€\\\n"))
BODIES = st.one_of(
    st.text(GSM_CHARS, min_size=1, max_size=459),
    st.text(min_size=1, max_size=459).filter(str.strip),
)
NUMBERS = st.lists(
    st.builds(
        lambda cc, n: f"{cc}{n:09d}",
        st.sampled_from(["447", "336", "491"]),
        st.integers(0, 10**9 - 1),
    ),
    min_size=1,
    max_size=5,
)


@pytest.mark.parametrize(
    ("text", "lines"),
    [("", 0), ("a", 1), ("a\n", 1), ("a\n\n", 2), ("a\r\nb", 2), ("a\rb", 2), ("a\nb\n", 2)],
)
def test_line_breaks_of_any_kind_split_and_one_trailing_break_does_not(text, lines):
    assert [p.line for p in contacts_csv.parse(text)] == list(range(1, lines + 1))


@given(text=st.text(max_size=300))
@settings(max_examples=300)
def test_parse_gives_one_result_per_input_line(text):
    parsed = contacts_csv.parse(text)
    assert [p.line for p in parsed] == list(range(1, len(contacts_csv.split_lines(text)) + 1))


@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
@settings(max_examples=200)
def test_parsed_contacts_are_storable(text):
    for parsed in contacts_csv.parse(text):
        if not parsed.error:
            assert parsed.name and "\x00" not in parsed.name
            assert parsed.number.isdigit() and 10 <= len(parsed.number) <= 15


@given(body=BODIES, numbers=NUMBERS)
@settings(max_examples=200)
def test_cost_is_parts_times_credits_per_part(body, numbers):
    expected = sum(segments(body).parts * (1 if n.startswith("44") else 2) for n in numbers)
    assert sending.cost(body, numbers) == Decimal(expected) == credits_needed(body, numbers)


# The API refuses a NUL character in any parameter but ContactsCSV (-507, tested on its own).
SENDABLE_BODIES = BODIES.filter(lambda body: "\x00" not in body)


@given(body=SENDABLE_BODIES, numbers=NUMBERS)
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_send_over_http_charges_exactly_the_parts_rule(gateway, body, numbers):
    Message.objects.all().delete()
    gateway.account.credits = 10_000
    gateway.account.save()
    numbers = [n for n in numbers if not n.endswith(("008", "009"))] or ["447700900100"]
    ids = gateway.send(",".join(numbers), body).split(",")
    assert all(i.isdigit() for i in ids)
    assert Decimal(gateway.credits()) == 10_000 - credits_needed(body, numbers)
    assert Message.objects.count() == segments(body).parts * len(numbers)


@given(text=st.text(max_size=200).filter(str.strip))
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_import_over_http_never_fails_and_answers_every_line(gateway, text):
    answer = gateway.post("ImportContactsCSV", ContactsCSV=text)
    assert answer.status_code == 200
    results = answer.text.split("\n\n")[0].split("\n")
    assert len(results) == len(contacts_csv.split_lines(text))


SEND_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "DestinationAddress": st.text(max_size=60),
        "SourceAddress": st.text(max_size=15),
        "Body": st.text(max_size=500),
        "ScheduleDate": st.text(alphabet="0123456789-: ", max_size=16),
        "ValidityPeriod": st.text(alphabet="0123456789-.e", max_size=7),
        "SourceTON": st.text(max_size=2),
        "GetAllMessageIDs": st.sampled_from(["", "0", "1", "x"]),
    },
)
ID_OR_CODES = r"-?\d+(,-?\d+)*"


@given(fields=SEND_FIELDS)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_send_with_any_parameters_answers_ids_or_codes(gateway, fields):
    answer = gateway.post("Send", **fields)
    assert answer.status_code == 200
    assert re.fullmatch(ID_OR_CODES, answer.text), answer.text
