"""A new workspace starts in a time zone and country that fit its creator, and countries are
listed by name."""

import re

import pytest
from django.urls import reverse

from accounts.models import Membership, User, Workspace
from accounts.regions import country_for_time_zone
from accounts.roles import Role

from ..conftest import signup_link
from ..factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

NEW = reverse("accounts:workspace_new")


def _selected(html: str, name: str) -> str:
    """The option a browser shows: the one marked selected, else the first."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    marked = re.search(r'<option value="([^"]*)"[^>]* selected[ >]', select)
    return marked.group(1) if marked else re.search(r'<option value="([^"]*)"', select).group(1)


def _options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_countries_are_listed_by_name_with_their_calling_code(client_for):
    html = client_for(UserFactory()).get(NEW).content.decode()
    options = _options(html, "default_country")
    assert ("GB", "United Kingdom (+44)") in options
    assert ("US", "United States (+1)") in options
    names = [label.rsplit(" (+", 1)[0] for _code, label in options]
    assert names[:2] == ["Afghanistan", "Åland Islands"]  # by name, accents aside
    assert names.index("Côte d&#x27;Ivoire") < names.index("Croatia")


def test_a_first_workspace_starts_in_london_and_the_uk_not_the_first_item(client_for):
    html = client_for(UserFactory()).get(NEW).content.decode()
    assert _selected(html, "time_zone") == "Europe/London"
    assert _selected(html, "default_country") == "GB"


def test_a_first_workspace_takes_the_browsers_time_zone_through_a_static_script(client_for):
    html = client_for(UserFactory()).get(NEW).content.decode()
    assert re.search(r'<select name="time_zone"[^>]* data-browser-time-zone', html)
    assert re.search(r'<option value="Europe/Paris"[^>]* data-country="FR">', html)
    assert re.search(r'<script src="/static/js/time_zone\.js" defer></script>', html)
    assert "<script>" not in html  # the CSP allows no inline script


def test_another_workspace_of_the_creator_gives_the_defaults(client_for):
    user = UserFactory()
    MembershipFactory(
        user=user,
        role=Role.OWNER,
        workspace=WorkspaceFactory(time_zone="America/Chicago", default_country="US"),
    )
    html = client_for(user).get(NEW).content.decode()
    assert _selected(html, "time_zone") == "America/Chicago"
    assert _selected(html, "default_country") == "US"
    assert not re.search(r'<select name="time_zone"[^>]* data-browser-time-zone', html)


def test_the_workspace_last_used_gives_the_defaults(client_for):
    user = UserFactory()
    for tz, country, slug in [("Asia/Tokyo", "JP", "tokyo"), ("Europe/Berlin", "DE", "berlin")]:
        workspace = WorkspaceFactory(time_zone=tz, default_country=country, slug=slug)
        MembershipFactory(user=user, role=Role.OWNER, workspace=workspace)
    client = client_for(user)
    client.get(reverse("reporting:dashboard", kwargs={"slug": "tokyo"}))
    html = client.get(NEW).content.decode()
    assert (_selected(html, "time_zone"), _selected(html, "default_country")) == (
        "Asia/Tokyo",
        "JP",
    )


def test_the_settings_page_names_the_country(client_for, workspace, viewer):
    page = client_for(viewer).get(reverse("accounts_ws:general", kwargs={"slug": workspace.slug}))
    assert b"United Kingdom (+44)" in page.content


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("Europe/London", "GB"),
        ("Europe/Paris", "FR"),
        ("America/New_York", "US"),
        ("Asia/Calcutta", "IN"),  # the old name some browsers still report
        ("Etc/UTC", None),
        ("Nowhere/Special", None),
    ],
)
def test_a_time_zone_suggests_its_country(zone, country):
    assert country_for_time_zone(zone) == country


SIGNUP = {"name": "Ann Lee", "email": "ann@example.com", "workspace_name": "Acme Ltd"}


def _sign_up(client, **fields):  # noqa: ANN001, ANN003
    client.post(reverse("accounts:signup"), {**SIGNUP, **fields})
    client.post(signup_link("ann@example.com"), {"password": "correct horse battery"})
    user = User.objects.get(email="ann@example.com")
    return Membership.objects.get(user=user).workspace


def test_signing_up_takes_the_browsers_time_zone_and_its_country(client):
    assert re.search(
        r'<input type="hidden" name="browser_time_zone"[^>]* data-browser-time-zone',
        client.get(reverse("accounts:signup")).content.decode(),
    )
    workspace = _sign_up(client, browser_time_zone="Europe/Paris")
    assert (workspace.time_zone, workspace.default_country) == ("Europe/Paris", "FR")


def test_signing_up_without_a_usable_browser_time_zone_uses_london_and_the_uk(client):
    workspace = _sign_up(client, browser_time_zone="Mars/Olympus")
    assert (workspace.time_zone, workspace.default_country) == ("Europe/London", "GB")
    assert Workspace.objects.count() == 1
