"""How old a balance is, in words: "just now", "1 minute ago", "5 minutes ago"."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import GatewayConnection
from accounts.templatetags.ages import ago

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "just now"),
        (59, "just now"),
        (-30, "just now"),  # a clock a little ahead of ours
        (60, "1 minute ago"),
        (150, "2 minutes ago"),
        (3600, "1 hour ago"),
        (3600 * 2 + 60, "2 hours, 1 minute ago"),
    ],
)
def test_an_age_reads_as_words(seconds, words):
    # Django writes the number and its unit with a no-break space between them.
    assert ago(timezone.now() - timedelta(seconds=seconds)).replace("\xa0", " ") == words


def test_no_time_is_no_age():
    assert ago(None) == ""


def _fresh_balance(workspace):
    return GatewayConnection.objects.create(
        workspace=workspace,
        token="t" * 20,
        balance=Decimal(40),
        balance_checked_at=timezone.now(),
        check_state="ok",
    )


def test_the_status_panel_says_a_fresh_balance_was_checked_just_now(client_for, workspace, owner):
    _fresh_balance(workspace)
    url = reverse("accounts_ws:gateway_status", kwargs={"slug": workspace.slug})
    page = client_for(owner).get(url).content.decode().replace("\xa0", " ")
    assert "just now" in page
    assert "0 minutes" not in page


def test_the_header_and_the_dashboard_say_just_now(client_for, workspace, owner):
    _fresh_balance(workspace)
    page = client_for(owner).get(reverse("reporting:dashboard", kwargs={"slug": workspace.slug}))
    text = page.content.decode().replace("\xa0", " ")
    assert "Credit balance, checked just now" in text
    assert "checked just now" in text.split("Credit balance</header>")[1]
    assert "0 minutes" not in text
