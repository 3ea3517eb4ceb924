"""The account part of the portal API: the balance; and the schema and its reference page."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import GatewayConnection
from .base import ApiView


class BalanceSerializer(serializers.Serializer):
    credits = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    checked_at = serializers.DateTimeField(allow_null=True)


class BalanceView(ApiView):
    """The balance as last read from the gateway (refreshed by the portal every few minutes)."""

    @extend_schema(operation_id="balance_get", responses=BalanceSerializer)
    def get(self, request: Request) -> Response:
        connection = GatewayConnection.objects.for_workspace(self.workspace).first()
        balance = {
            "credits": connection.balance if connection else None,
            "checked_at": connection.balance_checked_at if connection else None,
        }
        return Response(BalanceSerializer(balance).data)
