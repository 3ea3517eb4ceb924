"""ImportContactsCSV: parse arbitrary text into one result per input line, then apply it."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from django.db import transaction

from .models import Contact, Group, SandboxAccount
from .rules import normalize_number

MAX_NAME = 200
MAX_EMAIL = 254
MAX_GROUP_NAME = 100


@dataclass
class ParsedLine:
    """One input line: either a contact to add, or the reason it failed."""

    line: int
    name: str = ""
    number: str = ""
    email: str = ""
    groups: list[str] = field(default_factory=list)
    error: str = ""


def split_lines(text: str) -> list[str]:
    """Input lines; a single trailing line break does not start another line."""
    if text == "":
        return []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "" and len(lines) > 1:
        lines.pop()
    return lines


def _fields(line: str) -> list[str]:
    try:
        return next(csv.reader([line], skipinitialspace=True))
    except (csv.Error, StopIteration):
        return line.split(",")


def parse_line(number: int, line: str) -> ParsedLine:
    result = ParsedLine(line=number)
    if any(ord(ch) < 32 and ch != "\t" for ch in line):
        result.error = "Invalid character"
        return result
    fields = [f.strip() for f in _fields(line)] + ["", "", ""]
    name, raw_number, email = fields[0], fields[1], fields[2]
    if not name:
        result.error = "No name"
    elif len(name) > MAX_NAME:
        result.error = f"Name longer than {MAX_NAME} characters"
    elif not raw_number:
        result.error = "No number"
    elif (normalized := normalize_number(raw_number)) is None:
        result.error = f"Invalid number ({raw_number})"
    elif len(email) > MAX_EMAIL:
        result.error = f"Email longer than {MAX_EMAIL} characters"
    else:
        result.name, result.number, result.email = name, normalized, email
        result.groups = [g for g in fields[3:6] if g]
    return result


def parse(text: str) -> list[ParsedLine]:
    """Pure parse: exactly one ParsedLine per input line, never an exception."""
    return [parse_line(i, line) for i, line in enumerate(split_lines(text), start=1)]


def _add_to_groups(account: SandboxAccount, contact: Contact, names: list[str]) -> list[str]:
    bad = []
    for name in names:
        if len(name) > MAX_GROUP_NAME:
            bad.append(name)
            continue
        group, _ = Group.objects.get_or_create(account=account, name=name)
        group.contacts.add(contact)
    return bad


def import_contacts(
    account: SandboxAccount, text: str, *, ignore_dupes: bool, overwrite_dupes: bool
) -> str:
    """Apply the parsed lines and answer `N : Result` lines, then the reasons if any."""
    results: list[str] = []
    reasons: list[str] = []
    with transaction.atomic():
        for parsed in parse(text):
            result, reason = _import_one(account, parsed, ignore_dupes, overwrite_dupes)
            results.append(f"{parsed.line} : {result}")
            if reason:
                reasons.append(f"{parsed.line} : {reason}")
    answer = "\n".join(results)
    if reasons:
        answer += "\n\n" + "\n".join(reasons)
    return answer


def _import_one(
    account: SandboxAccount, parsed: ParsedLine, ignore_dupes: bool, overwrite_dupes: bool
) -> tuple[str, str]:
    if parsed.error:
        return "Failed", parsed.error
    contacts = Contact.objects.filter(account=account)
    contact = None
    if overwrite_dupes:
        contact = contacts.filter(number=parsed.number).first()
        if contact is not None:
            contact.name, contact.email = parsed.name, parsed.email
            contact.save(update_fields=["name", "email"])
    elif not ignore_dupes:
        if contacts.filter(name=parsed.name).exists():
            return "Duplicate Name", ""
        if contacts.filter(number=parsed.number).exists():
            return "Duplicate Number", ""
    if contact is None:
        contact = Contact.objects.create(
            account=account, name=parsed.name, number=parsed.number, email=parsed.email
        )
    bad = _add_to_groups(account, contact, parsed.groups)
    if bad:
        names = ", ".join(f"{name[:20]}..." for name in bad)
        return "Partial", f"Could not add to group ({names}): over {MAX_GROUP_NAME} characters"
    return "Success", ""
