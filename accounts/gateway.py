"""The one door from the portal to the gateway: a textconnect.Client built for a workspace."""

import logging

from django.conf import settings
from django.utils.translation import gettext as _

import textconnect

from .models import GatewayConnection, Workspace

log = logging.getLogger(__name__)


class GatewayNotConnected(Exception):
    """The workspace has no gateway token yet."""


class GatewayUrlNotAllowed(GatewayNotConnected):
    """The workspace's gateway URL is not on the operator's list: the token is not sent there."""


def allowed_api_urls() -> list[str]:
    """The gateway URLs the operator allows, the default first; a workspace picks one of them."""
    urls = [settings.TEXTCONNECT_API_URL, *settings.TEXTCONNECT_ALLOWED_API_URLS]
    if settings.SANDBOX_ENABLED:
        urls.append(f"{settings.SITE_URL}/sandbox/api")
    return list(dict.fromkeys(url.strip() for url in urls if url.strip()))


def api_url_allowed(url: str) -> bool:
    return url in allowed_api_urls()


def client_for(workspace: Workspace, *, timeout: float | None = None) -> textconnect.Client:
    """A client for the workspace's gateway account (decrypts the token; never logs it)."""
    connection = GatewayConnection.objects.for_workspace(workspace).first()
    if connection is None or not connection.token:
        raise GatewayNotConnected(f"{workspace} has no gateway account connected.")
    return client_for_connection(connection, timeout=timeout)


def client_for_connection(
    connection: GatewayConnection,
    *,
    timeout: float | None = None,
    retry: textconnect.RetryPolicy | None = None,
) -> textconnect.Client:
    """A client for the connection, only towards a URL the operator allows (checked at each call,
    so a URL stored before it left the list never receives the token). `retry` replaces the
    client's retries of read-only calls (a person waiting on a page gets one try)."""
    if not api_url_allowed(connection.effective_api_url):
        raise GatewayUrlNotAllowed(
            _(
                "This gateway URL is no longer allowed on this portal; the workspace owner picks "
                "another one in the gateway settings."
            )
        )
    return textconnect.Client(
        connection.token,
        connection.effective_api_url,
        timeout=timeout or settings.TEXTCONNECT_TIMEOUT,
        retry=retry,
    )


def error_summary(exc: textconnect.TextConnectError) -> tuple[int | None, str]:
    """The gateway's code and text for showing to people (never contains the token)."""
    if isinstance(exc, textconnect.TransportError):
        return None, transport_text(exc)
    return exc.code, exc.text


def transport_text(exc: textconnect.TransportError) -> str:
    """What happened to a call that got no usable answer, in words: unreachable is not the same
    as reached-and-failed."""
    if isinstance(exc, textconnect.UnexpectedAnswer):
        # Its text holds a sample of whatever the server answered: for the operator's log only.
        log.warning("gateway: unexpected answer: %s", exc.text)
        return _("The gateway gave an unexpected answer.")
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
