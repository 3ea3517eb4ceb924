"""The error table as exception classes."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from textconnect import (
    ERRORS_BY_CODE,
    AuthenticationError,
    GatewayUnavailable,
    InsufficientCredits,
    InvalidRequest,
    NotReady,
    TextConnectError,
    TransportError,
    error_for_code,
)

# The vendor's documentation, beside the checkout (../shared) or at the machine's shared folder.
SEED = next(
    (
        folder / "seed" / "text-connect-http-api.txt"
        for folder in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared"))
        if (folder / "seed" / "text-connect-http-api.txt").exists()
    ),
    Path("/work/shared/seed/text-connect-http-api.txt"),
)
GROUPS = (AuthenticationError, InsufficientCredits, InvalidRequest, GatewayUnavailable, NotReady)


def _seed_codes() -> set[int]:
    text = SEED.read_text(encoding="utf-8")
    table = text.split("Error Codes", 1)[1]
    return {int(code) for code in re.findall(r"^(-\d{3}) ", table, re.MULTILINE)} | {
        -521,
        -522,
        -523,
    }


@pytest.mark.skipif(not SEED.exists(), reason="vendor page copy not present")
def test_every_code_of_the_vendor_table_has_a_class():
    assert _seed_codes() <= set(ERRORS_BY_CODE)


@pytest.mark.parametrize("code", sorted(ERRORS_BY_CODE))
def test_every_class_sits_in_one_group_and_carries_its_code(code):
    error = error_for_code(code, "vendor text")
    assert type(error) is ERRORS_BY_CODE[code]
    assert sum(isinstance(error, group) for group in GROUPS) == 1
    assert (error.code, error.text, str(error)) == (code, "vendor text", f"{code}: vendor text")


@pytest.mark.parametrize(
    ("code", "group"),
    [
        (-100, InsufficientCredits),
        (-501, AuthenticationError),
        (-512, AuthenticationError),
        (-511, GatewayUnavailable),
        (-300, GatewayUnavailable),
        (-401, InvalidRequest),
        (-520, InvalidRequest),
        (-522, NotReady),
    ],
)
def test_codes_fall_in_their_groups(code, group):
    assert isinstance(error_for_code(code), group)


def test_unknown_negative_code_keeps_its_code():
    error = error_for_code(-999, "Something new")
    assert type(error) is TextConnectError
    assert (error.code, error.text) == (-999, "Something new")


def test_errors_survive_pickling_with_class_code_and_text():
    error = pickle.loads(pickle.dumps(error_for_code(-412, "Number is blacklisted")))  # noqa: S301
    assert (type(error).__name__, error.code, error.text) == (
        "NumberBlacklisted",
        -412,
        "Number is blacklisted",
    )


def test_transport_error_is_a_textconnect_error_without_code():
    error = TransportError("timed out", may_have_reached=False)
    assert isinstance(error, TextConnectError)
    assert error.code is None and not error.may_have_reached
    assert not pickle.loads(pickle.dumps(error)).may_have_reached  # noqa: S301


def test_readme_lists_every_code():
    readme = (Path(__file__).resolve().parents[2] / "textconnect" / "README.md").read_text()
    for code, cls in ERRORS_BY_CODE.items():
        assert f"| `{code}` | `{cls.__name__}` |" in readme
