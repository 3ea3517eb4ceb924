"""The endpoint's insert: one prepared statement, one round trip a text.

For this 20-column `INSERT … ON CONFLICT` PostgreSQL's planning cost as much as the insert, and
inlining the values cost the client more than the round trip, so it runs prepared
(`accounts.prepared`): prepared on the connection's first text, then only executed.

Making a model instance and preparing each of its fields per text also cost more than the round
trip, so the defaults are made database values once, and only the fields a text brings are
prepared per text.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.prepared import fetch_one_prepared

from ..models import InboundMessage


@dataclass(frozen=True)
class _Plan:
    sql: str  # INSERT ... ON CONFLICT DO NOTHING RETURNING id
    positions: dict[str, int]  # model field name or attname -> parameter position
    fields: tuple[models.Field, ...]
    fixed: tuple[object, ...]  # the defaults as database values; `stored_at` is set per text
    stored_at: int


_plans: dict[str, _Plan] = {}


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
    sql = (
        f"INSERT INTO {quote(InboundMessage._meta.db_table)} "  # noqa: S608  (model names)
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(['%s'] * len(fields))} "
        # synchronous_commit for this statement's own transaction only
        "FROM (SELECT set_config('synchronous_commit', %s, true)) AS commit_mode "
        "ON CONFLICT (workspace_id, gateway_id) DO NOTHING RETURNING id"
    )
    positions: dict[str, int] = {}
    for position, field in enumerate(fields):
        positions[field.name] = positions[field.attname] = position
    plan = _plans[connection.alias] = _Plan(sql, positions, fields, fixed, positions["stored_at"])
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

    inserted = fetch_one_prepared(plan.sql, values, connection)
    return inserted[0] if inserted else None
