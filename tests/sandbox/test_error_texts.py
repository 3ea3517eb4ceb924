"""Every code of the vendor's table: the sandbox and the client say the documentation's text.

The table is read from the seed copy of the vendor's page. Each code that a request can produce is
produced over real HTTP from `runsandbox` with `ShowErrorMessage`, and the answer is read back
with the client's own parser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone

from sandbox.errors import ApiError
from sandbox.faults import set_faults
from sandbox.models import BackgroundSend, DistributionList, Group, SandboxAccount
from textconnect import ERROR_TEXTS, ERRORS_BY_CODE, TextConnectError, error_for_code
from textconnect.parsing import error_in, parse_background

from .conftest import Gateway

# The vendor's documentation, beside the checkout (../shared) or at the machine's shared folder.
SEED = next(
    (
        folder / "seed" / "text-connect-http-api.txt"
        for folder in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared"))
        if (folder / "seed" / "text-connect-http-api.txt").exists()
    ),
    Path("/work/shared/seed/text-connect-http-api.txt"),
)


def documented_texts() -> dict[int, str]:
    """Code -> text from the page's error table and its list of GetBGMessages errors."""
    page = SEED.read_text(encoding="utf-8")
    table = page.split("\nError Codes\n", 1)[1]
    codes = dict(re.findall(r"^(-\d{3}) (\S.*?)\s*$", table, re.MULTILINE))
    codes |= dict(re.findall(r"^(-52\d) : (\S.*?)\s*$", page, re.MULTILINE))
    return {int(code): text for code, text in codes.items()}


DOCUMENTED = documented_texts()
# No request can make the sandbox answer these: the gateway's internals (XML, licences, the
# unexpected failure -301) or actions it does not document (credit purchases).
NOT_PRODUCIBLE = {-101, -200, -301, -302, -303, -513, -514, -515, -701, -702, -703}


def test_the_seed_copy_has_the_whole_table():
    assert len(DOCUMENTED) == 48
    assert DOCUMENTED[-402] == "Invalid Source Address \u2013 Alphanumeric too long"
    assert DOCUMENTED[-510] == "You cannot set a user\u2019s credits to be less than 0"


def test_one_table_holds_exactly_the_documented_codes_and_texts():
    assert ERROR_TEXTS == DOCUMENTED
    assert set(ERRORS_BY_CODE) == set(DOCUMENTED)


@pytest.mark.parametrize("code", sorted(DOCUMENTED))
def test_client_and_sandbox_texts_are_the_documentations(code):
    assert ERRORS_BY_CODE[code].default_text == DOCUMENTED[code]
    assert error_for_code(code).text == DOCUMENTED[code]
    assert ApiError(code).text == DOCUMENTED[code]


# --- Each producible code over HTTP ------------------------------------------------------------


def _send(g: Gateway, destination: str = "447700900100", **params: str) -> str:
    data = {"SourceAddress": "Acme", "Body": "Hello", **params}
    return g.call("Send", DestinationAddress=destination, ShowErrorMessage="1", **data)


def _call(action: str, **params: str) -> Callable[[Gateway], str]:
    return lambda g: g.call(action, ShowErrorMessage="1", **params)


def _with(change: Callable[[SandboxAccount], object], then: Callable[[Gateway], str]):
    def scenario(g: Gateway) -> str:
        change(g.account)
        return then(g)

    return scenario


def _save(**fields: object) -> Callable[[SandboxAccount], None]:
    def change(account: SandboxAccount) -> None:
        SandboxAccount.objects.filter(pk=account.pk).update(**fields)

    return change


def _empty_list(account: SandboxAccount) -> None:
    DistributionList.objects.create(account=account, name="Nobody")


def _empty_group(account: SandboxAccount) -> None:
    Group.objects.create(account=account, name="Empty")


def _list_with_a_bad_entry(account: SandboxAccount) -> None:
    dist_list = DistributionList.objects.create(account=account, name="Mixed")
    dist_list.entries.create(number="447700900100")
    dist_list.entries.create(number="447700900009")


def _busy(account: SandboxAccount) -> None:
    for _ in range(3):
        BackgroundSend.objects.create(account=account, kind="List")
    _list_with_a_bad_entry(account)


