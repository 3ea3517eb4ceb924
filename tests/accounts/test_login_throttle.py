"""Failed logins lock out an email from one IP address for the cool-off (django-axes)."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "ann@example.com"
WRONG_PASSWORD = "wrong-guess"


def attempt(client, email=EMAIL, password=WRONG_PASSWORD, ip="127.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def fail_until_locked(client, settings, email=EMAIL, ip="127.0.0.1"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, email=email, ip=ip)
    return response


def without_csrf(content: bytes) -> str:
    """The page less its CSRF tokens (the htmx header and the language picker's form)."""
    page = re.sub(r'"X-CSRFToken": "[^"]*"', "", content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_failures_below_the_limit_show_the_login_form_again(client, settings):
    UserFactory(email=EMAIL)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client)
        assert response.status_code == 200
    assert response.context["form"].errors


def test_the_limit_th_failure_locks_the_email_out_with_429(client, settings):
    UserFactory(email=EMAIL)
    response = fail_until_locked(client, settings)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_lock_out_page_is_the_same_for_unknown_and_known_emails(client, settings):
    UserFactory(email=EMAIL)
    known = fail_until_locked(client, settings, email=EMAIL)
    unknown = fail_until_locked(client, settings, email="nobody@example.com")
    assert known.status_code == unknown.status_code == 429
    assert without_csrf(known.content) == without_csrf(unknown.content)
    assert EMAIL not in known.content.decode()


def test_correct_password_is_refused_while_locked_out(client, settings):
    UserFactory(email=EMAIL)
    fail_until_locked(client, settings)
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_attempts_while_locked_out_are_still_audited(client, settings):
    UserFactory(email=EMAIL)
    fail_until_locked(client, settings)
    attempt(client, password=PASSWORD)
    failed = AuditEvent.objects.filter(action="login_failed", detail={"email": EMAIL})
    assert failed.count() == settings.AXES_FAILURE_LIMIT + 1
    assert not AuditEvent.objects.filter(action="login").exists()


def test_another_email_from_the_same_ip_can_still_log_in(client, settings):
    UserFactory(email=EMAIL)
    UserFactory(email="bob@example.com")
    fail_until_locked(client, settings)
    response = attempt(client, email="bob@example.com", password=PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_same_email_from_another_ip_can_still_log_in(client, settings):
    UserFactory(email=EMAIL)
    fail_until_locked(client, settings, ip="10.0.0.1")
    response = attempt(client, password=PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302


def test_one_ip_failing_across_many_emails_hits_the_per_address_ceiling(client, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    UserFactory(email=EMAIL)
    for n in range(3):
        attempt(client, email=f"guess{n}@example.com")
        attempt(client, email=f"guess{n}@example.com")
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)
    assert attempt(client, password=PASSWORD, ip="10.0.0.9").status_code == 302


def test_lock_clears_after_the_cool_off(client, settings):
    UserFactory(email=EMAIL)
    fail_until_locked(client, settings)
    long_ago = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=long_ago)
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_lock_is_still_on_just_before_the_cool_off_ends(client, settings):
    UserFactory(email=EMAIL)
    fail_until_locked(client, settings)
    recently = timezone.now() - settings.AXES_COOLOFF_TIME + timedelta(seconds=30)
    AccessAttempt.objects.update(attempt_time=recently)
    assert attempt(client, password=PASSWORD).status_code == 429


def test_operator_reset_unlocks_the_email(client, settings):
    UserFactory(email=EMAIL)
    fail_until_locked(client, settings)
    assert reset(username=EMAIL) == 1
    assert attempt(client, password=PASSWORD).status_code == 302


def test_failure_limit_follows_the_setting(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(email=EMAIL)
    assert attempt(client).status_code == 200
    assert attempt(client).status_code == 429


def test_a_successful_login_resets_the_count(client, settings):
    UserFactory(email=EMAIL)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client)
    attempt(client, password=PASSWORD)
    client.post(reverse("accounts:logout"))
    assert attempt(client).status_code == 200


def test_signup_still_logs_the_new_user_in(client, sign_up):
    response = sign_up(client, email=EMAIL)
    assert response.status_code == 302
    assert is_logged_in(client)
