"""Mail in development: printed decoded, and kept for a mailbox page at /dev/mail/.

Django's console backend prints the wire format, where a non-ASCII body is quoted-printable and a
long link is cut by `=` line breaks. This backend prints each message's headers and plain text as
a person reads them, and stores the message (`DEV_MAIL_DIR`, the newest `DEV_MAIL_KEEP`) so the
web server, the worker and beat share one mailbox. Settings choose it only with DEBUG on, and
config/urls.py mounts the page only then; the page also answers 404 whenever DEBUG is off.
"""

from __future__ import annotations

import email
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage as WireMessage
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

_NAME = re.compile(r"\d{19}-[0-9a-f]{8}")


@dataclass(frozen=True)
class DevMail:
    name: str
    sender: str
    to: str
    cc: str
    subject: str
    date: str
    text: str
    also: list[str]  # the other parts: an HTML version, attachments

    @property
    def sent_at(self) -> datetime:
        return datetime.fromtimestamp(int(self.name[:19]) / 1e9, tz=UTC)


def read(name: str, raw: bytes) -> DevMail:
    """A stored message, decoded: headers as text, the plain body as its characters."""
    wire = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(wire, WireMessage)
    body = wire.get_body(preferencelist=("plain",))
    also = [
        part.get_filename()
        or ("HTML" if part.get_content_type() == "text/html" else "")
        or part.get_content_type()
        for part in wire.walk()
        if not part.is_multipart() and part is not body
    ]
    return DevMail(
        name=name,
        sender=str(wire.get("From", "")),
        to=str(wire.get("To", "")),
        cc=str(wire.get("Cc", "")),
        subject=str(wire.get("Subject", "")),
        date=str(wire.get("Date", "")),
        text=body.get_content() if body is not None else "",
        also=also,
    )


def printed(mail: DevMail) -> str:
    lines = [f"From: {mail.sender}", f"To: {mail.to}"]
    if mail.cc:
        lines.append(f"Cc: {mail.cc}")
    lines += [f"Subject: {mail.subject}", f"Date: {mail.date}"]
    if mail.also:
        lines.append(f"(also as {', '.join(mail.also)})")
    return "\n".join([*lines, "", mail.text.rstrip("\n"), "-" * 79, ""])


def _folder() -> Path:
    return Path(settings.DEV_MAIL_DIR)


class DevMailBackend(BaseEmailBackend):
    """Prints each message decoded and keeps it for /dev/mail/."""

    def __init__(self, *args: Any, stream: IO[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages: list[Any]) -> int:
        sent = 0
        with self._lock:
            for message in email_messages:
                raw = message.message().as_bytes()
                name = f"{time.time_ns():019d}-{uuid.uuid4().hex[:8]}"
                self._keep(name, raw)
                self.stream.write(printed(read(name, raw)))
                self.stream.flush()
                sent += 1
        return sent

    def _keep(self, name: str, raw: bytes) -> None:
        folder = _folder()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.eml").write_bytes(raw)
        for old in sorted(folder.glob("*.eml"), reverse=True)[settings.DEV_MAIL_KEEP :]:
            old.unlink(missing_ok=True)


# --- The mailbox page (DEBUG only) ----------------------------------------------------------------
def _debug_only() -> None:
    if not settings.DEBUG:
        raise Http404


def mail_list(request: HttpRequest) -> HttpResponse:
    _debug_only()
    files = sorted(_folder().glob("*.eml"), reverse=True) if _folder().is_dir() else []
    mails = [read(f.stem, f.read_bytes()) for f in files if _NAME.fullmatch(f.stem)]
    return render(request, "dev/mail_list.html", {"mails": mails, "folder": _folder()})


def mail_detail(request: HttpRequest, name: str) -> HttpResponse:
    _debug_only()
    stored = _folder() / f"{name}.eml"
    if not _NAME.fullmatch(name) or not stored.is_file():
        raise Http404
    return render(request, "dev/mail_detail.html", {"mail": read(name, stored.read_bytes())})


app_name = "devmail"
urlpatterns = [
    path("", mail_list, name="list"),
    path("<str:name>/", mail_detail, name="detail"),
]
