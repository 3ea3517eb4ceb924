"""`manage.py runsandbox [addrport]`: serve only the sandbox (API at /api, pages at /)."""

import os
import socket
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.core.servers.basehttp import WSGIServer


class NoDelayWSGIServer(WSGIServer):
    """Django's development server with Nagle's algorithm off: it writes headers and body
    separately, and a kept-alive client would otherwise wait for a delayed ACK on every call."""

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, addr


class Command(RunserverCommand):
    help = "Serve only the Text-Connect sandbox: the API at /api and its pages at /."
    default_port = "8001"
    server_cls = NoDelayWSGIServer

    def check(self, app_configs: Any = None, **kwargs: Any) -> None:
        # Serving only the sandbox, only the sandbox's checks matter.
        super().check(app_configs=[apps.get_app_config("sandbox")], **kwargs)

    def handle(self, *args: Any, **options: Any) -> None:
        # The environment reaches the autoreloader's child; the settings serve --noreload, as
        # they were read before this command knew it serves only the sandbox.
        os.environ["SANDBOX_STANDALONE"] = "true"
        overrides = getattr(
            settings, "SANDBOX_STANDALONE_SETTINGS", {"ROOT_URLCONF": "sandbox.standalone_urls"}
        )
        for name, value in overrides.items():
            setattr(settings, name, value)
        super().handle(*args, **options)
