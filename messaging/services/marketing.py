"""Marketing messages (UK PECR): the opt-out instruction they carry, and the numbers a reply
can reach.

A marketing message gets the workspace's opt-out instruction (Send → Sending rules; "Reply STOP
to opt out" until an admin changes it) on its own line after the body. "Reply STOP" works only
when the recipient can answer: an alphanumeric sender ID cannot receive a reply, so the composer
warns and offers the workspace's virtual mobile numbers. Those belong to the inbound app, which
messaging does not import: inbound registers them here at start-up
(`register_reply_number_source`), as it registers its opt-outs with contacts.
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.models import Workspace

from ..models import DEFAULT_OPT_OUT_FOOTER, MarketingSettings

ReplyNumberSource = Callable[[Workspace], list[str]]
_reply_sources: list[ReplyNumberSource] = []


def footer_for(workspace: Workspace) -> str:
    """The opt-out instruction this workspace's marketing messages carry now."""
    found = (
        MarketingSettings.objects.filter(workspace=workspace)
        .values_list("opt_out_footer", flat=True)
        .first()
    )
    return (found or DEFAULT_OPT_OUT_FOOTER).strip()


def register_reply_number_source(source: ReplyNumberSource) -> None:
    """`source(workspace)` returns numbers (digits, as a sender ID) that receive replies."""
    if source not in _reply_sources:
        _reply_sources.append(source)


def reply_numbers(workspace: Workspace) -> list[str]:
    """The workspace's numbers that can receive a reply (its virtual mobile numbers), in order."""
    found: list[str] = []
    for source in _reply_sources:
        found.extend(n for n in source(workspace) if n not in found)
    return found


def cannot_receive_replies(source: str) -> bool:
    """An alphanumeric sender ID: the recipient's phone cannot answer it, so STOP cannot work."""
    value = (source or "").strip().lstrip("+")
    return bool(value) and not value.isdigit()
