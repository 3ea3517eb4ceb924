"""Logging filters: the development server's request lines lose their query strings, and a
refused request is one line.

The gateway's GET forwarding puts an inbound text and its `auth` value in the query string, and
`runserver` logs each request line whole; gunicorn's format (config/gunicorn.py) does the same cut.
"""

import logging
import re

# "GET /inbound/k/?auth=…&msg=… HTTP/1.1" → "GET /inbound/k/ HTTP/1.1"
_QUERY = re.compile(r"\?[^\s]*")


def without_query(request_line: str) -> str:
    return _QUERY.sub("", request_line, count=1)


class NoQueryStrings(logging.Filter):
    """For `django.server`, whose records are ('"%s" %s %s', request line, code, size)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (without_query(record.args[0]), *record.args[1:])
        elif isinstance(record.msg, str) and not record.args:
            record.msg = without_query(record.msg)
        return True


class ClientErrorsWithoutTraceback(logging.Filter):
    """Django logs a refused request (403 PermissionDenied, 400 BadRequest, a suspicious
    operation) with its exception's traceback: an ordinary event, not a bug, so one line is
    enough. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
