"""Balance history: a point each time the cached balance was checked."""

from accounts.models import GatewayConnection

from ..models import BalancePoint


def balance_points_record() -> int:
    """Record every connection's last checked balance once (keyed by when it was checked)."""
    connections = GatewayConnection.objects.filter(
        balance__isnull=False, balance_checked_at__isnull=False
    ).values_list("workspace_id", "balance", "balance_checked_at")
    points = [
        BalancePoint(workspace_id=workspace_id, balance=balance, checked_at=checked_at)
        for workspace_id, balance, checked_at in connections
    ]
    created = BalancePoint.objects.bulk_create(points, ignore_conflicts=True, batch_size=1000)
    return len(created)
