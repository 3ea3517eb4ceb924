"""Contract: the same scenarios through the client and through raw `requests` calls.

Each scenario runs on two fresh sandbox accounts set up alike: one through the client, one with
only the parameters the vendor documents, POSTed by hand. Both must get the same answer and leave
the gateway in the same state, so the client adds nothing the API does not say.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from sandbox import workers
from sandbox.models import Contact as SandboxContact
from sandbox.models import Group, Message
from textconnect import Client, Contact, TextConnectError

from .scripted_server import Step

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
SCHEDULE = (datetime.now(UTC) + timedelta(days=40)).replace(
    hour=12, minute=0, second=0, microsecond=0
)


def ids_or_codes(text: str) -> list[Any]:
    """An independent reading of a Send answer: "id" for each ID, the int for each code."""
    first = text.replace("\r\n", "\n").split("\n")[0]
    return [int(item) if item.startswith("-") else "id" for item in first.split(",")]


def code_or_ok(text: str) -> Any:
    first = text.replace("\r\n", "\n").split("\n")[0]
    return int(first) if first.startswith("-") else first


def bg_outcome(text: str) -> Any:
    data = json.loads(text)
    return int(data["error"]) if isinstance(data, dict) else sorted(m["Destination"] for m in data)


def client_outcome(call: Callable[[Client], Any], client: Client) -> Any:
    try:
        return call(client)
    except TextConnectError as error:
        return error.code


def state(account) -> tuple[Any, ...]:
    workers.wait_idle(5)
    account.refresh_from_db()
    sent = Message.objects.filter(account=account)
    return (
        account.credits,
        sorted(sent.values_list("destination", "part", "parts", "source", "validity_seconds")),
        sorted(str(m.scheduled_at) for m in sent),
        sorted(SandboxContact.objects.filter(account=account).values_list("name", "number")),
        sorted(Group.objects.filter(account=account).values_list("name", flat=True)),
    )


def with_group(account) -> None:
    group = Group.objects.create(account=account, name="Team")
    for number in ("447700900101", "447700900102"):
        group.contacts.add(
            SandboxContact.objects.create(account=account, name=number, number=number)
        )


def delete_everything(client: Client) -> str:
    client.delete_all_contacts()
    client.delete_all_groups()
    return "1"


def empty_team(client: Client) -> str:
    client.empty_group("Team")
    return "1"


@dataclass
class Scenario:
    client_call: Callable[[Client], Any]
    params: dict[str, str]
    read_raw: Callable[[str], Any]
    setup: Callable[[Any], None] = lambda account: None
    account: dict[str, Any] = field(default_factory=dict)


SCENARIOS = {
    "credits": Scenario(lambda c: str(c.check_credits()), {"Action": "CheckCredits"}, str),
    "send to several numbers": Scenario(
        lambda c: [
            r.error.code if r.error else "id"
            for r in c.send(["447700900100", "447700900009", "mynumber"], "Acme", "Hi")
        ],
        {
            "Action": "Send",
            "DestinationAddress": "447700900100,447700900009,mynumber",
            "SourceAddress": "Acme",
            "Body": "Hi",
        },
        ids_or_codes,
    ),
    "send long message with all part IDs": Scenario(
        lambda c: (
            ["id"]
            * len(c.send(["33612345678"], "Acme", "z" * 400, all_part_ids=True)[0].message_ids)
        ),
        {
            "Action": "Send",
            "DestinationAddress": "33612345678",
            "SourceAddress": "Acme",
            "Body": "z" * 400,
            "GetAllMessageIDs": "1",
        },
        ids_or_codes,
    ),
    "scheduled send with validity": Scenario(
        lambda c: len(c.send(["447700900100"], "Acme", "Later", schedule=SCHEDULE, validity=600)),
        {
            "Action": "Send",
            "DestinationAddress": "447700900100",
            "SourceAddress": "Acme",
            "Body": "Later",
            "ScheduleDate": SCHEDULE.astimezone(LONDON).strftime("%Y%m%d%H%M%S"),
            "ValidityPeriod": "600",
        },
        lambda text: len(ids_or_codes(text)),
    ),
    "invalid source number": Scenario(
        lambda c: c.send(["447700900100"], "12", "Hi"),
        {
            "Action": "Send",
            "DestinationAddress": "447700900100",
            "SourceAddress": "12",
            "Body": "Hi",
        },
        code_or_ok,
    ),
    "unknown message": Scenario(
        lambda c: c.check_message_status("999999"),
        {"Action": "CheckMessageStatus", "MessageID": "999999"},
        code_or_ok,
    ),
    "group send with background ID": Scenario(
        lambda c: c.background_send_messages(
            c.send_to_group("Team", "Acme", "Hi", background_send_id=True)[0]
        ),
        {},  # two raw calls, see test
        bg_outcome,
        setup=with_group,
    ),
    "create user without admin rights": Scenario(
        lambda c: c.create_user(
            "kid", "pw", first_name="A", last_name="B", email="a@b.c", credits=1
        ),
        {
            "Action": "CreateUser",
            "ChildUsername": "kid",
            "ChildPassword": "pw",
            "AccessLevel": "Normal",
            "FirstName": "A",
            "LastName": "B",
            "Email": "a@b.c",
            "Credits": "1",
        },
        code_or_ok,
    ),
    "update credits of a stranger": Scenario(
        lambda c: c.update_credits("stranger", 5),
        {"Action": "UpdateCredits", "ChildUsername": "stranger", "Quantity": "5"},
        code_or_ok,
    ),
    "import contacts": Scenario(
        lambda c: [
            r.result
            for r in c.import_contacts(
                [Contact("Ann", "447700900101", groups=("g1",)), Contact("Dan", "mynumber")]
            )
        ],
        {"Action": "ImportContactsCSV", "ContactsCSV": "Ann,447700900101,,g1\nDan,mynumber,"},
        lambda text: [line.split(" : ")[1] for line in text.split("\n\n")[0].splitlines()],
    ),
    "delete unknown group": Scenario(
        lambda c: c.delete_group("Nope"), {"Action": "DeleteGroup", "Group": "Nope"}, code_or_ok
    ),
    "empty a group": Scenario(
        empty_team,
        {"Action": "EmptyGroup", "Group": "Team"},
        code_or_ok,
        setup=with_group,
    ),
    "delete all contacts and groups": Scenario(
        delete_everything,
        {},  # two raw calls, see test
        code_or_ok,
        setup=with_group,
    ),
    "unknown background send": Scenario(
        lambda c: c.background_send_messages("999999"),
        {"Action": "GetBGMessages", "BGSendID": "999999"},
        bg_outcome,
    ),
}


def raw_call(url: str, token: str, params: dict[str, str]) -> str:
    response = requests.post(url, data={"Token": token, **params}, timeout=10)
    assert response.status_code == 200
    return response.text


def raw_outcome(name: str, url: str, token: str) -> Any:
    scenario = SCENARIOS[name]
    if name == "group send with background ID":
        send = {"Action": "Send", "DestinationAddress": "Group", "GroupName": "Team"}
        bg_id = raw_call(
            url, token, {**send, "SourceAddress": "Acme", "Body": "Hi", "GetBGSendID": "1"}
        )
        return bg_outcome(raw_call(url, token, {"Action": "GetBGMessages", "BGSendID": bg_id}))
    if name == "delete all contacts and groups":
        raw_call(url, token, {"Action": "DeleteAllContacts"})
        return code_or_ok(raw_call(url, token, {"Action": "DeleteAllGroups"}))
    return scenario.read_raw(raw_call(url, token, scenario.params))


def _normalise(outcome: Any) -> Any:
    if isinstance(outcome, list) and outcome and hasattr(outcome[0], "destination"):
        return sorted(message.destination for message in outcome)
    return outcome


@pytest.mark.parametrize("name", SCENARIOS)
def test_client_and_raw_requests_agree(live_factory, name):
    scenario = SCENARIOS[name]
    through_client = live_factory(**scenario.account)
    by_hand = live_factory(**scenario.account)
    scenario.setup(through_client.account)
    scenario.setup(by_hand.account)
    expected = raw_outcome(name, by_hand.url, by_hand.account.token)
    assert _normalise(client_outcome(scenario.client_call, through_client.client)) == expected
    assert state(through_client.account) == state(by_hand.account)


def test_wrong_token_agrees(sandbox_api_url, live):
    raw = code_or_ok(raw_call(sandbox_api_url, "wrong", {"Action": "CheckCredits"}))
    with Client("wrong", sandbox_api_url) as tc:
        assert client_outcome(lambda c: c.check_credits(), tc) == raw == -501


# Documented parameters per action (vendor page and gateway spec); the client may send no other.
GENERAL = {"Token", "Action", "ShowErrorMessage"}
DOCUMENTED = {
    "CheckCredits": set(),
    "CheckMessageStatus": {"MessageID"},
    "Send": {
        "DestinationAddress", "ListName", "GroupName", "SourceAddress", "Body", "ScheduleDate",
        "SourceTON", "ValidityPeriod", "GetAllMessageIDs", "GetBGSendID",
    },
    "Report": {"ReportType", "From", "To"},
    "CreateUser": {
        "ChildUsername", "ChildPassword", "AccessLevel", "FirstName", "LastName", "Email",
        "Telephone", "Credits", "CreditReminder", "Alert",
    },
    "UpdateCredits": {"ChildUsername", "Quantity"},
    "ImportContactsCSV": {"ContactsCSV", "IgnoreDupes", "OverwriteDupes"},
    "DeleteAllContacts": set(),
    "DeleteAllGroups": set(),
    "EmptyGroup": {"Group"},
    "DeleteGroup": {"Group"},
    "GetBGMessages": {"BGSendID"},
}  # fmt: skip

EVERY_CALL = [
    lambda c: c.check_credits(),
    lambda c: c.check_message_status("1"),
    lambda c: c.send(["447700900100"], "Acme", "Hi", schedule=SCHEDULE, source_ton=5,
                     validity=60, all_part_ids=True),
    lambda c: c.send_to_group("g", "Acme", "Hi", background_send_id=True),
    lambda c: c.send_to_list("l", "Acme", "Hi", background_send_id=True),
    lambda c: c.report("Messages", SCHEDULE - timedelta(days=1), SCHEDULE),
    lambda c: c.create_user("k", "p", first_name="A", last_name="B", email="e@x", credits=1,
                            telephone="447700900100", credit_reminder=1, alert=2),
    lambda c: c.update_credits("k", 1),
    lambda c: c.import_contacts([("A", "447700900100")], ignore_dupes=True, overwrite_dupes=True),
    lambda c: c.delete_all_contacts(),
    lambda c: c.delete_all_groups(),
    lambda c: c.empty_group("g"),
    lambda c: c.delete_group("g"),
    lambda c: c.background_send_messages("1"),
]  # fmt: skip


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("call", EVERY_CALL)
def test_client_sends_only_documented_parameters(server, client, call):
    server.default = Step("-301")
    with pytest.raises(TextConnectError):
        call(client)
    [request] = server.received
    action = request.params["Action"]
    assert set(request.params) - GENERAL <= DOCUMENTED[action]


# What the client refuses locally, the gateway refuses too: its code for the same request.
SEND = {"Action": "Send", "DestinationAddress": "447700900100", "SourceAddress": "Acme"}
REFUSED = {
    "alphanumeric source too long": (
        lambda c: c.send(["447700900100"], "AcmeWidgets1", "Hi"),
        {**SEND, "SourceAddress": "AcmeWidgets1", "Body": "Hi"},
        -402,
    ),
    "blank body": (lambda c: c.send(["447700900100"], "Acme", " "), {**SEND, "Body": " "}, -404),
    "body too long": (
        lambda c: c.send(["447700900100"], "Acme", "b" * 460),
        {**SEND, "Body": "b" * 460},
        -519,
    ),
    "validity too long": (
        lambda c: c.send(["447700900100"], "Acme", "Hi", validity=86401),
        {**SEND, "Body": "Hi", "ValidityPeriod": "86401"},
        -405,
    ),
    "report ending before it starts": (
        lambda c: c.report("Messages", SCHEDULE, SCHEDULE - timedelta(days=1)),
        {
            "Action": "Report",
            "ReportType": "Messages",
            "From": SCHEDULE.astimezone(LONDON).strftime("%Y%m%d%H%M%S"),
            "To": (SCHEDULE - timedelta(days=1)).astimezone(LONDON).strftime("%Y%m%d%H%M%S"),
        },
        -505,
    ),
}


@pytest.mark.parametrize("name", REFUSED)
def test_client_refuses_locally_what_the_gateway_refuses(live, name):
    call, params, code = REFUSED[name]
    assert code_or_ok(raw_call(live.url, live.account.token, params)) == code
    with pytest.raises(ValueError):
        call(live.client)
    assert state(live.account)[1] == []
