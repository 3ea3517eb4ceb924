"""Where the sandbox must behave as the real gateway does, over real HTTP against `runsandbox`.

Each test repeats one difference a real vendor client ran into; the server is a `runsandbox`
subprocess with DEBUG off (`standalone`), or a fresh one where the test needs its own settings.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import requests

from sandbox.ids import FIRST_ID
from sandbox.models import DistributionList, Group, Message
from textconnect import Client, NumberBlacklisted

from .standalone import (
    MANAGE,
    ROOT,
    free_port,
    manage,
    production_env,
    runsandbox,
    shared_database_url,
)

# --- IDs are large from the first one, so no ID answer can be `1` --------------------------


def _post(url: str, **data: str) -> str:
    response = requests.post(url, data=data, timeout=10)
    assert response.status_code == 200, response.text
    return response.text


def _ids_of_a_new_account(api: str, env: dict[str, str], name: str) -> list[int]:
    """A single-number send's message ID, a group send's background-send ID, an inbound ID."""
    vmn = "447700900555"
    token = manage("sandbox_account", "create", name, "--credits", "9", "--vmn", vmn, env=env)
    send = {"Token": token.strip(), "Action": "Send", "SourceAddress": "Acme", "Body": "Hi"}
    message_id = _post(api, **send, DestinationAddress="447700900100")
    _post(api, Token=token.strip(), Action="ImportContactsCSV", ContactsCSV="A,447700900101,,Team")
    bg_id = _post(api, **send, DestinationAddress="Group", GroupName="Team", GetBGSendID="1")
    inbound = manage(
        "sandbox_inbound", "--to", vmn, "--from", "447700900102", "--text", "Hi", env=env
    )
    return [int(message_id), int(bg_id), int(inbound)]


def test_ids_of_a_fresh_database_start_above_the_documented_example(tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    manage("migrate", "--verbosity", "0", env=env)
    with runsandbox(env) as base:
        assert _ids_of_a_new_account(f"{base}/api", env, "first") == [FIRST_ID] * 3
        manage("flush", "--noinput", env=env)  # Django's flush resets every sequence to 1
        assert min(_ids_of_a_new_account(f"{base}/api", env, "after-flush")) >= FIRST_ID


def test_ids_on_the_shared_postgresql_database_are_large(standalone):
    assert int(standalone.send()) >= FIRST_ID
    bg_send = standalone.account.bg_sends.create(kind="List")
    assert bg_send.pk >= FIRST_ID


def test_a_send_to_one_number_gives_the_client_its_message_id(standalone):
    with Client(standalone.account.token, standalone.url) as client:
        [result] = client.send(["447700900100"], source="Acme", body="Hi")
        [refused] = client.send(["447700900009"], source="Acme", body="Hi")
        assert result.ok and int(result.message_id) >= FIRST_ID
        assert client.check_message_status(result.message_id).word == "Delivered"
    assert isinstance(refused.error, NumberBlacklisted)
    assert refused.error.text == "Number is blacklisted"


# --- Served standalone, the API answers plain HTTP ---------------------------------------------


def test_production_like_runsandbox_answers_plain_http_without_a_redirect(standalone):
    response = standalone.session.post(
        standalone.url,
        data={"Token": standalone.account.token, "Action": "CheckCredits"},
        allow_redirects=False,
        timeout=10,
    )
    assert (response.status_code, response.text) == (200, "1000")


def test_runsandbox_redirects_to_https_when_the_redirect_is_asked_for(standalone):
    env = production_env(shared_database_url(), SECURE_SSL_REDIRECT="true")
    with runsandbox(env) as base:
        response = requests.get(
            f"{base}/api",
            params={"Token": standalone.account.token, "Action": "CheckCredits"},
            allow_redirects=False,
            timeout=10,
        )
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://127.0.0.1:")


def test_runsandbox_still_refuses_to_start_without_encryption_keys():
    env = production_env(shared_database_url())
    del env["FIELD_ENCRYPTION_KEYS"]
    done = subprocess.run(
        [*MANAGE, "runsandbox", "--noreload", f"127.0.0.1:{free_port()}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in done.stderr


def test_sandbox_served_alone_under_gunicorn_settings_answers_plain_http():
    env = production_env(shared_database_url(), SANDBOX_STANDALONE="true")
    code = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.ROOT_URLCONF)"
    shown = subprocess.run(
        [*MANAGE, "shell", "--no-imports", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert shown == ["False", "sandbox.standalone_urls"]


# --- A list or group send with some invalid entries answers -400, the others sent ----------


def _mixed_list(account) -> None:  # noqa: ANN001
    dist_list = DistributionList.objects.create(account=account, name="Mixed")
    for number in ("447700900101", "not a number", "447700900009", "447700900102"):
        dist_list.entries.create(number=number)


def _sent_to(account) -> list[str]:  # noqa: ANN001
    return sorted(Message.objects.filter(account=account).values_list("destination", flat=True))


def test_list_send_with_invalid_entries_answers_400_and_sends_the_others(standalone):
    _mixed_list(standalone.account)
    assert standalone.send("List", ListName="Mixed") == "-400"
    assert _sent_to(standalone.account) == ["447700900101", "447700900102"]
    assert standalone.credits() == "998"


def test_group_send_with_invalid_entries_answers_400_with_the_documented_text(standalone):
    group = Group.objects.create(account=standalone.account, name="Team")
    group.contacts.create(account=standalone.account, name="A", number="447700900101")
    group.contacts.create(account=standalone.account, name="B", number="447700900008")
    answer = standalone.send("Group", GroupName="Team", ShowErrorMessage="1").split("\n")
    assert answer == [
        "-400",
        "Some numbers in list failed",
        "1 of 2 entries failed; the others were sent",
    ]
    assert _sent_to(standalone.account) == ["447700900101"]


def test_list_send_with_only_valid_entries_still_answers_1(standalone):
    dist_list = DistributionList.objects.create(account=standalone.account, name="Good")
    dist_list.entries.create(number="447700900101")
    assert standalone.send("List", ListName="Good") == "1"


def test_list_send_asking_for_the_background_send_id_gets_it_despite_invalid_entries(standalone):
    _mixed_list(standalone.account)
    bg_id = standalone.send("List", ListName="Mixed", GetBGSendID="1")
    messages = json.loads(standalone.call("GetBGMessages", BGSendID=bg_id))
    assert sorted(m["Destination"] for m in messages) == ["447700900101", "447700900102"]


# --- ShowErrorMessage "set (to any value)" -------------------------------------------------


@pytest.mark.parametrize("value", ["1", "0", "", "no"])
def test_show_error_message_present_with_any_value_adds_the_text(standalone, value):
    answer = standalone.call("Launch", ShowErrorMessage=value)
    assert answer.split("\n")[:2] == ["-502", "Unknown Action"]


def test_show_error_message_as_a_bare_query_key_adds_the_text(standalone):
    url = f"{standalone.url}?Token={standalone.account.token}&Action=Launch&ShowErrorMessage"
    assert standalone.session.get(url, timeout=10).text.split("\n")[:2] == [
        "-502",
        "Unknown Action",
    ]


def test_show_error_message_zero_adds_the_text_to_an_unreadable_request(standalone):
    url = f"{standalone.url}?ShowErrorMessage=0"
    body = f"Token={standalone.account.token}&Action=Send&Body=%FF".encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = standalone.session.post(url, data=body, headers=headers, timeout=10).text
    assert answer.split("\n")[:2] == ["-507", "Invalid/Missing Details"]


# --- ScheduleDate: the format is checked, not how far ahead ----------------------------------


def test_far_future_schedule_date_is_accepted_and_scheduled(standalone):
    message_id = standalone.send(ScheduleDate="20991231120000")
    assert standalone.call("CheckMessageStatus", MessageID=message_id) == "Pending"
    outbox = standalone.call("Report", ReportType="Outbox")
    assert f'"{message_id}"' in outbox and '"31/12/2099 12:00:00"' in outbox


# --- Every status word has a test number ---------------------------------------------------

RARE_STATUSES = {"447700900004": "Command_Rejected", "447700900005": "Command_Failed"}


@pytest.mark.parametrize(
    ("number", "status"), [*RARE_STATUSES.items(), ("447700900006", "Unknown")]
)
def test_magic_numbers_reach_command_rejected_command_failed_and_unknown(
    standalone, number, status
):
    message_id = standalone.send(number)
    assert standalone.call("CheckMessageStatus", MessageID=message_id) == status


def test_rare_final_statuses_are_failed_messages_and_counted_in_usage(standalone):
    for number in [*RARE_STATUSES, "447700900006"]:
        standalone.send(number)
    window = {"From": "20000101000000", "To": "20991231235959"}
    failed = standalone.call("Report", ReportType="FailedMessages", **window)
    assert all(f'"{status}"' in failed for status in RARE_STATUSES.values())
    assert '"Unknown"' not in failed
    usage = standalone.call("Report", ReportType="Usage", **window).splitlines()[1:]
    assert usage == ['"Command_Rejected","1"', '"Command_Failed","1"', '"Unknown","1"']


@pytest.mark.parametrize("status", ["Command_Rejected", "Command_Failed", "Unknown"])
def test_readme_lists_the_magic_number_of_each_rare_status(status):
    readme = (ROOT / "sandbox" / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"^\| `00\d` \| accepted \| `{status}`", readme, re.MULTILINE)
