"""The portal served in this process for a moment, at its own address (SITE_URL).

`seed_demo` runs before `make run` starts the web server, yet the demo's sends go through the
mounted sandbox and its inbound texts come back through the portal's endpoint, both over HTTP at
SITE_URL. So the command serves the portal there itself while it works, in threads of its own
process. When something already answers at that address (the portal is running, or the test
server is), the command uses it instead.
"""

import contextlib
import errno
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the command prints what it did; one line per request would drown it


@contextlib.contextmanager
def portal_served(site_url: str) -> Iterator[bool]:
    """Serve the portal at `site_url` until the block ends; yields whether this process serves
    it (False: the address was taken, so whatever answers there is used)."""
    parts = urlsplit(site_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        server = ThreadedWSGIServer((parts.hostname or "127.0.0.1", port), _QuietHandler)
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        yield False
        return
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, name="seed-demo-portal", daemon=True)
    thread.start()
    try:
        yield True
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
