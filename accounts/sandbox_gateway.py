"""The portal's one door to the development sandbox: "Use the sandbox" in the gateway settings.

Only with SANDBOX_ENABLED (the sandbox mounted at /sandbox/): this module is the one place where
the portal calls the sandbox's services, and it imports them only when asked, so that the portal
runs without the sandbox in production. Feature apps never import the sandbox, and the sandbox
knows nothing of the portal (it asks for tokens through SANDBOX_PAGE_TOKENS).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import GatewayConnection, Workspace
from .roles import Role
from .services.gateway import GatewayChangeRefused, gateway_connect

SANDBOX_CREDITS = 1000


class SandboxUnavailable(GatewayChangeRefused):
    """The sandbox is not mounted here (SANDBOX_ENABLED is off)."""


def enabled() -> bool:
    """The sandbox is mounted in this portal, at /sandbox/."""
    return bool(settings.SANDBOX_ENABLED) and not getattr(settings, "SANDBOX_STANDALONE", False)


def api_url() -> str:
    """The mounted sandbox's API, one of the gateways the operator's list always allows then."""
    return f"{settings.SITE_URL}/sandbox/api"


def pages_url() -> str | None:
    """The sandbox's own pages (accounts, handsets, VMNs), when it is mounted."""
    if not enabled():
        return None
    try:
        return reverse("sandbox:accounts")
    except NoReverseMatch:  # mounted after start-up only in tests that change the setting
        return None


def account_page_url(connection: GatewayConnection | None) -> str | None:
    """The sandbox page of the account a connection uses, when it is one of the sandbox's."""
    if connection is None or not connection.token or pages_url() is None:
        return None
    if connection.effective_api_url != api_url():
        return None
    from sandbox.models import SandboxAccount

    account = SandboxAccount.objects.filter(token=connection.token).only("pk").first()
    return reverse("sandbox:messages", args=[account.pk]) if account else None


@dataclass(frozen=True)
class _Forwarding:
    url: str
    method: str
    auth: str
    portal_vmn: object | None  # the inbox's VMN made for it, removed again if connecting fails


def _inbox_vmn(request: HttpRequest, number: str) -> _Forwarding | None:
    """The workspace inbox's VMN for `number` (made when missing) and the URL it is reached at.

    Through the app registry: accounts knows no feature app, and without the inbox installed
    the sandbox account simply gets no VMN."""
    if not apps.is_installed("inbound"):
        return None
    model = apps.get_model("inbound", "VirtualNumber")
    workspace: Workspace = request.workspace
    vmn = model.objects.for_workspace(workspace).filter(number="+" + number).first()
    made = vmn is None
    if made:
        vmn = model.objects.create(workspace=workspace, number="+" + number, label=_("Sandbox"))
        audit_record("vmn_added", request=request, workspace=workspace, obj=vmn)
    endpoint = reverse("inbound_endpoint:receive", kwargs={"key": vmn.key})
    return _Forwarding(
        url=settings.SITE_URL.rstrip("/") + endpoint,
        method=vmn.method,
        auth=vmn.auth,
        portal_vmn=vmn if made else None,
    )


def _free_username(base: str) -> str:
    from sandbox.models import SandboxAccount

    username, n = base, 1
    while SandboxAccount.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def sandbox_connect(
    *,
    request: HttpRequest,
    credits: Decimal | int = SANDBOX_CREDITS,
    vmn_number: str | None = None,
) -> GatewayConnection:
    """Create a sandbox account with `credits` and a VMN forwarding to the workspace's inbox,
    and connect the workspace to it (an admin account: the reseller console works too). The
    owner only, as for any token; the token is checked like any other (gateway_connect). If
    connecting fails, the account and the VMN made for it are removed again."""
    if not enabled():
        raise SandboxUnavailable(_("The sandbox is not available on this portal."))
    if request.role != Role.OWNER:
        raise GatewayChangeRefused(_("Only the owner changes the gateway token or URL."))
    from sandbox import services as sandbox_services

    workspace = request.workspace
    current = GatewayConnection.objects.for_workspace(workspace).first()
    number = vmn_number or sandbox_services.vmn_free_number()
    forwarding = _inbox_vmn(request, number)
    account = sandbox_services.account_create(
        _free_username(workspace.slug),
        credits=credits,
        admin=True,
        vmn=number if forwarding else None,
        forward_url=forwarding.url if forwarding else None,
        forward_method=forwarding.method if forwarding else "POST",
        forward_auth=forwarding.auth if forwarding else "",
    )
    url = api_url()
    try:
        saved = gateway_connect(
            request=request,
            token=account.token,
            api_url="" if url == settings.TEXTCONNECT_API_URL else url,
            is_admin_account=True,
            low_balance_threshold=current.low_balance_threshold if current else None,
        )
    except GatewayChangeRefused:
        sandbox_services.account_delete(account)
        if forwarding and forwarding.portal_vmn is not None:
            forwarding.portal_vmn.delete()
        raise
    audit_record(
        "sandbox_connected",
        request=request,
        obj=workspace,
        sandbox_account=account.username,
        credits=str(credits),
        vmn=number if forwarding else "",
    )
    return saved.connection


def handset_text(*, to: str, sender: str, text: str) -> None:
    """A handset texts a sandbox VMN; the sandbox forwards it as the gateway would."""
    if not enabled():
        raise SandboxUnavailable(_("The sandbox is not available on this portal."))
    from sandbox import inbound

    inbound.receive(to=to, sender=sender, text=text)


def sandbox_idle(timeout: float) -> bool:
    """Wait until the sandbox's own threads (forwarding, background sends) are done."""
    if not enabled():
        return True
    from sandbox import workers

    return workers.wait_idle(timeout)
