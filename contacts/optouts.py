"""Which numbers must not be sent to: one question every send path asks before the gateway.

A number is opted out when a contact with it opted out, or when another app knows of an opt-out
not written to the contacts yet (inbound: a STOP stored but not processed). Apps above contacts
register such sources at start-up (`register_opt_out_source`), so that the answer is right from
the moment the STOP is stored, while contacts and messaging never import them.

The contacts and every source are asked in one query (a UNION ALL): each source gives the rows
that tell (number, text), text NULL when the number opted out, else a text that opts it out if the
source's `judge` says so (a keyword not processed yet); `judge` reads only when there is one. On
PostgreSQL the query is SQL written once (`sql`: the numbers as one array), as building the union
through the ORM cost each send more than the query itself; elsewhere the ORM builds it (`rows`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, IntegerField, QuerySet, TextField, Value

from accounts.models import Workspace

from .models import Contact


@dataclass(frozen=True)
class OptOutSource:
    # (workspace, numbers) -> a query of (number, text, tag) values, `tag` as given; see above
    rows: Callable[[Workspace, set[str], int], QuerySet]
    # (workspace, [(number, text)]) -> those numbers whose text opts them out
    judge: Callable[[Workspace, list[tuple[str, str]]], set[str]]
    # PostgreSQL: () -> SQL of the same (number, text) rows, over %(workspace)s and %(numbers)s
    sql: Callable[[], str]


_sources: list[OptOutSource] = []


def register_opt_out_source(source: OptOutSource) -> None:
    if source not in _sources:
        _sources.append(source)


def opted_out_numbers(workspace: Workspace, numbers: Iterable[str]) -> set[str]:
    """Those of `numbers` (E.164) that must not be sent to."""
    wanted = set(numbers)
    if not wanted:
        return set()
    if connection.vendor == "postgresql":
        rows = _rows_sql(workspace, wanted)
    else:
        rows = _rows_orm(workspace, wanted)
    out = {number for number, text, _tag in rows if text is None}
    for tag, source in enumerate(_sources):
        texts = [(n, text) for n, text, t in rows if t == tag and text is not None and n not in out]
        if texts:
            out |= source.judge(workspace, texts)
    return out


def _rows_orm(workspace: Workspace, wanted: set[str]) -> list[tuple[str, str | None, int]]:
    contacts = (
        Contact.objects.for_workspace(workspace)
        .filter(number__in=wanted, opted_out_at__isnull=False)
        .order_by()
        .annotate(
            opt_number=F("number"),
            opt_text=Value(None, output_field=TextField()),
            opt_tag=Value(-1, output_field=IntegerField()),
        )
        .values_list("opt_number", "opt_text", "opt_tag")
    )
    queries = [source.rows(workspace, wanted, tag) for tag, source in enumerate(_sources)]
    return list(contacts.union(*queries, all=True).order_by() if queries else contacts)


_sql: dict[int, str] = {}  # by the number of sources


def _rows_sql(workspace: Workspace, wanted: set[str]) -> list[tuple[str, str | None, int]]:
    sql = _sql.get(len(_sources))
    if sql is None:
        quote, meta = connection.ops.quote_name, Contact._meta
        column = {name: quote(meta.get_field(name).column) for name in ("workspace", "number")}
        parts = [
            f"SELECT {column['number']}, NULL::text, -1 FROM {quote(meta.db_table)} "  # noqa: S608 (names)
            f"WHERE {column['workspace']} = %(workspace)s "
            f"AND {column['number']} = ANY(%(numbers)s) "
            f"AND {quote(meta.get_field('opted_out_at').column)} IS NOT NULL",
            *(
                f"SELECT number, text, {tag} FROM ({source.sql()}) AS source{tag} (number, text)"  # noqa: S608
                for tag, source in enumerate(_sources)
            ),
        ]
        sql = _sql[len(_sources)] = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"workspace": workspace.pk, "numbers": list(wanted)})
        return cursor.fetchall()
