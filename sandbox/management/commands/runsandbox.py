"""`manage.py runsandbox [addrport]`: serve only the sandbox (API at /api, pages at /)."""

import os
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand


class Command(RunserverCommand):
    help = "Serve only the Text-Connect sandbox: the API at /api and its pages at /."
    default_port = "8001"

    def check(self, app_configs: Any = None, **kwargs: Any) -> None:
        # Serving only the sandbox, only the sandbox's checks matter.
        super().check(app_configs=[apps.get_app_config("sandbox")], **kwargs)

    def handle(self, *args: Any, **options: Any) -> None:
        # The environment reaches the autoreloader's child; the setting serves --noreload.
        os.environ["SANDBOX_STANDALONE"] = "true"
        settings.ROOT_URLCONF = "sandbox.standalone_urls"
        super().handle(*args, **options)
