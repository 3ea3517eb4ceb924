"""The workspace's gateway connection: token, connection checks, the cached balance and alerts."""

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


@transaction.atomic
def gateway_connect(
    *,
    request: HttpRequest,
    token: str,
    api_url: str | None,
    is_admin_account: bool,
    low_balance_threshold: Decimal | None,
) -> GatewayConnection:
    """Save the workspace's gateway settings; a blank token keeps the current one and `api_url`
    None keeps the current URL. Only the owner sets the token or the URL; the URL must be on the
    operator's list, and moving the stored token to another URL needs the token typed again."""
    workspace = request.workspace
    connection = GatewayConnection.objects.for_workspace(workspace).select_for_update().first()
    token = clean_token(token)
    created = connection is None
    if created:
        connection = GatewayConnection(workspace=workspace)
    if api_url is None:
        api_url = connection.api_url
    new_url = api_url or settings.TEXTCONNECT_API_URL
    url_changed = created or new_url != connection.effective_api_url
    if (token or url_changed) and request.role != Role.OWNER:
        raise GatewayChangeRefused(_("Only the owner changes the gateway token or URL."))
    if not api_url_allowed(new_url):
        raise GatewayChangeRefused(_("That gateway URL is not on the operator's list."))
    if url_changed and not token:
        raise GatewayChangeRefused(_("A new gateway URL needs the token typed again."))
    token_changed = bool(token) and (token != connection.token or url_changed)
    if token_changed:
        connection.token = token
        connection.balance = None
        connection.balance_checked_at = None
        connection.check_state = CheckState.IDLE
        connection.check_error = ""
        connection.low_balance_alerted = False
    connection.api_url = api_url
    connection.is_admin_account = is_admin_account
    connection.low_balance_threshold = low_balance_threshold
    connection.save()
    if token_changed:
        audit_record("token_changed", request=request, obj=workspace, last4=connection.token_last4)
    audit_record(
        "gateway_settings_changed",
        request=request,
        obj=workspace,
        api_url=connection.effective_api_url,
        admin_account=is_admin_account,
    )
    return connection


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
        subject=f"Low credit balance in {workspace.name}",
        message=(
            f"The Text-Connect balance of {workspace.name} is {connection.balance:f} credits, "
            f"below your alert threshold of {connection.low_balance_threshold:f}.\n\n"
            "Top up the account so that scheduled and new messages can be sent."
        ),
        from_email=None,
        recipient_list=recipients,
    )
    audit_record(
        "low_balance_alerted", workspace=workspace, obj=workspace, balance=str(connection.balance)
    )
