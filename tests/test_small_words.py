"""Small things a new team notices: a refused page writes one log line, not a traceback; the
browser finds an icon."""

import io
import logging
from collections.abc import Iterator

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def console_log() -> Iterator[io.StringIO]:
    """What the configured console handler (the web server's log) writes."""
    handler = logging.getLogger("django").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def only_from_now(stream: io.StringIO) -> None:
    stream.seek(0)
    stream.truncate()


def test_a_permission_denied_writes_one_line_and_no_traceback(
    client_for, workspace, viewer, console_log
):
    client = client_for(viewer)
    only_from_now(console_log)
    response = client.get(reverse("contacts:new", kwargs={"slug": workspace.slug}))
    assert response.status_code == 403
    lines = console_log.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "Forbidden (Permission denied): /w/acme/contacts/new/" in lines[0]
    assert "Traceback" not in console_log.getvalue()


def test_a_bad_request_writes_no_traceback_either(client_for, workspace, sender, console_log):
    client = client_for(sender)
    only_from_now(console_log)
    response = client.generic(
        "POST", reverse("contacts:imports", kwargs={"slug": workspace.slug}), data=b"x",
        content_type="multipart/form-data; boundary=",
    )  # fmt: skip
    assert response.status_code == 400
    assert "Traceback" not in console_log.getvalue()
    assert len(console_log.getvalue().splitlines()) == 1


def test_a_server_error_still_writes_its_traceback(client, console_log, monkeypatch):
    import config.urls

    def broken(request):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(config.urls.urlpatterns[0], "callback", broken)  # the home page
    client.raise_request_exception = False
    assert client.get("/").status_code == 500
    assert "Traceback" in console_log.getvalue() and "RuntimeError: boom" in console_log.getvalue()


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00" and len(body) < 10_000  # a small ICO file


def test_every_page_links_the_icon(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in page
