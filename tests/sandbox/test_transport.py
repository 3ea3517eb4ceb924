"""Transport: GET and POST, Action names, tokens, ShowErrorMessage, unreadable requests."""

import requests

from sandbox.models import Message


def test_get_and_post_answer_the_same(gateway):
    assert gateway.get("CheckCredits").text == "1000"
    assert gateway.post("CheckCredits").text == "1000"


def test_answers_are_plain_text(gateway):
    assert gateway.post("CheckCredits").headers["Content-Type"].startswith("text/plain")


def test_action_is_case_insensitive(gateway):
    assert gateway.call("cHeCkCrEdItS") == "1000"


def test_unknown_action_answers_502(gateway):
    assert gateway.call("Launch") == "-502"


def test_missing_action_answers_502(gateway):
    assert gateway.call("") == "-502"


def test_missing_token_answers_501(sandbox_api_url, sandbox_account):
    sandbox_account()
    assert requests.post(sandbox_api_url, data={"Action": "CheckCredits"}).text == "-501"


def test_wrong_token_answers_501(sandbox_api_url, gateway):
    answer = requests.get(sandbox_api_url, params={"Token": "nope", "Action": "CheckCredits"})
    assert answer.text == "-501"


def test_suspended_account_answers_512(gateway):
    gateway.account.suspended = True
    gateway.account.save()
    assert gateway.call("CheckCredits") == "-512"


def test_show_error_message_adds_the_text_on_the_next_line(gateway):
    answer = gateway.call("Launch", ShowErrorMessage="1")
    assert answer.split("\n")[:2] == ["-502", "Unknown Action"]


def test_without_show_error_message_the_code_is_bare(gateway):
    assert gateway.call("Launch") == "-502"


def test_body_parameters_override_the_query_string(gateway):
    url = f"{gateway.url}?Action=Launch&Token={gateway.account.token}"
    assert gateway.session.post(url, data={"Action": "CheckCredits"}).text == "1000"


def test_non_utf8_body_answers_507_and_sends_nothing(gateway):
    raw = f"Token={gateway.account.token}&Action=Send&DestinationAddress=447700900100"
    raw += "&SourceAddress=Acme&Body=%FF%FEbad"
    answer = gateway.session.post(
        gateway.url, data=raw, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (answer.status_code, answer.text) == (200, "-507")
    assert not Message.objects.exists()
    assert gateway.credits() == "1000"


def test_oversize_request_answers_507_and_sends_nothing(gateway):
    destinations = ",".join(["447700900100"] * 800_000)  # about 10 MB
    answer = gateway.post("Send", DestinationAddress=destinations, SourceAddress="A", Body="x")
    assert (answer.status_code, answer.text) == (200, "-507")
    assert not Message.objects.exists()


def test_other_methods_are_refused_without_html(gateway):
    answer = gateway.session.put(gateway.url)
    assert answer.status_code == 405
    assert "<html" not in answer.text.lower()


def test_check_credits_shows_decimals(gateway):
    gateway.account.credits = "1234.50"
    gateway.account.save()
    assert gateway.call("CheckCredits") == "1234.5"


def test_nul_character_in_a_parameter_answers_507_and_sends_nothing(gateway):
    assert gateway.send(body="Hello\x00there") == "-507"
    assert not Message.objects.exists()
