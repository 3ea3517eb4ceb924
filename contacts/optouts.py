"""Which numbers must not be sent to: one question every send path asks before the gateway.

A number is opted out when a contact with it opted out, when it is suppressed for failing
permanently (`Suppression`, standing until an admin lifts it), when a person erased while opted
out or suppressed had it (`ErasedNumber`, known by a keyed hash only), or when another app knows of
an opt-out not written to the contacts yet (inbound: a STOP stored but not processed). Apps above
contacts register such sources at start-up (`register_opt_out_source`), so that the answer is
right from the moment the STOP is stored, while contacts and messaging never import them.

The contacts, suppressions, erased people and every source are asked in one query (a UNION ALL):
each source gives the rows that tell (number, text), text NULL when the number opted out, else a
text that opts it out if the source's `judge` says so (a keyword not processed yet); `judge` reads
only when there is one. On PostgreSQL the query is SQL written once (`sql`: the numbers as one
array), as building the union through the ORM cost each send more than the query itself; elsewhere
the ORM builds it (`rows`). Erased people answer with their hash, mapped back to the number here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, IntegerField, QuerySet, TextField, Value

from accounts.crypto import number_hash
from accounts.models import ErasedNumber, Workspace

from .models import Contact, Suppression

CONTACTS, SUPPRESSED, ERASED = -1, -2, -3  # the tags of this app's own rows


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
    by_hash = {number_hash(workspace.pk, n): n for n in wanted}
    if connection.vendor == "postgresql":
        rows = _rows_sql(workspace, wanted, list(by_hash))
    else:
        rows = _rows_orm(workspace, wanted, list(by_hash))
    out = {by_hash[n] if tag == ERASED else n for n, text, tag in rows if text is None}
    for tag, source in enumerate(_sources):
        texts = [(n, text) for n, text, t in rows if t == tag and text is not None and n not in out]
        if texts:
            out |= source.judge(workspace, texts)
    return out


def suppressed_numbers(workspace: Workspace, numbers: Iterable[str]) -> set[str]:
    """Those of `numbers` (E.164) under a standing suppression: skipped for that reason."""
    wanted = set(numbers)
    if not wanted:
        return set()
    return set(
        Suppression.objects.for_workspace(workspace)
        .filter(number__in=wanted, lifted_at__isnull=True)
        .values_list("number", flat=True)
    )


def _tagged(rows: QuerySet, column: str, tag: int) -> QuerySet:
    return (
        rows.order_by()
        .annotate(
            opt_number=F(column),
            opt_text=Value(None, output_field=TextField()),
            opt_tag=Value(tag, output_field=IntegerField()),
        )
        .values_list("opt_number", "opt_text", "opt_tag")
    )


def _rows_orm(
    workspace: Workspace, wanted: set[str], hashes: list[str]
) -> list[tuple[str, str | None, int]]:
    contacts = _tagged(
        Contact.objects.for_workspace(workspace).filter(
            number__in=wanted, opted_out_at__isnull=False
        ),
        "number",
        CONTACTS,
    )
    suppressed = _tagged(
        Suppression.objects.for_workspace(workspace).filter(
            number__in=wanted, lifted_at__isnull=True
        ),
        "number",
        SUPPRESSED,
    )
    erased = _tagged(
        ErasedNumber.objects.for_workspace(workspace).filter(
            number_hash__in=hashes, opted_out=True
        ),
        "number_hash",
        ERASED,
    )
    queries = [source.rows(workspace, wanted, tag) for tag, source in enumerate(_sources)]
    return list(contacts.union(suppressed, erased, *queries, all=True).order_by())


_sql: dict[int, str] = {}  # by the number of sources


def _own_sql() -> list[str]:
    quote = connection.ops.quote_name

    def column(model: type, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    def table(model: type) -> str:
        return quote(model._meta.db_table)

    return [
        f"SELECT {column(Contact, 'number')}, NULL::text, {CONTACTS} FROM {table(Contact)} "  # noqa: S608 (names)
        f"WHERE {column(Contact, 'workspace')} = %(workspace)s "
        f"AND {column(Contact, 'number')} = ANY(%(numbers)s) "
        f"AND {column(Contact, 'opted_out_at')} IS NOT NULL",
        f"SELECT {column(Suppression, 'number')}, NULL::text, {SUPPRESSED} "  # noqa: S608
        f"FROM {table(Suppression)} WHERE {column(Suppression, 'workspace')} = %(workspace)s "
        f"AND {column(Suppression, 'number')} = ANY(%(numbers)s) "
        f"AND {column(Suppression, 'lifted_at')} IS NULL",
        f"SELECT {column(ErasedNumber, 'number_hash')}, NULL::text, {ERASED} "  # noqa: S608
        f"FROM {table(ErasedNumber)} WHERE {column(ErasedNumber, 'workspace')} = %(workspace)s "
        f"AND {column(ErasedNumber, 'number_hash')} = ANY(%(hashes)s) "
        f"AND {column(ErasedNumber, 'opted_out')}",
    ]


def _rows_sql(
    workspace: Workspace, wanted: set[str], hashes: list[str]
) -> list[tuple[str, str | None, int]]:
    sql = _sql.get(len(_sources))
    if sql is None:
        parts = [
            *_own_sql(),
            *(
                f"SELECT number, text, {tag} FROM ({source.sql()}) AS source{tag} (number, text)"  # noqa: S608
                for tag, source in enumerate(_sources)
            ),
        ]
        sql = _sql[len(_sources)] = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        params = {"workspace": workspace.pk, "numbers": list(wanted), "hashes": hashes}
        cursor.execute(sql, params)
        return cursor.fetchall()
