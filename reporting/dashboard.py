"""The dashboard's figures: the portal's own tables where it has them, cached reports otherwise.

Every read is bounded by an index starting with the workspace (broadcasts by date, messages by
state, conversations, imports by date), so the page stays fast with millions of rows. The unread
figure is the nav badge's: the conversations' unread counts.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import GatewayConnection, Workspace
from contacts.models import ContactImport
from inbound.services.conversations import unread_total
from messaging.models import Broadcast, BroadcastStatus, Message, MessageState

from .models import BalancePoint, ReportSnapshot, ReportType, SnapshotState

COUNT_CAP = 1000  # counts above this read "1000+": counting further costs time, not meaning


@dataclass
class Dashboard:
    gateway: GatewayConnection | None
    balance_trend: list[BalancePoint] = field(default_factory=list)
    balance_change: Decimal | None = None
    sent_today: int = 0
    sent_month: int = 0
    delivered_7d: int = 0
    failed_7d: int = 0
    unknown_count: int = 0
    failed_broadcasts: list[Broadcast] = field(default_factory=list)
    upcoming: list[Broadcast] = field(default_factory=list)
    unread: int = 0
    imports: list[ContactImport] = field(default_factory=list)
    usage: ReportSnapshot | None = None
    has_activity: bool = False

    @property
    def delivery_rate(self) -> float | None:
        settled = self.delivered_7d + self.failed_7d
        return None if not settled else 100 * self.delivered_7d / settled

    @property
    def needs_attention(self) -> bool:
        return bool(self.unknown_count or self.failed_broadcasts)


def _capped(queryset: QuerySet) -> int:
    return queryset[: COUNT_CAP + 1].count()


def _sent_totals(workspace: Workspace, *, day: datetime, week: datetime, month: datetime) -> dict:
    """Sent today and this month, delivered and failed over the week: one pass over the
    broadcasts queued since the earliest of the three."""
    failed = F("failed_count") + F("undeliverable_count") + F("expired_count")
    return (
        Broadcast.objects.for_workspace(workspace)
        .filter(queued_at__gte=min(week, month))
        .aggregate(
            sent_today=Sum("sent_count", filter=Q(queued_at__gte=day)),
            sent_month=Sum("sent_count", filter=Q(queued_at__gte=month)),
            delivered_7d=Sum("delivered_count", filter=Q(queued_at__gte=week)),
            failed_7d=Sum(failed, filter=Q(queued_at__gte=week)),
        )
    )


def dashboard_figures(
    workspace: Workspace, gateway: GatewayConnection | None, now: datetime | None = None
) -> Dashboard:
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    today = now.astimezone(zone).date()
    day_start = datetime.combine(today, time.min, zone)
    month_start = datetime.combine(today.replace(day=1), time.min, zone)
    figures = Dashboard(gateway=gateway)
    trend = list(
        BalancePoint.objects.for_workspace(workspace)
        .filter(checked_at__gte=now - timedelta(days=30))
        .order_by("-checked_at")[:60]
    )
    figures.balance_trend = trend[::-1]
    if len(trend) > 1:
        figures.balance_change = trend[0].balance - trend[-1].balance
    week_start = day_start - timedelta(days=6)
    totals = _sent_totals(workspace, day=day_start, week=week_start, month=month_start)
    for name, total in totals.items():
        setattr(figures, name, total or 0)
    messages = Message.objects.for_workspace(workspace)
    figures.unknown_count = _capped(messages.filter(state=MessageState.UNKNOWN))
    broadcasts = Broadcast.objects.for_workspace(workspace)
    figures.failed_broadcasts = list(
        broadcasts.filter(
            status__in=[BroadcastStatus.FAILED, BroadcastStatus.PARTLY_FAILED],
            created_at__gte=now - timedelta(days=7),
        ).order_by("-created_at")[:5]
    )
    figures.upcoming = list(
        broadcasts.filter(status=BroadcastStatus.SCHEDULED, schedule_at__gte=now).order_by(
            "schedule_at"
        )[:5]
    )
    figures.unread = unread_total(workspace)
    figures.imports = list(
        ContactImport.objects.for_workspace(workspace).order_by("-created_at")[:3]
    )
    figures.usage = (
        ReportSnapshot.objects.for_workspace(workspace)
        .filter(report_type=ReportType.USAGE, state=SnapshotState.READY, range_end__gte=day_start)
        .order_by("-fetched_at")
        .first()
    )
    figures.has_activity = bool(
        figures.sent_month
        or figures.upcoming
        or figures.imports
        or figures.unread
        or broadcasts.exists()
    )
    return figures
