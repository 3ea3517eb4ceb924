"""Opt-outs the inbound app knows of before the contacts do: a STOP stored but not processed yet,
or processed but not written (a worker stopped in between). Registered with contacts at start-up,
so that a send right after the STOP skips the number (asked in the same query as the contacts)."""

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, TextField, Value, When

from accounts.models import Workspace
from contacts.optouts import OptOutSource

from .models import InboundMessage, InboxSettings
from .services.process import OPT_OUT, opt_action


def _rows(workspace: Workspace, numbers: set[str], tag: int) -> QuerySet:
    found = Q(opt_action=OPT_OUT, opt_applied=False)  # processed, not written to the contact
    return (
        InboundMessage.objects.for_workspace(workspace)
        .filter(source__in=numbers)
        .filter(found | Q(processed_at__isnull=True))
        .order_by()
        .annotate(
            opt_number=F("source"),
            opt_text=Case(
                When(found, then=Value(None)), default=F("body"), output_field=TextField()
            ),
            opt_tag=Value(tag, output_field=IntegerField()),
        )
        .values_list("opt_number", "opt_text", "opt_tag")
    )


def _judge(workspace: Workspace, texts: list[tuple[str, str]]) -> set[str]:
    """Of texts not processed yet, the senders of an opt-out word (the workspace's words)."""
    prefs = InboxSettings.objects.filter(workspace=workspace).first() or InboxSettings()
    return {source for source, body in texts if opt_action(body, prefs) == OPT_OUT}


def _sql() -> str:
    """`_rows` as SQL (PostgreSQL), over %(workspace)s and %(numbers)s."""
    quote, meta = connection.ops.quote_name, InboundMessage._meta
    column = {
        name: quote(meta.get_field(name).column)
        for name in ("workspace", "source", "body", "opt_action", "opt_applied", "processed_at")
    }
    found = f"({column['opt_action']} = '{OPT_OUT}' AND NOT {column['opt_applied']})"
    return (
        f"SELECT {column['source']}, CASE WHEN {found} THEN NULL ELSE {column['body']} END "  # noqa: S608
        f"FROM {quote(meta.db_table)} WHERE {column['workspace']} = %(workspace)s "
        f"AND {column['source']} = ANY(%(numbers)s) "
        f"AND ({found} OR {column['processed_at']} IS NULL)"
    )


pending_opt_outs = OptOutSource(rows=_rows, judge=_judge, sql=_sql)


def reply_numbers(workspace: Workspace) -> list[str]:
    """The workspace's virtual mobile numbers as sender IDs: a reply to one reaches the inbox, so
    a STOP sent to it is seen (registered with messaging for marketing messages)."""
    from contacts.phone import gateway_number

    from .models import VirtualNumber

    numbers = VirtualNumber.objects.for_workspace(workspace).values_list("number", flat=True)
    return [gateway_number(number) for number in numbers]
