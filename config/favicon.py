"""/favicon.ico: browsers ask for it at the root whatever the page links, so it is served here
from static/ (the pages link the same file)."""

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> FileResponse:
    found = finders.find("favicon.ico")
    if not found:
        raise Http404
    return FileResponse(open(found, "rb"), content_type="image/x-icon")  # noqa: SIM115 (closed by the response)
