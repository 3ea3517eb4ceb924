"""Recovery codes: ten single-use codes shown once when two-factor is turned on, usable at login
instead of a code from the app, made anew (the old ones then stop working), audited."""

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import recovery_codes
from accounts.models import AuditEvent

from ..factories import PASSWORD, UserFactory
from .test_two_factor import EMAIL, code_for, enter_code, is_logged_in, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(email=EMAIL)


@pytest.fixture
def device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


@pytest.fixture
def codes(device) -> list[str]:
    return recovery_codes.recovery_codes_replace(user=device.user)


def turn_on(client, user) -> tuple[TOTPDevice, object]:
    client.get(reverse("accounts:two_factor_enrol"))
    device = TOTPDevice.objects.get(user=user)
    return device, client.post(reverse("accounts:two_factor_enrol"), {"code": code_for(device)})


# --- Shown once ----------------------------------------------------------------------------------
def test_turning_two_factor_on_shows_ten_recovery_codes_once(client_for, user):
    client = client_for(user)
    _, response = turn_on(client, user)
    shown = response.context["codes"]
    assert len(shown) == 10 and len(set(shown)) == 10
    page = response.content.decode()
    assert all(code in page for code in shown)
    assert "no-store" in response["Cache-Control"]
    assert StaticToken.objects.filter(device__user=user).count() == 10
    status = client.get(reverse("accounts:two_factor")).content.decode()
    assert not any(code in status for code in shown)
    assert "10 recovery codes left" in status


def test_recovery_codes_are_kept_only_as_keyed_hashes(user, codes):
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & {recovery_codes.normalise(code) for code in codes}


# --- At login ------------------------------------------------------------------------------------
def test_a_recovery_code_logs_in_instead_of_a_code_from_the_app(client, codes):
    log_in(client)
    response = enter_code(client, codes[0])
    assert response.url == reverse("home")
    page = client.get(reverse("accounts:two_factor"))
    assert page.wsgi_request.user.is_verified()
    event = AuditEvent.objects.get(action="two_factor_recovery_code_used")
    assert event.detail == {"left": 9}
    assert "9 recovery codes left" in page.content.decode()


def test_a_recovery_code_works_once(client, codes):
    log_in(client)
    enter_code(client, codes[0])
    client.post(reverse("accounts:logout"))
    log_in(client)
    response = enter_code(client, codes[0])
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert not is_logged_in(client)


def test_a_recovery_code_is_read_however_it_is_typed(client, codes):
    log_in(client)
    typed = f"  {codes[1].upper().replace('-', ' ')} "
    assert enter_code(client, typed).url == reverse("home")


def test_wrong_recovery_codes_count_towards_the_lock_out(client, device, codes):
    log_in(client)
    for _ in range(5):
        enter_code(client, "aaaa-aaaa")
    assert enter_code(client, codes[0]).status_code == 429
    assert StaticToken.objects.count() == 10  # not used up while locked


@pytest.mark.django_db(transaction=True)
def test_a_recovery_code_used_twice_at_once_logs_in_once(codes):
    """Two requests with the same code at the same moment: the device's row lock lets one in."""
    device = TOTPDevice.objects.get()
    results, barrier = [], threading.Barrier(2)

    def attempt() -> None:
        try:
            barrier.wait()
            results.append(recovery_codes_verify(device, codes[0]))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]


def recovery_codes_verify(device: TOTPDevice, code: str) -> bool:
    from accounts.two_factor import verify_code

    return verify_code(device, code, recovery=True).device is not None


# --- Making new ones -----------------------------------------------------------------------------
def test_new_recovery_codes_replace_the_old_ones(client_for, codes):
    client = client_for(TOTPDevice.objects.get().user)
    response = client.post(reverse("accounts:two_factor_recovery_codes"), {"secret": PASSWORD})
    fresh = response.context["codes"]
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="two_factor_recovery_codes_created").count() == 1
    anonymous = client_for(None)
    log_in(anonymous)
    assert enter_code(anonymous, codes[0]).status_code == 200  # the old ones no longer work
    assert enter_code(anonymous, fresh[0]).url == reverse("home")


def test_new_recovery_codes_need_the_password_or_a_current_code(client_for, codes):
    user = TOTPDevice.objects.get().user
    response = client_for(user).post(
        reverse("accounts:two_factor_recovery_codes"), {"secret": "not-my-password"}
    )
    assert response.status_code == 200 and response.context["form"].errors["secret"]
    assert "codes" not in response.context
    assert not AuditEvent.objects.filter(action="two_factor_recovery_codes_created").exists()
    assert recovery_codes.recovery_codes_left(user=user) == 10


def test_new_recovery_codes_with_a_current_code(client_for, device, codes):
    response = client_for(device.user).post(
        reverse("accounts:two_factor_recovery_codes"), {"secret": code_for(device)}
    )
    assert len(response.context["codes"]) == 10


def test_the_recovery_codes_page_needs_two_factor_on(client_for, user):
    response = client_for(user).get(reverse("accounts:two_factor_recovery_codes"))
    assert response.url == reverse("accounts:two_factor")


def test_turning_two_factor_off_removes_the_recovery_codes(client_for, codes):
    user = TOTPDevice.objects.get().user
    client_for(user).post(
        reverse("accounts:two_factor_disable"), {"secret": PASSWORD, "confirm": "on"}
    )
    assert not StaticDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.exists()


def test_the_code_page_says_a_recovery_code_works_too(client, codes):
    log_in(client)
    page = client.get(reverse("accounts:two_factor_login")).content.decode()
    assert "recovery code" in page
