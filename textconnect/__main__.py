"""Command line over the client: ``python -m textconnect credits|send|status|report``.

The token comes from ``TEXTCONNECT_TOKEN`` and the API URL from ``TEXTCONNECT_API_URL``
(default: the vendor's). Exit status: 0 success, 1 the gateway refused, 2 bad usage,
3 transport failure (for send: it may or may not have been sent; check before retrying).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TextIO

from textconnect._version import __version__
from textconnect.client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, Client
from textconnect.errors import TextConnectError, TransportError
from textconnect.limits import MAX_VALIDITY_SECONDS
from textconnect.types import (
    InboundRow,
    MessageRow,
    OutboxRow,
    RawRow,
    ReportRow,
    ReportType,
    UsageRow,
)

EXIT_GATEWAY, EXIT_USAGE, EXIT_TRANSPORT = 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the tool."""
    parser = argparse.ArgumentParser(
        prog="python -m textconnect",
        description="Script the Text-Connect SMS gateway. Reads the token from "
        "TEXTCONNECT_TOKEN and the API URL from TEXTCONNECT_API_URL.",
    )
    parser.add_argument("--version", action="version", version=f"textconnect {__version__}")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per HTTP call"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("credits", help="print the credit balance")

    send = commands.add_parser("send", help="send a message; prints destination,id-or-error")
    send.add_argument("destinations", nargs="+", metavar="NUMBER", help="destination numbers")
    send.add_argument("--from", dest="source", required=True, help="source address")
    send.add_argument("--body", help="message text (default: read from stdin)")
    send.add_argument("--schedule", help="ISO 8601 time with offset, e.g. 2030-01-02T09:00+00:00")
    send.add_argument(
        "--validity",
        type=int,
        default=MAX_VALIDITY_SECONDS,
        help=f"seconds (max {MAX_VALIDITY_SECONDS})",
    )
    send.add_argument("--all-part-ids", action="store_true", help="print the ID of every part")

    status = commands.add_parser("status", help="print the status of message IDs")
    status.add_argument("message_ids", nargs="+", metavar="MESSAGE_ID")

    report = commands.add_parser("report", help="write a report as CSV to stdout")
    report.add_argument("report_type", choices=[kind.value for kind in ReportType])
    report.add_argument("--start", help="ISO 8601 start (default: 24 hours ago)")
    report.add_argument("--end", help="ISO 8601 end (default: now)")
    return parser


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    """Run the tool; returns the exit status."""
    args = build_parser().parse_args(argv)
    token = os.environ.get("TEXTCONNECT_TOKEN", "")
    if not token.strip():
        print("error: set TEXTCONNECT_TOKEN", file=sys.stderr)
        return EXIT_USAGE
    base_url = os.environ.get("TEXTCONNECT_API_URL") or DEFAULT_BASE_URL
    try:
        with Client(token, base_url, timeout=args.timeout) as client:
            return _COMMANDS[args.command](client, args, stdin or sys.stdin)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except TransportError as error:
        reached = "may have reached" if error.may_have_reached else "did not reach"
        print(f"transport error ({reached} the gateway): {error}", file=sys.stderr)
        return EXIT_TRANSPORT
    except TextConnectError as error:
        print(f"gateway error {error}", file=sys.stderr)
        return EXIT_GATEWAY


def _credits(client: Client, args: argparse.Namespace, stdin: TextIO) -> int:
    print(client.check_credits())
    return 0


def _send(client: Client, args: argparse.Namespace, stdin: TextIO) -> int:
    body = args.body if args.body is not None else stdin.read().rstrip("\n")
    schedule = _aware("--schedule", args.schedule) if args.schedule else None
    results = client.send(
        args.destinations,
        source=args.source,
        body=body,
        schedule=schedule,
        validity=args.validity,
        all_part_ids=args.all_part_ids,
    )
    writer = csv.writer(sys.stdout, lineterminator="\n")
    for result in results:
        if result.error is None:
            writer.writerow([result.destination, " ".join(result.message_ids)])
        else:
            writer.writerow([result.destination, result.error.code, result.error.text])
    return 0 if all(result.ok for result in results) else EXIT_GATEWAY


def _status(client: Client, args: argparse.Namespace, stdin: TextIO) -> int:
    for message_id in args.message_ids:
        print(f"{message_id},{client.check_message_status(message_id)}")
    return 0


def _report(client: Client, args: argparse.Namespace, stdin: TextIO) -> int:
    end = _aware("--end", args.end) if args.end else datetime.now(UTC)
    start = _aware("--start", args.start) if args.start else end - timedelta(days=1)
    _write_rows(args.report_type, client.report(args.report_type, start, end), sys.stdout)
    return 0


_ROW_TYPES: dict[str, type] = {
    ReportType.MESSAGES: MessageRow,
    ReportType.FAILED_MESSAGES: MessageRow,
    ReportType.OUTBOX: OutboxRow,
    ReportType.USAGE: UsageRow,
    ReportType.INBOUND_MESSAGES: InboundRow,
}


def _write_rows(report_type: str, rows: list[ReportRow], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    row_type = _ROW_TYPES.get(report_type)
    if row_type is not None:
        writer.writerow(field.name for field in dataclasses.fields(row_type))
    for row in rows:
        if isinstance(row, RawRow):
            writer.writerow(row.fields.values())
        else:
            writer.writerow(_cell(getattr(row, f.name)) for f in dataclasses.fields(row))


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else str(value)


def _aware(option: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option}: not an ISO 8601 time: {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{option}: give a UTC offset, e.g. {value}+00:00")
    return moment


_COMMANDS = {"credits": _credits, "send": _send, "status": _status, "report": _report}

if __name__ == "__main__":
    sys.exit(main())
