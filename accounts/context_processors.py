"""Navigation for workspace pages: the sections that exist, and the workspace switcher."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import sandbox_gateway
from .models import Membership
from .roles import Role

# (group, label, url name, icon, role needed). Sections whose app is not installed yet are left out.
NAV = [
    ("", _("Dashboard"), "reporting:dashboard", "dashboard", Role.VIEWER),
    (_("Messaging"), _("Send"), "messaging:compose", "send", Role.SENDER),
    (_("Messaging"), _("Messages"), "messaging:log", "messages", Role.VIEWER),
    (_("Messaging"), _("Inbox"), "inbound:inbox", "inbox", Role.VIEWER),
    (_("Audience"), _("Contacts"), "contacts:list", "contacts", Role.VIEWER),
    (_("Insights"), _("Reports"), "reporting:reports", "reports", Role.VIEWER),
    (_("Account"), _("Reseller"), "accounts_reseller:console", "reseller", Role.ADMIN),
    (_("Account"), _("Settings"), "accounts_ws:general", "settings", Role.VIEWER),
]


def _nav(request: HttpRequest) -> list[dict]:
    workspace, role = request.workspace, request.role
    items = []
    for group, label, name, icon, needed in NAV:
        if not role.at_least(needed):
            continue
        if name.startswith("accounts_reseller:") and not workspace.is_reseller:
            continue
        try:
            url = reverse(name, kwargs={"slug": workspace.slug})
        except NoReverseMatch:
            continue
        items.append({"group": group, "label": label, "url": url, "key": name, "icon": icon})
    # The dashboard is the workspace root, so it is active only on itself; others own their subtree.
    for i, item in enumerate(items):
        item["active"] = request.path == item["url"] or (
            i > 0 and request.path.startswith(item["url"])
        )
    return items


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
