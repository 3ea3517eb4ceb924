"""Send: IDs and codes per destination, call-level codes, credits by parts."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox.models import Message

LONG_GSM = "a" * 161  # two parts of 153
LONG_UCS2 = "é" * 30 + "Ж" * 41  # 71 UCS-2 characters: two parts of 67


def test_single_send_answers_a_numeric_id(gateway):
    answer = gateway.send()
    assert answer.isdigit()
    assert Message.objects.get(pk=int(answer)).destination == "447700900100"


def test_single_uk_part_costs_one_credit(gateway):
    gateway.send()
    assert gateway.credits() == "999"


def test_each_part_to_a_non_uk_number_costs_two_credits(gateway):
    gateway.send("33612345678", LONG_GSM)
    assert gateway.credits() == "996"


def test_ucs2_long_message_is_charged_per_67_part(gateway):
    gateway.send("447700900100", LONG_UCS2)
    assert gateway.credits() == "998"


def test_extension_characters_count_twice(gateway):
    gateway.send("447700900100", "[" * 80 + "a")  # 161 septets: two parts
    assert gateway.credits() == "998"


def test_multiple_destinations_answer_in_order_with_codes(gateway):
    answer = gateway.send("447700900101,nonsense,447700900009,447700900102").split(",")
    assert answer[1:3] == ["-401", "-412"]
    assert Message.objects.get(pk=int(answer[0])).destination == "447700900101"
    assert Message.objects.get(pk=int(answer[3])).destination == "447700900102"


def test_national_and_plus_forms_are_normalised(gateway):
    ids = gateway.send("07700900101,+447700900102").split(",")
    assert [Message.objects.get(pk=int(i)).destination for i in ids] == [
        "447700900101",
        "447700900102",
    ]


def test_get_all_message_ids_answers_one_id_per_part(gateway):
    answer = gateway.send("447700900101,447700900102", LONG_GSM, GetAllMessageIDs="1")
    ids = [int(i) for i in answer.split(",")]
    parts = Message.objects.filter(pk__in=ids).order_by("pk")
    assert [(m.destination, m.part) for m in parts] == [
        ("447700900101", 1),
        ("447700900101", 2),
        ("447700900102", 1),
        ("447700900102", 2),
    ]


def test_long_message_answers_only_the_first_part_id_by_default(gateway):
    answer = gateway.send("447700900101", LONG_GSM)
    assert Message.objects.get(pk=int(answer)).part == 1
    assert Message.objects.count() == 2


def test_not_enough_credits_answers_100_and_sends_nothing(gateway):
    gateway.account.credits = 1
    gateway.account.save()
    assert gateway.send("447700900101,447700900102") == "-100,-100"
    assert not Message.objects.exists()
    assert gateway.credits() == "1"


def test_blank_destination_answers_401(gateway):
    assert gateway.send("") == "-401"


def test_invalid_destination_answers_401(gateway):
    assert gateway.send("12") == "-401"


def test_blacklisted_number_answers_412(gateway):
    assert gateway.send("447700900009") == "-412"


def test_number_ending_008_has_no_route_406(gateway):
    assert gateway.send("447700900008") == "-406"


def test_daily_limit_to_one_number_answers_411(gateway, settings):
    settings.SANDBOX_DAILY_LIMIT_PER_NUMBER = 2
    assert gateway.send("447700900101,447700900101,447700900101").split(",")[2] == "-411"


def test_blank_source_answers_518(gateway):
    assert gateway.call("Send", DestinationAddress="447700900100", Body="x") == "-518"


def test_long_alphanumeric_source_answers_402(gateway):
    answer = gateway.call(
        "Send", DestinationAddress="447700900100", SourceAddress="TwelveChars1", Body="x"
    )
    assert answer == "-402"


def test_invalid_source_number_answers_403(gateway):
    answer = gateway.call(
        "Send", DestinationAddress="447700900100", SourceAddress="ACME", SourceTON="1", Body="x"
    )
    assert answer == "-403"


def test_source_outside_gsm_answers_518(gateway):
    answer = gateway.call(
        "Send", DestinationAddress="447700900100", SourceAddress="Привет", Body="x"
    )
    assert answer == "-518"


def test_source_not_allowed_for_the_account_answers_506(gateway):
    gateway.account.allowed_sources = ["Acme"]
    gateway.account.save()
    answer = gateway.call(
        "Send", DestinationAddress="447700900100", SourceAddress="Other", Body="x"
    )
    assert answer == "-506"
    assert gateway.send().isdigit()


def test_blank_body_answers_404(gateway):
    assert gateway.send(body="") == "-404"


def test_body_of_460_characters_answers_519_and_costs_nothing(gateway):
    assert gateway.send(body="a" * 460) == "-519"
    assert gateway.credits() == "1000"


def test_body_of_459_characters_is_sent_in_three_parts(gateway):
    gateway.send(body="a" * 459)
    assert gateway.credits() == "997"


@pytest.mark.parametrize("validity", ["0", "86401", "ten"])
def test_invalid_validity_period_answers_405(gateway, validity):
    assert gateway.send(ValidityPeriod=validity) == "-405"


@pytest.mark.parametrize("date", ["2026-01-01", "20261301000000", "2026010100000"])
def test_malformed_schedule_date_answers_407(gateway, date):
    assert gateway.send(ScheduleDate=date) == "-407"
    assert gateway.credits() == "1000"


def test_error_codes_with_show_error_message(gateway):
    assert gateway.send(body="", ShowErrorMessage="yes").startswith("-404\nBlank Body")


def test_source_ton_5_marks_alphanumeric(gateway):
    answer = gateway.call(
        "Send",
        DestinationAddress="447700900100",
        SourceAddress="12345",
        SourceTON="5",
        Body="x",
    )
    assert Message.objects.get(pk=int(answer)).source_ton == 5


def test_concurrent_sends_never_overdraw_the_balance(gateway):
    gateway.account.credits = 5
    gateway.account.save()
    data = {
        "Token": gateway.account.token,
        "Action": "Send",
        "SourceAddress": "Acme",
        "Body": "x",
    }

    def send(i: int) -> str:
        return requests.post(
            gateway.url, data={**data, "DestinationAddress": f"4477009{i:05d}5"}, timeout=10
        ).text

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, range(12)))
    assert sum(a.isdigit() for a in answers) == 5
    assert answers.count("-100") == 7
    assert gateway.credits() == "0"