def _daily_limit_reached(g: Gateway) -> str:
    g.call(
        "Send", DestinationAddress=",".join(["447700900100"] * 1000), SourceAddress="A", Body="x"
    )
    return _send(g)


def _take_back_more_than_the_child_has(g: Gateway) -> str:
    child = SandboxAccount.objects.create(username=f"child-of-{g.account.pk}", parent=g.account)
    return _call("UpdateCredits", ChildUsername=child.username, Quantity="-5")(g)


def _bg(finished: bool) -> Callable[[Gateway], str]:
    def scenario(g: Gateway) -> str:
        done = timezone.now() if finished else None
        bg_send = BackgroundSend.objects.create(account=g.account, kind="List", finished_at=done)
        return g.call("GetBGMessages", BGSendID=str(bg_send.pk))

    return scenario


SCENARIOS: dict[int, Callable[[Gateway], str]] = {
    -100: _with(_save(credits=0), _send),
    -300: _with(lambda a: set_faults(a, db_error_rate=1), _call("CheckCredits")),
    -400: _with(_list_with_a_bad_entry, lambda g: _send(g, "List", ListName="Mixed")),
    -401: lambda g: _send(g, "not-a-number"),
    -402: lambda g: _send(g, SourceAddress="TwelveLetter"),
    -403: lambda g: _send(g, SourceAddress="12", SourceTON="1"),
    -404: lambda g: _send(g, Body=" "),
    -405: lambda g: _send(g, ValidityPeriod="86401"),
    -406: lambda g: _send(g, "447700900008"),
    -407: lambda g: _send(g, ScheduleDate="2026-01-01"),
    -408: _with(_empty_list, lambda g: _send(g, "List", ListName="Nobody")),
    -409: _with(_empty_group, lambda g: _send(g, "Group", GroupName="Empty")),
    -410: lambda g: _send(g, "List", ListName=""),
    -411: _daily_limit_reached,
    -412: lambda g: _send(g, "447700900009"),
    -414: lambda g: _send(g, "Group", GroupName=""),
    -501: lambda g: g.session.post(g.url, data={"Token": "nope", "ShowErrorMessage": "1"}).text,
    -502: _call("Launch"),
    -503: _call("CheckMessageStatus", MessageID="42"),
    -504: _call("Report", ReportType="Messages", From="yesterday", To="20991231235959"),
    -505: _call("Report", ReportType="Messages", From="20200101000000", To="tomorrow"),
    -506: _with(_save(allowed_sources=["Other"]), _send),
    -507: _call("ImportContactsCSV", ContactsCSV=""),
    -508: _call("CreateUser", ChildUsername="kid"),
    -509: _call("UpdateCredits", ChildUsername="nobody", Quantity="1"),
    -510: _take_back_more_than_the_child_has,
    -511: _with(lambda a: set_faults(a, maintenance=True), _call("CheckCredits")),
    -512: _with(_save(suspended=True), _call("CheckCredits")),
    -516: lambda g: _send(g, "List", ListName="Missing"),
    -517: _with(_busy, lambda g: _send(g, "List", ListName="Mixed")),
    -518: lambda g: _send(g, SourceAddress=""),
    -519: lambda g: _send(g, Body="x" * 460),
    -520: lambda g: _send(g, "Group", GroupName="Missing"),
    -521: _call("GetBGMessages", BGSendID="1"),
    -522: _bg(finished=False),
    -523: _bg(finished=True),
    -601: _call("Report", ReportType="Weekly", From="20200101000000", To="20991231235959"),
}


def test_every_documented_code_is_produced_here_or_listed_as_not_producible():
    assert not set(SCENARIOS) & NOT_PRODUCIBLE
    assert set(SCENARIOS) | NOT_PRODUCIBLE == set(DOCUMENTED)


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_runsandbox_answers_each_code_with_the_documented_text(standalone, code):
    answer = SCENARIOS[code](standalone)
    if code in (-521, -522, -523):
        assert json.loads(answer) == {"error": str(code), "message": DOCUMENTED[code]}
        with pytest.raises(TextConnectError) as caught:
            parse_background(answer)
        error = caught.value
    else:
        assert answer.split("\n")[:2] == [str(code), DOCUMENTED[code]]
        error = error_in(answer)
    assert (type(error), error.code) == (ERRORS_BY_CODE[code], code)
    assert error.text.split("\n")[0] == DOCUMENTED[code]
