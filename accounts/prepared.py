"""One statement run prepared on PostgreSQL, for the few hot paths that run the same query per
request (the inbound endpoint's insert, the short-link redirect's read).

Django's PostgreSQL connection binds values on the client (each query goes out as text with its
values inlined) and turns prepared statements off, so PostgreSQL parses and plans every query
afresh, and building the query through the ORM costs the client more than the round trip. Here the
statement goes through a server-binding cursor on the same connection, with psycopg's prepared
statements turned on for it alone: prepared on the connection's first use, then only executed. It
still goes through Django's cursor wrapper (errors, execute wrappers, the debug query log).
"""

from collections.abc import Sequence

import psycopg
import psycopg.errors
from django.db import ProgrammingError
from django.db.backends.base.base import BaseDatabaseWrapper


def fetch_one_prepared(
    sql: str, values: Sequence[object], connection: BaseDatabaseWrapper
) -> tuple | None:
    """The first row of `sql` (PostgreSQL only), or None."""
    try:
        return _execute(sql, values, connection)
    except ProgrammingError as exc:
        if not isinstance(exc.__cause__, psycopg.errors.InvalidSqlStatementName):
            raise
    # The session dropped its prepared statements behind psycopg's back (DEALLOCATE ALL by a
    # pooler): a new connection starts with none.
    connection.close()
    return _execute(sql, values, connection)


def _execute(sql: str, values: Sequence[object], connection: BaseDatabaseWrapper) -> tuple | None:
    connection.ensure_connection()
    connection.validate_thread_sharing()
    driver = connection.connection
    server_binding = psycopg.Cursor(driver)
    if connection.queries_logged:
        cursor = connection.make_debug_cursor(server_binding)
    else:
        cursor = connection.make_cursor(server_binding)
    # 0: prepare on first use; Django's own cursors never prepare, whatever the threshold.
    threshold, driver.prepare_threshold = driver.prepare_threshold, 0
    try:
        with cursor:
            cursor.execute(sql, values)
            return cursor.fetchone()
    finally:
        driver.prepare_threshold = threshold
