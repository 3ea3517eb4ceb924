"""Navigation for workspace pages: the sections that exist, and the workspace switcher."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import sandbox_gateway
from .models import Membership, Workspace
from .roles import Role


@dataclass(frozen=True)
class Section:
    """One entry of the workspace's navigation; what makes it special is said here, not in the
    template (a translated label must not change what an entry does)."""

    group: str
    label: str
    url_name: str
    icon: str
    role: Role
    resellers_only: bool = False
    exact: bool = False  # active on its own page only (the dashboard is the workspace root)
    approvals: bool = False  # shows how many broadcasts await approval
    live_badge: str = ""  # the url name of a badge the page polls beside the label

    def item(self, workspace: Workspace, path: str) -> dict | None:
        try:
            url = reverse(self.url_name, kwargs={"slug": workspace.slug})
        except NoReverseMatch:  # the section's app is not installed
            return None
        badge = reverse(self.live_badge, kwargs={"slug": workspace.slug}) if self.live_badge else ""
        active = path == url or (not self.exact and path.startswith(url))
        return {"group": self.group, "label": self.label, "url": url, "key": self.url_name,
                "icon": self.icon, "active": active, "approvals": self.approvals,
                "badge_url": badge}  # fmt: skip


NAV = [
    Section("", _("Dashboard"), "reporting:dashboard", "dashboard", Role.VIEWER, exact=True),
    Section(_("Messaging"), _("Send"), "messaging:compose", "send", Role.SENDER),
    Section(_("Messaging"), _("Messages"), "messaging:log", "messages", Role.VIEWER,
            approvals=True),
    Section(_("Messaging"), _("Inbox"), "inbound:inbox", "inbox", Role.VIEWER,
            live_badge="inbound:unread_badge"),
    Section(_("Audience"), _("Contacts"), "contacts:list", "contacts", Role.VIEWER),
    Section(_("Insights"), _("Reports"), "reporting:reports", "reports", Role.VIEWER),
    Section(_("Account"), _("Reseller"), "accounts_reseller:console", "reseller", Role.ADMIN,
            resellers_only=True),
    Section(_("Account"), _("Settings"), "accounts_ws:general", "settings", Role.VIEWER),
]  # fmt: skip


def _nav(request: HttpRequest) -> list[dict]:
    workspace, role = request.workspace, request.role
    sections = (
        s for s in NAV if role.at_least(s.role) and (workspace.is_reseller or not s.resellers_only)
    )
    return [item for s in sections if (item := s.item(workspace, request.path)) is not None]


def _nav_groups(items: list[dict]) -> list[dict]:
    """The items in their groups, in order: [{"label": group, "items": [...]}, ...]."""
    groups: list[dict] = []
    for item in items:
        if not groups or groups[-1]["label"] != item["group"]:
            groups.append({"label": item["group"], "items": []})
        groups[-1]["items"].append(item)
    return groups


def workspace_nav(request: HttpRequest) -> dict:
    if not getattr(request, "workspace", None) or not request.user.is_authenticated:
        return {}
    switcher = (
        Membership.objects.filter(user=request.user)
        .select_related("workspace")
        .order_by("workspace__name")
    )
    return {
        "workspace": request.workspace,
        "gateway": getattr(request.workspace, "gateway", None),
        "role": request.role,
        # What the member's role allows, for templates (the rule itself lives in roles.py).
        "role_can_send": request.role.at_least(Role.SENDER),
        "role_can_admin": request.role.at_least(Role.ADMIN),
        "role_is_owner": request.role.at_least(Role.OWNER),
        "nav_groups": _nav_groups(_nav(request)),
        "switcher_memberships": switcher,
        "sandbox_url": sandbox_gateway.pages_url(),  # development only
    }


THEME_COOKIE = "theme"  # set by static/js/app.js from the appearance picker in the user menu
THEMES = ("light", "dark")


def theme(request: HttpRequest) -> dict:
    """The appearance the person chose (light or dark); none follows the device's setting."""
    chosen = request.COOKIES.get(THEME_COOKIE, "")
    return {"theme": chosen if chosen in THEMES else ""}
