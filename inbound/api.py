"""The inbox part of the portal API: texts received on the workspace's virtual numbers."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.base import ApiView, Cursor, page_of

from .models import InboundMessage


class InboundSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    from_number = serializers.CharField(source="source")
    to = serializers.CharField(source="dest")
    text = serializers.CharField(source="body")
    received_at = serializers.DateTimeField()
    contact = serializers.UUIDField(source="contact.public_id", allow_null=True, default=None)
    opt_action = serializers.CharField(help_text="`opt_out`, `opt_in` or empty.")

    def to_representation(self, message: InboundMessage) -> dict:
        data = super().to_representation(message)
        data["from"] = data.pop("from_number")
        return data


class InboundListView(ApiView):
    @extend_schema(
        operation_id="inbound_list",
        responses=page_of(InboundSerializer),
        parameters=[OpenApiParameter("from", str, description="E.164 sender")],
    )
    def get(self, request: Request) -> Response:
        rows = InboundMessage.objects.filter(workspace=self.workspace).select_related("contact")
        if source := request.query_params.get("from"):
            rows = rows.filter(source=source)
        pages = Cursor()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(InboundSerializer(page, many=True).data)
