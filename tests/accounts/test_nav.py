"""The workspace navigation: which sections a member sees, which one is current, and its badges."""

import dataclasses
import re

import pytest
from django.urls import reverse

from accounts import context_processors
from accounts.models import GatewayConnection

pytestmark = pytest.mark.django_db


def nav(client, path: str) -> str:  # noqa: ANN001
    page = client.get(path).content.decode()
    start = page.index('<nav class="sidebar"')
    return page[start : page.index("</nav>", start)]


def labels(sidebar: str) -> list[str]:
    """The entries' labels (each entry is an icon and a label)."""
    return [
        label.strip() for label in re.findall(r'<span class="nav-label">([^<]+)</span>', sidebar)
    ]


def current(sidebar: str) -> list[str]:
    return re.findall(r'aria-current="page">.*?<span class="nav-label">([^<]+)</span>', sidebar)


def test_the_reseller_console_shows_to_a_resellers_admins_only(
    client_for, workspace, admin, viewer
):
    home = reverse("reporting:dashboard", kwargs={"slug": workspace.slug})
    assert "Reseller" not in labels(nav(client_for(admin), home))
    GatewayConnection.objects.create(
        workspace=workspace,
        token="t" * 20,
        api_url="http://gateway.test/api",
        is_admin_account=True,
    )
    assert "Reseller" in labels(nav(client_for(admin), home))
    assert "Reseller" not in labels(nav(client_for(viewer), home))


def test_the_dashboard_is_current_on_itself_and_a_section_on_its_subpages(
    client_for, workspace, viewer
):
    client = client_for(viewer)
    assert current(
        nav(client, reverse("reporting:dashboard", kwargs={"slug": workspace.slug}))
    ) == ["Dashboard"]
    imports = reverse("contacts:imports", kwargs={"slug": workspace.slug})
    assert current(nav(client, imports)) == ["Contacts"]


def test_the_inbox_badge_is_the_sections_not_its_labels(client_for, workspace, viewer, monkeypatch):
    renamed = [
        dataclasses.replace(s, label="Blwch") if s.url_name == "inbound:inbox" else s
        for s in context_processors.NAV
    ]
    monkeypatch.setattr(context_processors, "NAV", renamed)
    sidebar = nav(client_for(viewer), reverse("contacts:list", kwargs={"slug": workspace.slug}))
    badge = reverse("inbound:unread_badge", kwargs={"slug": workspace.slug})
    assert "Blwch" in labels(sidebar) and f'hx-get="{badge}"' in sidebar
    assert sidebar.count("nav-badge-slot") == 1
