"""Navigation for workspace pages: the sections that exist, and the workspace switcher."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from . import sandbox_gateway
from .models import Membership
from .roles import Role

# (label, url name, role needed). Sections whose app is not installed yet are left out.
NAV = [
    ("Dashboard", "reporting:dashboard", Role.VIEWER),
    ("Send", "messaging:compose", Role.SENDER),
    ("Messages", "messaging:log", Role.VIEWER),
    ("Contacts", "contacts:list", Role.VIEWER),
    ("Reports", "reporting:reports", Role.VIEWER),
    ("Inbox", "inbound:inbox", Role.VIEWER),
    ("Reseller", "accounts_reseller:console", Role.ADMIN),
    ("Settings", "accounts_ws:general", Role.VIEWER),
]


def _nav(request: HttpRequest) -> list[dict]:
    workspace, role = request.workspace, request.role
    items = []
    for label, name, needed in NAV:
        if not role.at_least(needed):
            continue
        if name.startswith("accounts_reseller:") and not workspace.is_reseller:
            continue
        try:
            url = reverse(name, kwargs={"slug": workspace.slug})
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "key": name})
    # The dashboard is the workspace root, so it is active only on itself; others own their subtree.
    for i, item in enumerate(items):
        item["active"] = request.path == item["url"] or (
            i > 0 and request.path.startswith(item["url"])
        )
    return items


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
        "nav_items": _nav(request),
        "switcher_memberships": switcher,
        "sandbox_url": sandbox_gateway.pages_url(),  # development only
    }
