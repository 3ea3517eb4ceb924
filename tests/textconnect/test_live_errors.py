"""Every error class the sandbox can answer, reached through the client over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from sandbox.faults import set_faults
from sandbox.models import BackgroundSend, DistributionList, Group, Message, SandboxAccount
from sandbox.models import Contact as SandboxContact
from textconnect import (
    NO_RETRY,
    BackgroundSendNotFinished,
    Client,
    DailyLimitExceeded,
    DistributionListEmpty,
    ErrorCreatingUser,
    GeneralDatabaseError,
    GroupEmpty,
    InvalidOrMissingDetails,
    InvalidSourceAddress,
    InvalidSourceNumber,
    MaintenanceMode,
    NegativeCreditsNotAllowed,
    NoMessagesFound,
    NotEnoughCredits,
    SomeNumbersFailed,
    SourceAddressNotAllowed,
    UnableToCreateList,
    UnknownBackgroundSendID,
    UnknownGroup,
    UnknownList,
    UnknownMessageID,
    UnknownReportType,
    UnknownUser,
    UnknownUsernamePassword,
    UserSuspended,
)

pytestmark = pytest.mark.django_db(transaction=True)

HOUR_AGO = datetime.now(UTC) - timedelta(hours=1)


def make_group(account, name, numbers):
    group = Group.objects.create(account=account, name=name)
    contacts = SandboxContact.objects.bulk_create(
        SandboxContact(account=account, name=f"c{n}", number=n) for n in numbers
    )
    group.contacts.add(*contacts)
    return group


def new_child(client, username="kid", credits=0, **extra):
    client.create_user(
        username, "pw", first_name="A", last_name="B", email="a@example.com", credits=credits,
        **extra,
    )  # fmt: skip


def test_wrong_token_is_unknown_username_password(live, sandbox_api_url):
    with Client("not-a-token", sandbox_api_url) as tc, pytest.raises(UnknownUsernamePassword):
        tc.check_credits()


def test_suspended_account(live):
    SandboxAccount.objects.filter(pk=live.account.pk).update(suspended=True)
    with pytest.raises(UserSuspended):
        live.client.check_credits()


def test_unknown_message_id(live):
    with pytest.raises(UnknownMessageID) as caught:
        live.client.check_message_status("999999")
    assert caught.value.text


def test_not_enough_credits_is_a_result_per_number(live_factory):
    live = live_factory(credits=1)
    results = live.client.send(["447700900100", "447700900101"], "Acme", "Hi")
    assert [type(r.error) for r in results] == [NotEnoughCredits, NotEnoughCredits]


def test_not_enough_credits_for_a_group_send_raises(live_factory):
    live = live_factory(credits=1)
    make_group(live.account, "Team", ["447700900100", "447700900101"])
    with pytest.raises(NotEnoughCredits):
        live.client.send_to_group("Team", "Acme", "Hi")


def test_daily_limit_per_number(live, settings):
    settings.SANDBOX_DAILY_LIMIT_PER_NUMBER = 1
    live.client.send(["447700900100"], "Acme", "One")
    [result] = live.client.send(["447700900100"], "Acme", "Two")
    assert isinstance(result.error, DailyLimitExceeded)


def test_invalid_source_number(live):
    with pytest.raises(InvalidSourceNumber):
        live.client.send(["447700900100"], "12", "Hi")


def test_source_outside_gsm_is_invalid_source_address(live):
    with pytest.raises(InvalidSourceAddress):
        live.client.send(["447700900100"], "Acme✓", "Hi")


def test_source_not_allowed_for_the_account(live):
    SandboxAccount.objects.filter(pk=live.account.pk).update(allowed_sources=["Other"])
    with pytest.raises(SourceAddressNotAllowed):
        live.client.send(["447700900100"], "Acme", "Hi")


def test_unknown_group_empty_group_unknown_list_empty_list(live):
    Group.objects.create(account=live.account, name="Empty")
    DistributionList.objects.create(account=live.account, name="Nobody")
    with pytest.raises(UnknownGroup):
        live.client.send_to_group("Missing", "Acme", "Hi")
    with pytest.raises(GroupEmpty):
        live.client.send_to_group("Empty", "Acme", "Hi")
    with pytest.raises(UnknownList):
        live.client.send_to_list("Missing", "Acme", "Hi")
    with pytest.raises(DistributionListEmpty):
        live.client.send_to_list("Nobody", "Acme", "Hi")


def test_unknown_group_for_empty_and_delete(live):
    with pytest.raises(UnknownGroup):
        live.client.empty_group("Missing")
    with pytest.raises(UnknownGroup):
        live.client.delete_group("Missing")


def test_background_send_errors(live):
    with pytest.raises(UnknownBackgroundSendID):
        live.client.background_send_messages("424242")
    make_group(live.account, "Blocked", ["447700900009"])
    [bg_id] = live.client.send_to_group("Blocked", "Acme", "Hi", background_send_id=True)
    with pytest.raises(NoMessagesFound):
        live.client.background_send_messages(bg_id)


def test_background_send_not_finished(live):
    running = BackgroundSend.objects.create(
        account=live.account, kind="List", claimed_until=timezone.now() + timedelta(hours=1)
    )
    with pytest.raises(BackgroundSendNotFinished):
        live.client.background_send_messages(running.pk)


def test_group_send_with_a_refused_contact_raises_some_numbers_failed_after_sending_the_rest(live):
    make_group(live.account, "Mixed", ["447700900100", "447700900009"])
    with pytest.raises(SomeNumbersFailed) as caught:
        live.client.send_to_group("Mixed", "Acme", "Hi")
    assert caught.value.text.startswith("Some numbers in list failed\n")
    assert list(
        Message.objects.filter(account=live.account).values_list("destination", flat=True)
    ) == ["447700900100"]


def test_too_many_running_background_sends(live):
    future = timezone.now() + timedelta(hours=1)
    for _ in range(3):
        BackgroundSend.objects.create(account=live.account, kind="List", claimed_until=future)
    make_group(live.account, "Team", ["447700900100"])
    with pytest.raises(UnableToCreateList):
        live.client.send_to_group("Team", "Acme", "Hi")


def test_unknown_report_type_passes_through_to_the_gateway(live):
    with pytest.raises(UnknownReportType):
        live.client.report("Weekly", HOUR_AGO, datetime.now(UTC))


def test_create_user_needs_an_admin_and_keeps_every_line(live):
    with pytest.raises(ErrorCreatingUser) as caught:
        new_child(live.client)
    assert "admin" in caught.value.text


def test_create_user_invalid_details_keep_every_line(live_factory):
    live = live_factory(admin=True)
    with pytest.raises(InvalidOrMissingDetails) as caught:
        live.client.create_user("kid", "pw", first_name="A", last_name="B", email="no-at-sign")
    assert "Invalid Email" in caught.value.text


def test_create_user_duplicate_username(live_factory):
    live = live_factory(admin=True)
    new_child(live.client)
    with pytest.raises(ErrorCreatingUser) as caught:
        new_child(live.client)
    assert "already taken" in caught.value.text


def test_update_credits_unknown_child_and_negative_balance(live_factory):
    live = live_factory(admin=True, credits=10)
    with pytest.raises(UnknownUser):
        live.client.update_credits("stranger", 5)
    new_child(live.client)
    with pytest.raises(NegativeCreditsNotAllowed):
        live.client.update_credits("kid", -1)
    with pytest.raises(NegativeCreditsNotAllowed):
        live.client.update_credits("kid", 11)


def test_maintenance_and_database_error_reach_the_caller(live_factory):
    live = live_factory(retry=NO_RETRY)
    set_faults(live.account, maintenance=True)
    with pytest.raises(MaintenanceMode):
        live.client.check_credits()
    set_faults(live.account, db_error_rate=1)
    with pytest.raises(GeneralDatabaseError):
        live.client.check_credits()
