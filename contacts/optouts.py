"""Which numbers must not be sent to: one question every send path asks before the gateway.

A number is opted out when a contact with it opted out, when it is suppressed for failing
permanently (`Suppression`, standing until an admin lifts it), when a person erased while opted
out or suppressed had it (known by a keyed hash only), or when another app knows of an opt-out
not written to the contacts yet (inbound: a STOP stored but not processed). Apps above contacts
register such sources at start-up (`register_opt_out_source`), so that the answer is right from
the moment the STOP is stored, while contacts and messaging never import them.
"""

from collections.abc import Callable, Iterable

from accounts.crypto import number_hash
from accounts.models import ErasedNumber, Workspace

from .models import Contact, Suppression

OptOutSource = Callable[[Workspace, set[str]], set[str]]
_sources: list[OptOutSource] = []


def register_opt_out_source(source: OptOutSource) -> None:
    """`source(workspace, numbers)` returns those of `numbers` that opted out by its knowledge."""
    if source not in _sources:
        _sources.append(source)


def opted_out_numbers(workspace: Workspace, numbers: Iterable[str]) -> set[str]:
    """Those of `numbers` (E.164) that must not be sent to."""
    wanted = set(numbers)
    if not wanted:
        return set()
    out = set(
        Contact.objects.for_workspace(workspace)
        .filter(number__in=wanted, opted_out_at__isnull=False)
        .values_list("number", flat=True)
    )
    if rest := wanted - out:
        out |= suppressed_numbers(workspace, rest)
    for source in (*_sources, erased_opt_outs):
        if rest := wanted - out:
            out |= source(workspace, rest)
    return out


def erased_opt_outs(workspace: Workspace, numbers: set[str]) -> set[str]:
    """Those of `numbers` that belong to a person erased while opted out (known by hash only)."""
    by_hash = {number_hash(workspace.pk, n): n for n in numbers}
    found = ErasedNumber.objects.for_workspace(workspace).filter(
        number_hash__in=list(by_hash), opted_out=True
    )
    return {by_hash[h] for h in found.values_list("number_hash", flat=True)}


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
