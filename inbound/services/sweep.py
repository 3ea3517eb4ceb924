"""The minute sweep: texts whose task was lost, opt-outs cut short, wrong-auth summaries."""

from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from accounts.audit import audit_record

from ..models import InboundMessage, VirtualNumber
from .process import opt_outs_finish
from .receive import minute_bucket

STALE = timedelta(seconds=30)


def unprocessed_requeue() -> bool:
    """Queue a drain when texts stored a while ago are still unprocessed (the broker was down)."""
    from ..tasks import inbound_drain_task

    stale = InboundMessage.objects.filter(
        processed_at__isnull=True, stored_at__lt=timezone.now() - STALE
    )
    if stale.exists():
        inbound_drain_task.delay()
        return True
    return False


def bad_auth_summarise() -> int:
    """One audit event per key and finished minute with more than one wrong `auth`."""
    now_bucket = minute_bucket()
    vmns = list(VirtualNumber.objects.select_related("workspace"))
    names = {
        f"inbound:badauth:{vmn.key}:{bucket}": (vmn, bucket)
        for vmn in vmns
        for bucket in (now_bucket - 1, now_bucket - 2)
    }
    written = 0
    for name, count in cache.get_many(list(names)).items():
        vmn, bucket = names[name]
        if count > 1 and cache.add(f"inbound:badauth-summarised:{vmn.key}:{bucket}", 1, 600):
            audit_record(
                "inbound_auth_failures_summarised",
                workspace=vmn.workspace,
                obj=vmn,
                count=count,
                minute=datetime.fromtimestamp(bucket * 60, tz=UTC).isoformat(),
            )
            written += 1
    return written


def sweep() -> None:
    unprocessed_requeue()
    opt_outs_finish()
    bad_auth_summarise()
