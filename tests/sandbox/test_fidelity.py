"""Where the sandbox must behave as the real gateway does, over real HTTP against `runsandbox`.

Each test repeats one difference a real vendor client ran into; the server is a `runsandbox`
subprocess with DEBUG off (`standalone`), or a fresh one where the test needs its own settings.
"""

from __future__ import annotations

import subprocess

import requests

from .standalone import MANAGE, ROOT, free_port, production_env, runsandbox, shared_database_url

# --- Served standalone, the API answers plain HTTP ---------------------------------------------


def test_production_like_runsandbox_answers_plain_http_without_a_redirect(standalone):
    response = standalone.session.post(
        standalone.url,
        data={"Token": standalone.account.token, "Action": "CheckCredits"},
        allow_redirects=False,
        timeout=10,
    )
    assert (response.status_code, response.text) == (200, "1000")


def test_runsandbox_redirects_to_https_when_the_redirect_is_asked_for(standalone):
    env = production_env(shared_database_url(), SECURE_SSL_REDIRECT="true")
    with runsandbox(env) as base:
        response = requests.get(
            f"{base}/api",
            params={"Token": standalone.account.token, "Action": "CheckCredits"},
            allow_redirects=False,
            timeout=10,
        )
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://127.0.0.1:")


def test_runsandbox_still_refuses_to_start_without_encryption_keys():
    env = production_env(shared_database_url())
    del env["FIELD_ENCRYPTION_KEYS"]
    done = subprocess.run(
        [*MANAGE, "runsandbox", "--noreload", f"127.0.0.1:{free_port()}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in done.stderr


def test_sandbox_served_alone_under_gunicorn_settings_answers_plain_http():
    env = production_env(shared_database_url(), SANDBOX_STANDALONE="true")
    code = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.ROOT_URLCONF)"
    shown = subprocess.run(
        [*MANAGE, "shell", "--no-imports", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert shown == ["False", "sandbox.standalone_urls"]
