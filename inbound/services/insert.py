"""The endpoint's insert: one prepared statement per database connection, one round trip a text.

Django sends every query as text with its values inlined, so PostgreSQL parses and plans each
one; for this 20-column `INSERT ... ON CONFLICT` that planning cost the server as much as the
insert itself. The statement is prepared once on each connection (`PREPARE`) and each text runs
it (`EXECUTE`) through Django's own cursor. Making a model instance and preparing each of its
fields per text also cost more than the round trip, so the defaults are made database values
once, and only the fields a text brings are prepared per text.
"""

import weakref
from dataclasses import dataclass

import psycopg.errors
from django.conf import settings
from django.db import ProgrammingError, models
from django.utils import timezone

from ..models import InboundMessage

STATEMENT = "inbound_message_insert_once"


@dataclass(frozen=True)
class _Plan:
    prepare: str  # PREPARE ... AS INSERT ... ON CONFLICT DO NOTHING RETURNING id
    execute: str  # EXECUTE ... (%s, ...)
    positions: dict[str, int]  # model field name or attname -> parameter position
    fields: tuple[models.Field, ...]
    fixed: tuple[object, ...]  # the defaults as database values; `stored_at` is set per text
    stored_at: int


_plans: dict[str, _Plan] = {}
_prepared_on: weakref.WeakSet = weakref.WeakSet()  # the driver connections holding STATEMENT


def _plan(connection) -> _Plan:  # noqa: ANN001
    plan = _plans.get(connection.alias)
    if plan is not None:
        return plan
    fields = tuple(f for f in InboundMessage._meta.concrete_fields if not f.primary_key)
    fixed = tuple(
        None if f.name == "stored_at" else f.get_db_prep_save(f.get_default(), connection)
        for f in fields
    )
    quote = connection.ops.quote_name
    types = [f.db_type(connection).split("(")[0] for f in fields]  # varchar(20) -> varchar
    count = len(fields)
    prepare = (
        f"PREPARE {STATEMENT} ({', '.join(types)}, text) AS "  # noqa: S608  (model names)
        f"INSERT INTO {quote(InboundMessage._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(f'${n}' for n in range(1, count + 1))} "
        # synchronous_commit for this statement's own transaction only
        f"FROM (SELECT set_config('synchronous_commit', ${count + 1}, true)) AS commit_mode "
        "ON CONFLICT (workspace_id, gateway_id) DO NOTHING RETURNING id"
    )
    execute = f"EXECUTE {STATEMENT} ({', '.join(['%s'] * (count + 1))})"
    positions: dict[str, int] = {}
    for position, field in enumerate(fields):
        positions[field.name] = positions[field.attname] = position
    plan = _plans[connection.alias] = _Plan(
        prepare, execute, positions, fields, fixed, positions["stored_at"]
    )
    return plan


def insert_once(fields: dict[str, object], connection) -> int | None:  # noqa: ANN001
    """Insert a text unless its (workspace, gateway id) is stored: the new id, or None.

    Runs in autocommit. With INBOUND_ASYNC_COMMIT the commit does not wait for the disk: a text
    lost to a database crash in that moment is still on the gateway, and reconciliation brings
    it back.
    """
    plan = _plan(connection)
    values = list(plan.fixed)
    for name, value in fields.items():
        position = plan.positions[name]
        values[position] = plan.fields[position].get_db_prep_save(value, connection)
    values[plan.stored_at] = timezone.now()
    values.append("off" if settings.INBOUND_ASYNC_COMMIT else "on")
    with connection.cursor() as cursor:
        driver = connection.connection
        if driver not in _prepared_on:
            cursor.execute(plan.prepare)
            _prepared_on.add(driver)
        try:
            cursor.execute(plan.execute, values)
        except ProgrammingError as exc:  # the session lost it (DISCARD ALL): prepare it again
            if not isinstance(exc.__cause__, psycopg.errors.InvalidSqlStatementName):
                raise
            cursor.execute(plan.prepare)
            cursor.execute(plan.execute, values)
        inserted = cursor.fetchone()
    return inserted[0] if inserted else None
