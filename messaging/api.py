"""The messaging part of the portal API: send, broadcasts, messages.

A send goes through the composer's own pipeline (`compose.broadcast_create` then
`broadcast_confirm`): the same sender-ID, body, schedule, credit and opt-out checks, the same
quiet hours and approval policy, and the same exactly-once outbox.
"""

import re
import uuid
from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.base import ApiView, Cursor, idempotency_key_uuid, page_of, recipients_charge
from accounts.api.errors import ApiError
from accounts.models import ApiScope
from contacts.models import Contact, Group

from .models import Broadcast, Message, MessageState, MessageTemplate, SenderID, TrackedLink
from .services import compose, controls, links, schedule
from .services.marketing import reply_numbers
from .services.outcomes import BUCKETS, Outcomes, outcomes_count

MAX_NUMBERS = 10_000
DATA_TAG = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]{0,39})\}")


class CountsSerializer(serializers.Serializer):
    recipients = serializers.IntegerField()
    sent = serializers.IntegerField(help_text="Accepted by the gateway (overlaps the others).")
    delivered = serializers.IntegerField()
    failed = serializers.IntegerField()
    undeliverable = serializers.IntegerField()
    expired = serializers.IntegerField()
    skipped = serializers.IntegerField(
        help_text="Opted out or suppressed: never sent, never charged."
    )
    cancelled = serializers.IntegerField()
    pending = serializers.IntegerField()
    unknown = serializers.IntegerField()


def counts(outcomes: Outcomes) -> dict[str, int]:
    return {
        "recipients": outcomes.recipients,
        "sent": outcomes.sent,
        **{name: getattr(outcomes, name) for name in BUCKETS},
    }


class BroadcastSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()
    status_reason = serializers.CharField()
    text = serializers.CharField(source="body")
    marketing = serializers.BooleanField()
    opt_out_footer = serializers.CharField(
        source="footer", help_text="Added at the end of a marketing text (empty otherwise)."
    )
    sender = serializers.CharField(source="source")
    encoding = serializers.CharField()
    parts = serializers.IntegerField()
    estimated_credits = serializers.IntegerField()
    send_at = serializers.DateTimeField(source="schedule_at", allow_null=True)
    validity_seconds = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    counts = serializers.SerializerMethodField()

    @extend_schema_field(CountsSerializer)
    def get_counts(self, broadcast: Broadcast) -> dict[str, int]:
        if (known := self.context.get("outcomes")) is not None:
            return counts(known)
        live = self.context.get("live")
        return counts(outcomes_count(broadcast) if live else Outcomes.of(broadcast))


class SendSerializer(serializers.Serializer):
    to = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        max_length=MAX_NUMBERS,
        help_text="Numbers; without a country code, read in the workspace's default country.",
    )
    contacts = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=MAX_NUMBERS
    )
    groups = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=100
    )
    text = serializers.CharField(
        required=False,
        allow_blank=False,
        trim_whitespace=False,
        help_text="Merge fields such as {first_name|there} work for contacts.",
    )
    template = serializers.UUIDField(required=False, help_text="A template instead of `text`.")
    data = serializers.DictField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        default=dict,
        help_text="Values for {tags} of your own in the text, the same "
        'for every recipient, e.g. {"code": "1234"}.',
    )
    sender = serializers.CharField(required=False, max_length=16)
    send_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    validity_seconds = serializers.IntegerField(required=False, default=86400)
    track_links = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Replace each URL with a short link per recipient, to see who clicked.",
    )
    marketing = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A marketing text: the workspace's opt-out instruction is added at the end "
        "(counted in the parts and credits). Send it from a number that receives replies.",
    )


class MessageEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    state = serializers.CharField()
    gateway_status = serializers.CharField()
    note = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    broadcast = serializers.UUIDField(source="broadcast.public_id")
    to = serializers.CharField(source="destination")
    text = serializers.CharField()
    state = serializers.CharField()
    gateway_status = serializers.CharField()
    gateway_id = serializers.CharField()
    error_code = serializers.IntegerField(allow_null=True)
    error_text = serializers.CharField()
    queued_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class LinkSerializer(serializers.Serializer):
    url = serializers.CharField()
    short_url = serializers.SerializerMethodField()
    clicks = serializers.IntegerField()
    first_clicked_at = serializers.DateTimeField(allow_null=True)
    last_clicked_at = serializers.DateTimeField(allow_null=True)

    def get_short_url(self, link: TrackedLink) -> str:
        return links.base_url() + link.code


