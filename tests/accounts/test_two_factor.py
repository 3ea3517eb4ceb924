"""Optional TOTP two-factor: enrolment, the second login step, its wrong-code limit, disabling."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent
from accounts.two_factor import PENDING_SESSION_KEY

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "ann@example.com"


@pytest.fixture
def user():
    return UserFactory(email=EMAIL)


@pytest.fixture
def device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or some steps later) for the device's key."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    valid = {code_for(device, steps) for steps in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def log_in(client, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": EMAIL, "password": password})


def enter_code(client, code: str):
    return client.post(reverse("accounts:two_factor_login"), {"code": code})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Enrolment -----------------------------------------------------------------------------------
def test_enrol_page_shows_a_qr_code_and_the_key_as_text(client_for, user):
    response = client_for(user).get(reverse("accounts:two_factor_enrol"))
    device = TOTPDevice.objects.get(user=user)
    content = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in content
    assert response.context["secret"].replace(" ", "") in content.replace(" ", "")
    assert not device.confirmed


def test_enrol_page_keeps_the_same_key_when_reloaded(client_for, user):
    client = client_for(user)
    first = client.get(reverse("accounts:two_factor_enrol")).context["secret"]
    second = client.get(reverse("accounts:two_factor_enrol")).context["secret"]
    assert first == second
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrolment_with_a_valid_code_confirms_the_device(client_for, user):
    client = client_for(user)
    client.get(reverse("accounts:two_factor_enrol"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("accounts:two_factor_enrol"), {"code": code_for(device)})
    device.refresh_from_db()
    assert response.status_code == 200  # the recovery codes, shown once
    assert device.confirmed
    assert AuditEvent.objects.filter(action="two_factor_enabled", actor=user).count() == 1
    assert "On" in client.get(reverse("accounts:two_factor")).content.decode()


def test_enrolment_with_a_wrong_code_is_refused(client_for, user):
    client = client_for(user)
    client.get(reverse("accounts:two_factor_enrol"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("accounts:two_factor_enrol"), {"code": wrong_code_for(device)})
    device.refresh_from_db()
    assert response.status_code == 200
    assert "not right" in response.context["form"].errors["code"][0]
    assert not device.confirmed
    assert AuditEvent.objects.filter(action="two_factor_failed", actor=user).count() == 1


def test_an_unconfirmed_device_does_not_ask_for_a_code_at_login(client, user):
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    response = log_in(client)
    assert response.url == reverse("home")
    assert is_logged_in(client)


def test_enrol_page_needs_a_login(client):
    response = client.get(reverse("accounts:two_factor_enrol"))
    assert response.url.startswith(reverse("accounts:login"))


# --- Login ---------------------------------------------------------------------------------------
def test_password_alone_does_not_log_a_two_factor_user_in(client, device):
    response = log_in(client)
    assert response.url == reverse("accounts:two_factor_login")
    assert not is_logged_in(client)
    assert client.get(reverse("home")).url == reverse("accounts:login")
    assert not AuditEvent.objects.filter(action="login").exists()


def test_a_valid_code_completes_the_login_and_marks_it_verified(client, device):
    log_in(client)
    response = enter_code(client, code_for(device))
    assert response.url == reverse("home")
    assert is_logged_in(client)
    page = client.get(reverse("accounts:two_factor"))
    assert page.wsgi_request.user.is_verified()
    assert AuditEvent.objects.filter(action="login", actor=device.user).count() == 1


def test_the_code_step_keeps_the_next_address(client, device):
    client.post(
        reverse("accounts:login"),
        {"username": EMAIL, "password": PASSWORD, "next": "/accounts/two-factor/"},
    )
    assert enter_code(client, code_for(device)).url == "/accounts/two-factor/"


def test_a_code_cannot_be_used_twice(client, device):
    code = code_for(device)
    log_in(client)
    enter_code(client, code)
    client.post(reverse("accounts:logout"))
    log_in(client)
    response = enter_code(client, code)
    assert response.status_code == 200
    assert not is_logged_in(client)


def test_a_wrong_code_is_refused_and_audited(client, device):
    log_in(client)
    response = enter_code(client, wrong_code_for(device))
    assert response.status_code == 200
    assert not is_logged_in(client)
    event = AuditEvent.objects.get(action="two_factor_failed")
    assert event.actor == device.user


def test_the_right_code_right_after_a_wrong_one_logs_in(client, device):
    log_in(client)
    assert "not right" in enter_code(client, wrong_code_for(device)).content.decode()
    response = enter_code(client, code_for(device))
    assert response.url == reverse("home")
    assert is_logged_in(client)


def test_four_wrong_codes_in_a_row_are_allowed(client, device, settings):
    assert settings.TWO_FACTOR_MAX_WRONG_CODES == 5
    log_in(client)
    wrong = wrong_code_for(device)
    for _ in range(4):
        assert "not right" in enter_code(client, wrong).context["form"].errors["code"][0]
    assert enter_code(client, code_for(device)).url == reverse("home")


def test_the_fifth_wrong_code_in_a_row_locks_the_codes_for_a_minute(client, device):
    log_in(client)
    wrong = wrong_code_for(device)
    for _ in range(4):
        enter_code(client, wrong)
    response = enter_code(client, wrong)
    assert response.status_code == 429
    assert "Too many wrong codes in a row" in response.content.decode()
    assert "1 minute" in response.content.decode()
    refused = enter_code(client, code_for(device))  # not checked, not counted
    assert refused.status_code == 429 and not is_logged_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 5
    assert PENDING_SESSION_KEY in client.session  # no need to start again from the password


def test_after_the_lock_out_the_right_code_logs_in(client, device):
    log_in(client)
    wrong = wrong_code_for(device)
    for _ in range(5):
        enter_code(client, wrong)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=61)
    )
    assert enter_code(client, code_for(device)).url == reverse("home")
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_each_wrong_code_after_a_lock_out_locks_twice_as_long(client, device):
    log_in(client)
    wrong = wrong_code_for(device)
    for _ in range(5):
        enter_code(client, wrong)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=61)
    )
    response = enter_code(client, wrong)
    assert response.status_code == 429 and "2 minutes" in response.content.decode()


def test_wrong_codes_count_in_a_row_across_logins(client, device):
    wrong = wrong_code_for(device)
    log_in(client)
    for _ in range(3):
        enter_code(client, wrong)
    client.post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD})
    enter_code(client, wrong)
    assert enter_code(client, wrong).status_code == 429


def test_a_lock_out_counts_as_one_failed_login_and_is_audited(client, device, settings):
    log_in(client)
    wrong = wrong_code_for(device)
    for _ in range(settings.TWO_FACTOR_MAX_WRONG_CODES):
        enter_code(client, wrong)
    assert AccessAttempt.objects.get(username=EMAIL).failures_since_start == 1
    assert AuditEvent.objects.filter(action="two_factor_failed").count() == 5
    locked = AuditEvent.objects.get(action="two_factor_locked")
    assert (locked.actor, locked.detail) == (device.user, {"seconds": 60, "wrong_codes": 5})


def test_the_pending_login_expires(client, device):
    log_in(client)
    session = client.session
    session[PENDING_SESSION_KEY]["expires"] = time.time() - 1
    session.save()
    assert enter_code(client, code_for(device)).url == reverse("accounts:login")
    assert not is_logged_in(client)


def test_a_password_change_between_the_steps_drops_the_pending_login(client, device):
    log_in(client)
    device.user.set_password("another-long-password-7")
    device.user.save()
    assert enter_code(client, code_for(device)).url == reverse("accounts:login")
    assert not is_logged_in(client)


def test_the_code_step_without_a_password_step_goes_back_to_login(client, device):
    assert enter_code(client, code_for(device)).url == reverse("accounts:login")


# --- Disabling -----------------------------------------------------------------------------------
def test_disable_with_a_current_code_removes_the_device(client_for, device):
    client = client_for(device.user)
    response = client.post(
        reverse("accounts:two_factor_disable"), {"secret": code_for(device), "confirm": "on"}
    )
    assert response.url == reverse("accounts:two_factor")
    assert not TOTPDevice.objects.filter(user=device.user).exists()
    event = AuditEvent.objects.get(action="two_factor_disabled")
    assert event.detail == {"confirmed_with": "code"}


def test_disable_with_the_password_removes_the_device(client_for, device):
    client = client_for(device.user)
    client.post(reverse("accounts:two_factor_disable"), {"secret": PASSWORD, "confirm": "on"})
    assert not TOTPDevice.objects.filter(user=device.user).exists()
    assert log_in(client_for(None)).url == reverse("home")


def test_disable_refuses_a_wrong_password(client_for, device):
    client = client_for(device.user)
    response = client.post(
        reverse("accounts:two_factor_disable"), {"secret": "not-my-password", "confirm": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["secret"]
    assert TOTPDevice.objects.filter(user=device.user, confirmed=True).exists()


def test_disable_needs_the_confirmation_box(client_for, device):
    client = client_for(device.user)
    response = client.post(reverse("accounts:two_factor_disable"), {"secret": PASSWORD})
    assert response.context["form"].errors["confirm"]
    assert TOTPDevice.objects.filter(user=device.user).exists()
    assert not AuditEvent.objects.filter(action="two_factor_disabled").exists()


# --- Navigation ----------------------------------------------------------------------------------
def test_status_page_says_off_and_offers_to_turn_it_on(client_for, user):
    response = client_for(user).get(reverse("accounts:two_factor"))
    assert response.context["device"] is None
    assert reverse("accounts:two_factor_enrol") in response.content.decode()


def test_user_menu_links_to_two_factor(client_for, owner, workspace):
    response = client_for(owner).get(reverse("reporting:dashboard", kwargs={"slug": "acme"}))
    assert f'href="{reverse("accounts:two_factor")}"' in response.content.decode()


# --- Operator admin ------------------------------------------------------------------------------
def test_admin_login_sends_visitors_to_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.url == f"{reverse('accounts:login')}?next=/admin/"


def test_admin_login_form_cannot_skip_the_code_step(client, device):
    device.user.is_staff = True
    device.user.save()
    client.post("/admin/login/", {"username": EMAIL, "password": PASSWORD})
    assert not is_logged_in(client)


def test_a_staff_user_with_two_factor_reaches_the_admin_after_the_code(client, device):
    device.user.is_staff = True
    device.user.save()
    client.post(
        reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD, "next": "/admin/"}
    )
    assert enter_code(client, code_for(device)).url == "/admin/"
    assert client.get("/admin/").status_code == 200
