"""The workspace's gateway connection: token, connection checks, the cached balance and alerts."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

import textconnect

from ..audit import audit_record
from ..gateway import GatewayUrlNotAllowed, api_url_allowed, client_for_connection, error_summary
from ..models import GatewayConnection, Membership, Workspace
from ..models.gateway import CheckState
from ..roles import Role


def clean_token(raw: str) -> str:
    """Tokens are pasted from the vendor's settings page: drop spaces and line breaks."""
    return "".join(raw.split())


class GatewayChangeRefused(Exception):
    """A token or URL change that the rules forbid (the form says why before this is reached)."""


class TokenRefused(GatewayChangeRefused):
    """The new token did not pass CheckCredits: nothing was saved, the current token is kept."""


@dataclass(frozen=True)
class _Change:
    api_url: str  # as stored: "" for the default
    new_url: str
    token_changed: bool


def _change_allowed(
    request: HttpRequest, connection: GatewayConnection | None, token: str, api_url: str | None
) -> _Change:
    """The rules: only the owner sets the token or the URL; the URL is on the operator's list;
    moving the stored token to another URL needs the token typed again."""
    if api_url is None:
        api_url = connection.api_url if connection is not None else ""
    new_url = api_url or settings.TEXTCONNECT_API_URL
    url_changed = connection is None or new_url != connection.effective_api_url
    if (token or url_changed) and request.role != Role.OWNER:
        raise GatewayChangeRefused(_("Only the owner changes the gateway token or URL."))
    if not api_url_allowed(new_url):
        raise GatewayChangeRefused(_("That gateway URL is not on the operator's list."))
    if url_changed and not token:
        raise GatewayChangeRefused(_("A new gateway URL needs the token typed again."))
    token_changed = bool(token) and (connection is None or token != connection.token or url_changed)
    return _Change(api_url=api_url, new_url=new_url, token_changed=token_changed)


def token_verify(*, token: str, api_url: str, first: bool) -> Decimal:
    """CheckCredits with a token that is not stored yet: its balance, or TokenRefused saying
    what the gateway answered. One try within the gateway call's total deadline (a person is
    waiting); `first` says whether a token is in use already, for the words."""
    probe = GatewayConnection(token=token, api_url=api_url)
    try:
        with client_for_connection(probe, retry=textconnect.NO_RETRY) as client:
            return client.check_credits()
    except GatewayUrlNotAllowed as exc:
        reason = str(exc)
    except textconnect.TextConnectError as exc:
        code, text = error_summary(exc)
        reason = (
            _("The gateway refused this token (%(code)s: %(text)s).") % {"code": code, "text": text}
            if code is not None
            else text
        )
    kept = _("Nothing was saved.") if first else _("Nothing was saved: the current token is kept.")
    raise TokenRefused(f"{reason} {kept}")


@dataclass(frozen=True)
class GatewaySaved:
    connection: GatewayConnection
    token_checked: bool  # a new token was checked and its balance recorded


def gateway_connect(
    *,
    request: HttpRequest,
    token: str,
    api_url: str | None,
    is_admin_account: bool,
    low_balance_threshold: Decimal | None,
) -> GatewaySaved:
    """Save the workspace's gateway settings; a blank token keeps the current one and `api_url`
    None keeps the current URL. A new token (or the token at a new URL) is checked with
    CheckCredits first, outside any transaction, and replaces the current one only if the
    gateway accepts it: then its balance is recorded at once. Otherwise TokenRefused says why
    and nothing changes."""
    workspace = request.workspace
    token = clean_token(token)
    current = GatewayConnection.objects.for_workspace(workspace).first()
    change = _change_allowed(request, current, token, api_url)
    balance = None
    if change.token_changed:
        balance = token_verify(token=token, api_url=change.new_url, first=current is None)
    with transaction.atomic():
        connection = GatewayConnection.objects.for_workspace(workspace).select_for_update().first()
        change = _change_allowed(request, connection, token, change.api_url)  # as it is now
        if change.token_changed and balance is None:  # changed by someone else meanwhile
            raise GatewayChangeRefused(_("The gateway settings changed meanwhile; try again."))
        created = connection is None
        if created:
            connection = GatewayConnection(workspace=workspace)
        if change.token_changed:
            connection.token = token
            connection.low_balance_alerted = False
        connection.api_url = change.api_url
        connection.is_admin_account = is_admin_account
        connection.low_balance_threshold = low_balance_threshold
        connection.save()
        if change.token_changed:
            balance_record(connection=connection, balance=balance)
            audit_record(
                "token_changed", request=request, obj=workspace, last4=connection.token_last4
            )
        audit_record(
            "gateway_settings_changed",
            request=request,
            obj=workspace,
            api_url=connection.effective_api_url,
            admin_account=is_admin_account,
        )
    return GatewaySaved(connection=connection, token_checked=change.token_changed)


def gateway_check_start(*, workspace: Workspace) -> None:
    """Mark a connection check as running and queue it once the transaction commits."""
    from ..tasks import gateway_check_task

    GatewayConnection.objects.for_workspace(workspace).update(
        check_state=CheckState.CHECKING, check_error=""
    )
    transaction.on_commit(lambda: gateway_check_task.delay(workspace.pk))


def gateway_check(*, workspace: Workspace) -> Decimal | None:
    """CheckCredits for the workspace; record the balance or the gateway's error."""
    connection = GatewayConnection.objects.for_workspace(workspace).first()
    if connection is None:
        return None
    try:
        with client_for_connection(connection) as client:
            balance = client.check_credits()
    except GatewayUrlNotAllowed as exc:
        connection.check_state = CheckState.FAILED
        connection.check_error = str(exc)
        connection.save(update_fields=["check_state", "check_error", "updated_at"])
        return None
    except textconnect.TextConnectError as exc:
        code, text = error_summary(exc)
        connection.check_state = CheckState.FAILED
        connection.check_error = f"{code}: {text}" if code is not None else text
        connection.save(update_fields=["check_state", "check_error", "updated_at"])
        return None
    balance_record(connection=connection, balance=balance)
    return balance


def balance_record(*, connection: GatewayConnection, balance: Decimal) -> None:
    """Store a fresh balance; alert once each time it falls below the threshold."""
    connection.balance = balance
    connection.balance_checked_at = timezone.now()
    connection.check_state = CheckState.OK
    connection.check_error = ""
    alert = connection.is_low and not connection.low_balance_alerted
    if connection.is_low:
        connection.low_balance_alerted = True
    elif connection.low_balance_alerted:
        connection.low_balance_alerted = False  # back above: the next crossing alerts again
    connection.save()
    if alert:
        _low_balance_mail(connection)


def _low_balance_mail(connection: GatewayConnection) -> None:
    workspace = connection.workspace
    recipients = list(
        Membership.objects.for_workspace(workspace)
        .filter(role__in=[Role.OWNER, Role.ADMIN])
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return
    send_mail(
        subject=_("Low credit balance in %(workspace)s") % {"workspace": workspace.name},
        message=_(
            "The Text-Connect balance of %(workspace)s is %(balance)s credits, below your alert "
            "threshold of %(threshold)s.\n\n"
            "Top up the account so that scheduled and new messages can be sent."
        )
        % {
            "workspace": workspace.name,
            "balance": f"{connection.balance:f}",
            "threshold": f"{connection.low_balance_threshold:f}",
        },
        from_email=None,
        recipient_list=recipients,
    )
    audit_record(
        "low_balance_alerted", workspace=workspace, obj=workspace, balance=str(connection.balance)
    )
