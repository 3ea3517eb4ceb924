"""Attacks that read password-reset links from the logs: in production, the default console mail
backend printed every reset mail, link included, wherever the web server's output goes."""

from tests.test_settings import PRODUCTION, run_manage


def test_production_without_email_url_cannot_print_reset_links_to_the_console():
    env = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "EMAIL_URL must be set" in result.stderr


def test_production_with_email_url_sends_mail_through_it():
    code = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend", result.stderr
