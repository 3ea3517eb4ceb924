"""The one door from the portal to the gateway: a textconnect.Client built for a workspace."""

from django.conf import settings
from django.utils.translation import gettext as _

import textconnect

from .models import GatewayConnection, Workspace


class GatewayNotConnected(Exception):
    """The workspace has no gateway token yet."""


def client_for(workspace: Workspace, *, timeout: float | None = None) -> textconnect.Client:
    """A client for the workspace's gateway account (decrypts the token; never logs it)."""
    connection = GatewayConnection.objects.for_workspace(workspace).first()
    if connection is None or not connection.token:
        raise GatewayNotConnected(f"{workspace} has no gateway account connected.")
    return client_for_connection(connection, timeout=timeout)


def client_for_connection(
    connection: GatewayConnection, *, timeout: float | None = None
) -> textconnect.Client:
    return textconnect.Client(
        connection.token,
        connection.effective_api_url,
        timeout=timeout or settings.TEXTCONNECT_TIMEOUT,
    )


def error_summary(exc: textconnect.TextConnectError) -> tuple[int | None, str]:
    """The gateway's code and text for showing to people (never contains the token)."""
    if isinstance(exc, textconnect.TransportError):
        return None, transport_text(exc)
    return exc.code, exc.text


def transport_text(exc: textconnect.TransportError) -> str:
    """What happened to a call that got no usable answer, in words: unreachable is not the same
    as reached-and-failed."""
    status = exc.status_code
    if status is not None and status >= 500:
        return _("The gateway was reached but answered with a server error (HTTP %(status)s).") % {
            "status": status
        }
    if status is not None:
        return _("The gateway refused the request (HTTP %(status)s).") % {"status": status}
    if not exc.may_have_reached:
        return _("The gateway could not be reached (%(detail)s).") % {"detail": exc.text}
    return _("The gateway's answer was lost (%(detail)s).") % {"detail": exc.text}
