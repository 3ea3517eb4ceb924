"""Mail in development: printed decoded (links whole), kept for the mailbox page at /dev/mail/,
which exists only with DEBUG on."""

import importlib
import io
from collections.abc import Iterator

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import Resolver404, clear_url_caches, resolve

from config import devmail
from tests.test_settings import run_manage

LINK = "http://127.0.0.1:8000/accounts/signup/finish/" + "eyJlbWFpbCI6ImFubkBleGFtcGxlLmNvbSJ9" * 3


def message(subject: str = "Invitation à Acme — finish signing up") -> EmailMultiAlternatives:
    mail = EmailMultiAlternatives(
        subject=subject,
        body=f"Bonjour Zoë,\n\nFollow this link to finish: {LINK}\n\n— Text-Connect Portal\n",
        from_email="Text-Connect Portal <portal@localhost>",
        to=["zoe@example.com"],
    )
    mail.attach_alternative(f'<p><a href="{LINK}">Finish</a></p>', "text/html")
    return mail


@pytest.fixture
def mailbox(settings, tmp_path):  # noqa: ANN201
    settings.DEV_MAIL_DIR = tmp_path / "mail"
    return settings.DEV_MAIL_DIR


def send(**kwargs: object) -> str:
    stream = io.StringIO()
    devmail.DevMailBackend(stream=stream, **kwargs).send_messages([message()])
    return stream.getvalue()


@pytest.fixture
def debug_urls(settings) -> Iterator[None]:
    """The URL map as a development server builds it (tests run with DEBUG off)."""
    settings.DEBUG = True
    _reload_urls()
    yield
    settings.DEBUG = False
    _reload_urls()


def _reload_urls() -> None:
    import config.urls

    importlib.reload(config.urls)
    clear_url_caches()


# --- Printed decoded -----------------------------------------------------------------------------
def test_development_mail_is_printed_decoded_with_its_links_whole(mailbox):
    printed = send()
    assert f"Follow this link to finish: {LINK}" in printed.splitlines()  # not cut, not encoded
    assert "=\n" not in printed and "=3D" not in printed and "=C3" not in printed
    assert "Subject: Invitation à Acme — finish signing up" in printed
    assert "Bonjour Zoë," in printed
    assert "To: zoe@example.com" in printed
    assert "(also as HTML)" in printed


def test_development_settings_use_the_decoding_backend():
    code = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    result = run_manage("shell", "--no-imports", "-c", code, DEBUG="true")
    assert result.stdout.strip() == "config.devmail.DevMailBackend", result.stderr


# --- The mailbox ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_mailbox_lists_development_mail_and_shows_it_decoded(client, mailbox, debug_urls):
    send()
    page = client.get("/dev/mail/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Invitation à Acme — finish signing up" in html and "zoe@example.com" in html
    (name,) = [p.stem for p in mailbox.glob("*.eml")]
    detail = client.get(f"/dev/mail/{name}/").content.decode()
    assert f'<a href="{LINK}"' in detail  # one piece, and clickable
    assert "Bonjour Zoë," in detail


@pytest.mark.django_db
def test_the_mailbox_keeps_the_latest_messages_only(client, mailbox, debug_urls, settings):
    settings.DEV_MAIL_KEEP = 3
    for _ in range(5):
        send()
    assert len(list(mailbox.glob("*.eml"))) == 3


@pytest.mark.django_db
def test_the_mailbox_refuses_names_that_are_not_its_own(client, mailbox, debug_urls):
    send()
    assert client.get("/dev/mail/..%2F..%2Fsettings/").status_code == 404
    assert client.get("/dev/mail/1-nothere/").status_code == 404


@pytest.mark.django_db
def test_the_mailbox_is_empty_and_says_where_mail_goes(client, mailbox, debug_urls):
    page = client.get("/dev/mail/").content.decode()
    assert "No mail yet" in page


# --- Never in production -------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_mailbox_is_not_mounted_when_debug_is_off(client, mailbox, settings):
    settings.DEBUG = False
    _reload_urls()
    send()
    with pytest.raises(Resolver404):
        resolve("/dev/mail/")
    assert client.get("/dev/mail/").status_code == 404


@pytest.mark.django_db
def test_the_mailbox_answers_404_if_debug_goes_off_after_mounting(
    client, mailbox, debug_urls, settings
):
    send()
    settings.DEBUG = False
    assert client.get("/dev/mail/").status_code == 404


def test_production_settings_never_pick_the_development_backend():
    from tests.test_settings import PRODUCTION

    code = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    env = {**PRODUCTION, "EMAIL_URL": "consolemail://"}
    result = run_manage("shell", "--no-imports", "-c", code, **env)
    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend", result.stderr