class MessageDetailSerializer(MessageSerializer):
    history = MessageEventSerializer(many=True, source="events.all")
    links = LinkSerializer(many=True, source="links.all", help_text="Tracked links and clicks.")


def _fill_data(text: str, data: dict[str, str]) -> str:
    return DATA_TAG.sub(lambda m: data.get(m.group(1), m.group(0)), text)


class SendView(ApiView):
    scope = ApiScope.SEND
    # Read by every send (the gateway twice): joined to the key's look-up. Each further join
    # costs PostgreSQL more planning than a query of its own (custom fields, approval policy).
    workspace_rows = ("api_limits", "gateway")

    @extend_schema(
        operation_id="send",
        request=SendSerializer,
        responses={201: BroadcastSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        description="Send (or schedule) one text to numbers, contacts and groups.",
    )
    def post(self, request: Request) -> Response:
        workspace = self.workspace
        given = SendSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        body = data.get("text")
        if data.get("template"):
            template = (
                MessageTemplate.objects.for_workspace(workspace)
                .filter(public_id=data["template"])
                .first()
            )
            if template is None:
                raise ApiError(400, "invalid_request", "No such template.", field="template")
            body = body or template.body
        if not body:
            raise ApiError(400, "invalid_request", "Give `text` or `template`.", field="text")
        body = compose.clean_body(_fill_data(body, data["data"]))
        source = self._sender(data.get("sender"))
        parsed = compose.parse_numbers("\n".join(data["to"]), workspace.default_country)
        if parsed.invalid:
            line, raw, why = parsed.invalid[0]
            raise ApiError(
                400,
                "invalid_number",
                f"“{raw}” is not a phone number: {why}",
                field=f"to[{line - 1}]",
            )
        contact_ids = list(
            Contact.objects.for_workspace(workspace)
            .filter(public_id__in=data["contacts"])
            .values_list("pk", flat=True)
        )
        if len(contact_ids) != len(set(data["contacts"])):
            raise ApiError(
                400,
                "invalid_request",
                "A contact given is not in this workspace.",
                field="contacts",
            )
        group_ids = list(
            Group.objects.for_workspace(workspace)
            .filter(public_id__in=data["groups"])
            .values_list("pk", flat=True)
        )
        if len(group_ids) != len(set(data["groups"])):
            raise ApiError(
                400, "invalid_request", "A group given is not in this workspace.", field="groups"
            )
        if not (parsed.numbers or contact_ids or group_ids):
            raise ApiError(400, "invalid_request", "Add at least one recipient.", field="to")
        draft = compose.Draft(
            body=body,
            source=source,
            numbers=parsed.numbers,
            typed_duplicates=parsed.duplicates,
            contact_ids=contact_ids,
            group_ids=group_ids,
            schedule_at=compose.clean_schedule(data["send_at"]),
            validity_seconds=compose.clean_validity(data["validity_seconds"]),
            track_links=data["track_links"],
            marketing=data["marketing"],
        )
        header_key = getattr(self, "idempotency_key", "")
        key = idempotency_key_uuid(workspace, header_key) if header_key else uuid.uuid4()
        broadcast = compose.broadcast_create(
            workspace=workspace, user=request.user, draft=draft, idempotency_key=key
        )
        refund = recipients_charge(self.key, broadcast.recipient_count, request.api_limits)
        try:
            broadcast = compose.broadcast_confirm(
                broadcast=broadcast, user=request.user, request=request
            )
        except Exception:
            refund()
            raise
        # Written in this transaction and not dispatched before it commits: every recipient is
        # still pending, so the live counts need no query.
        known = Outcomes.queued(broadcast.recipient_count) if broadcast.written_now else None
        answer = BroadcastSerializer(broadcast, context={"live": True, "outcomes": known}).data
        return Response(answer, status=status.HTTP_201_CREATED)

    def _sender(self, given: str | None) -> str:
        # One read for both the approved list and the default (compose.default_source's order).
        approved = list(
            SenderID.objects.for_workspace(self.workspace)
            .order_by("-is_default", "value")
            .values_list("value", flat=True)
        )
        source = compose.clean_source(
            given or (approved[0] if approved else compose.FALLBACK_SOURCE)
        )
        if approved and source not in approved and source not in reply_numbers(self.workspace):
            raise ApiError(
                400,
                "invalid_sender",
                "Use one of the workspace's approved sender IDs: " + ", ".join(approved) + ".",
                field="sender",
            )
        return source


def _broadcast(view: ApiView, broadcast_id: uuid.UUID) -> Broadcast:
    return get_object_or_404(
        Broadcast.objects.for_workspace(view.workspace), public_id=broadcast_id
    )


class BroadcastListView(ApiView):
    @extend_schema(
        operation_id="broadcasts_list",
        responses=page_of(BroadcastSerializer),
        parameters=[OpenApiParameter("status", str)],
    )
    def get(self, request: Request) -> Response:
        rows = Broadcast.objects.for_workspace(self.workspace).exclude(status="draft")
        if wanted := request.query_params.get("status"):
            rows = rows.filter(status=wanted)
        pages = Cursor()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(BroadcastSerializer(page, many=True).data)


class BroadcastDetailView(ApiView):
    @extend_schema(operation_id="broadcasts_get", responses=BroadcastSerializer)
    def get(self, request: Request, broadcast_id: uuid.UUID) -> Response:
        broadcast = _broadcast(self, broadcast_id)
        return Response(BroadcastSerializer(broadcast, context={"live": True}).data)


class BroadcastActionView(ApiView):
    """POST …/cancel, …/pause, …/resume."""

    scope = ApiScope.SEND
    action: str = ""

    def post(self, request: Request, broadcast_id: uuid.UUID) -> Response:
        broadcast = _broadcast(self, broadcast_id)
        with transaction.atomic():
            if self.action == "cancel":
                schedule.broadcast_cancel(broadcast=broadcast, request=request)
            elif self.action == "pause":
                controls.broadcast_pause(broadcast=broadcast, request=request)
            else:
                controls.broadcast_resume(broadcast=broadcast, request=request)
        broadcast.refresh_from_db()
        return Response(BroadcastSerializer(broadcast, context={"live": True}).data)


def broadcast_action(name: str) -> Any:
    """The view of one action, with an operation of its own in the schema."""

    @extend_schema(operation_id=f"broadcasts_{name}", request=None, responses=BroadcastSerializer)
    def post(self: BroadcastActionView, request: Request, broadcast_id: uuid.UUID) -> Response:
        return BroadcastActionView.post(self, request, broadcast_id)

    view = type(
        f"Broadcast{name.title()}View", (BroadcastActionView,), {"action": name, "post": post}
    )
    return view.as_view()


class MessageListView(ApiView):
    @extend_schema(
        operation_id="messages_list",
        responses=page_of(MessageSerializer),
        parameters=[
            OpenApiParameter("state", str, enum=[s.value for s in MessageState]),
            OpenApiParameter("to", str, description="E.164, e.g. +447700900123"),
            OpenApiParameter("broadcast", uuid.UUID),
            OpenApiParameter("since", str, description="ISO 8601: queued at or after"),
        ],
    )
    def get(self, request: Request) -> Response:
        rows = Message.objects.for_workspace(self.workspace).select_related("broadcast")
        params = request.query_params
        if state := params.get("state"):
            rows = rows.filter(state=state)
        if to := params.get("to"):
            rows = rows.filter(destination=to)
        if broadcast := params.get("broadcast"):
            try:
                rows = rows.filter(broadcast__public_id=uuid.UUID(broadcast))
            except ValueError:
                raise ApiError(
                    400, "invalid_request", "Not a broadcast ID.", field="broadcast"
                ) from None
        if since := params.get("since"):
            moment = serializers.DateTimeField().to_internal_value(since)
            rows = rows.filter(queued_at__gte=moment)
        pages = Cursor()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(MessageSerializer(page, many=True).data)


class MessageDetailView(ApiView):
    @extend_schema(operation_id="messages_get", responses=MessageDetailSerializer)
    def get(self, request: Request, message_id: uuid.UUID) -> Response:
        message = get_object_or_404(
            Message.objects.for_workspace(self.workspace).select_related("broadcast"),
            public_id=message_id,
        )
        return Response(MessageDetailSerializer(message).data)
