"""`/l/<code>`: a tracked short link. No login; one indexed read, then a 302 (the visit is written
later, see services/links.py); a plain 404 for an unknown code and 410 once the link expired."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.audit import client_ip

from .models import TrackedLink
from .services import links


def _plain(status: int, title: str, text: str) -> HttpResponse:
    page = render_to_string("messaging/link_gone.html", {"title": title, "text": text})
    return HttpResponse(page, status=status)


@require_safe
def follow(request: HttpRequest, code: str) -> HttpResponse:
    # One read by the unique index (no ORDER BY, no model instance).
    rows = TrackedLink.objects.filter(code=code).values_list("pk", "url", "expires_at")[:1]
    found = next(iter(rows), None)
    if found is None:
        return _plain(
            404, _("Link not found"), _("This link does not exist. Check that it was copied whole.")
        )
    pk, url, expires_at = found
    if expires_at <= timezone.now():
        return _plain(410, _("Link expired"), _("This link has expired."))
    links.click_record(
        pk,
        address=client_ip(request) or "",
        head=request.method == "HEAD",
        user_agent=request.headers.get("User-Agent", ""),
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"  # every visit comes here, so each is counted
    response["Referrer-Policy"] = "no-referrer"
    return response
