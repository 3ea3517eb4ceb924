"""Opt-outs the inbound app knows of before the contacts do: a STOP stored but not processed yet,
or processed but not written (a worker stopped in between). Registered with contacts at start-up,
so that a send right after the STOP skips the number."""

from django.db.models import Q

from accounts.models import Workspace

from .models import InboundMessage, InboxSettings
from .services.process import OPT_OUT, opt_action


def pending_opt_outs(workspace: Workspace, numbers: set[str]) -> set[str]:
    texts = InboundMessage.objects.for_workspace(workspace).filter(source__in=numbers)
    out = set(texts.filter(opt_action=OPT_OUT, opt_applied=False).values_list("source", flat=True))
    unprocessed = texts.filter(Q(processed_at__isnull=True)).values_list("source", "body")
    prefs = InboxSettings.objects.filter(workspace=workspace).first() or InboxSettings()
    out.update(source for source, body in unprocessed if opt_action(body, prefs) == OPT_OUT)
    return out


def reply_numbers(workspace: Workspace) -> list[str]:
    """The workspace's virtual mobile numbers as sender IDs: a reply to one reaches the inbox, so
    a STOP sent to it is seen (registered with messaging for marketing messages)."""
    from contacts.phone import gateway_number

    from .models import VirtualNumber

    numbers = VirtualNumber.objects.for_workspace(workspace).values_list("number", flat=True)
    return [gateway_number(number) for number in numbers]
