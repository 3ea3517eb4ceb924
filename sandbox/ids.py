"""Large IDs from the start, as the gateway's are (its documentation's example is 3509592).

A single-number Send answers the message's ID, and a list or group Send answers `1`: were a fresh
database to number messages from 1, a client could not tell the two apart. So every ID sequence
of the sandbox starts at FIRST_ID. `raise_sequences` runs after every `migrate` and `flush`
(Django sends `post_migrate` after both) and never lowers a sequence.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections

FIRST_ID = 3_500_001


def raise_sequences(using: str = DEFAULT_DB_ALIAS) -> None:
    """Move every sandbox table's ID sequence up to FIRST_ID if it is below it."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model in apps.get_app_config("sandbox").get_models(include_auto_created=True):
            table, column = model._meta.db_table, model._meta.pk.column
            if table not in existing:
                continue
            if connection.vendor == "postgresql":
                _raise_postgresql(cursor, table, column)
            elif connection.vendor == "sqlite":
                _raise_sqlite(cursor, table)


def _raise_postgresql(cursor: Any, table: str, column: str) -> None:
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
    (sequence,) = cursor.fetchone()
    if sequence is None:
        return
    # The name comes from PostgreSQL itself, already quoted as an identifier.
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
    last_value, is_called = cursor.fetchone()
    if (last_value + 1 if is_called else last_value) < FIRST_ID:
        cursor.execute("SELECT setval(%s, %s, false)", [sequence, FIRST_ID])


def _raise_sqlite(cursor: Any, table: str) -> None:
    # AUTOINCREMENT tables take the next ID after max(sqlite_sequence.seq, largest rowid).
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    row = cursor.fetchone()
    if row is None:
        cursor.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, FIRST_ID - 1]
        )
    elif row[0] < FIRST_ID - 1:
        cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [FIRST_ID - 1, table])


def after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """The `post_migrate` receiver."""
    raise_sequences(using)
