"""`/l/<code>`: a tracked short link. No login; one indexed read, then a 302 (the visit is written
later, see services/links.py); a plain 404 for an unknown code and 410 once the link expired.

A visitor is anonymous and the redirect has no page, so sessions, authentication, CSRF, the
language, messages, htmx and axes have nothing to do for it; with them it cost several times a bare
view. `ShortLinkMiddleware`, right after Django's SecurityMiddleware (HTTPS redirect, HSTS, nosniff,
opener policy), answers the redirect itself. Everything else (an unknown or expired code, a method
other than GET or HEAD) goes on through the whole stack to `follow`, which renders the page in the
visitor's language; the row read on the way is handed over, so that is still one read.
"""

import re
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from django.utils.csp import CSP, build_policy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.audit import client_ip

from .services import links

PATH = re.compile(r"/l/([^/]+)\Z")  # as the URL pattern's `<str:code>`
_UNREAD = object()


def _plain(status: int, title: str, text: str) -> HttpResponse:
    context = {"title": title, "text": text, "LANGUAGE_CODE": get_language()}
    page = render_to_string("messaging/link_gone.html", context)
    return HttpResponse(page, status=status)


def _redirect(request: HttpRequest, link_id: int, url: str) -> HttpResponse:
    links.click_record(
        link_id,
        address=client_ip(request) or "",
        head=request.method == "HEAD",
        user_agent=request.headers.get("User-Agent", ""),
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"  # every visit comes here, so each is counted
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def follow(request: HttpRequest, code: str) -> HttpResponse:
    found: tuple[int, str, datetime] | None = request.__dict__.pop("short_link", _UNREAD)
    if found is _UNREAD:  # not read by ShortLinkMiddleware (not installed)
        found = links.link_for(code)
    if found is None:
        return _plain(
            404, _("Link not found"), _("This link does not exist. Check that it was copied whole.")
        )
    pk, url, expires_at = found
    if expires_at <= timezone.now():
        return _plain(410, _("Link expired"), _("This link has expired."))
    return _redirect(request, pk, url)


class ShortLinkMiddleware:
    """Answers a live short link's 302 without the rest of the stack (see the module's note)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.routed: dict[str, bool] = {}  # per URLconf: does /l/<code> lead to `follow`?
        # What the skipped page middleware would add that still means something on a redirect.
        self.headers = {"X-Frame-Options": settings.X_FRAME_OPTIONS}
        if settings.SECURE_CSP:
            # A plain str: WSGI servers refuse any other type for a header name (wsgiref does).
            self.headers[CSP.HEADER_ENFORCE.value] = build_policy(settings.SECURE_CSP)

    def _routed(self, request: HttpRequest) -> bool:
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        routed = self.routed.get(urlconf)
        if routed is None:
            try:
                routed = get_resolver(urlconf).resolve("/l/x").func is follow
            except Resolver404:
                routed = False
            self.routed[urlconf] = routed
        return routed

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = PATH.match(request.path_info)
        if match is None or request.method not in ("GET", "HEAD") or not self._routed(request):
            return self.get_response(request)
        request.get_host()  # the ALLOWED_HOSTS check (a 400 otherwise), as the stack would make
        found = links.link_for(match[1])
        if found is None or found[2] <= timezone.now():
            request.short_link = found  # type: ignore[attr-defined]  # for `follow`: one read
            return self.get_response(request)
        response = _redirect(request, found[0], found[1])
        for header, value in self.headers.items():
            response.headers[header] = value
        return response
