"""The contacts part of the portal API: contacts (with bulk upsert), groups and their members,
opt-outs. Writes go through the address book's services, so the gateway copy follows."""

import uuid
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.base import ApiView, Cursor, page_of
from accounts.api.errors import ApiError
from accounts.audit import audit_record
from accounts.models import ApiScope

from .consent import Origin, consent_record_many
from .models import ConsentKind, Contact, Group, GroupMembership, SyncState
from .phone import InvalidNumber, normalise_number
from .services import address_book, sync

CUSTOM = ("field1", "field2", "field3", "field4", "field5")
MAX_BULK = 10_000


class ContactSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    number = serializers.CharField(max_length=40)
    email = serializers.EmailField(required=False, allow_blank=True)
    field1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    field2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    field3 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    field4 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    field5 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    groups = serializers.ListField(child=serializers.UUIDField(), required=False, write_only=True)
    opted_out = serializers.BooleanField(source="is_opted_out", read_only=True)
    opted_out_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, contact: Contact) -> dict:
        data = super().to_representation(contact)
        data["groups"] = [str(g.public_id) for g in contact.groups.all()]
        return data

    def validate_number(self, value: str) -> str:
        try:
            return normalise_number(value, self.context["workspace"].default_country)
        except InvalidNumber as exc:
            raise serializers.ValidationError(str(exc)) from None


def _contacts(view: ApiView) -> Any:
    return Contact.objects.for_workspace(view.workspace).prefetch_related("groups")


def _groups_of(view: ApiView, ids: list[uuid.UUID]) -> list[Group]:
    groups = list(Group.objects.for_workspace(view.workspace).filter(public_id__in=ids))
    if len(groups) != len(set(ids)):
        raise ApiError(
            400, "invalid_request", "A group given is not in this workspace.", field="groups"
        )
    return groups


def _save(view: ApiView, contact: Contact, data: dict) -> Contact:
    number = data.get("number", contact.number)
    if address_book.contact_number_taken(workspace=view.workspace, number=number, exclude=contact):
        raise ApiError(
            409, "duplicate_number", f"A contact with {number} already exists.", field="number"
        )
    for name in ("name", "number", "email", *CUSTOM):
        if name in data:
            setattr(contact, name, data[name])
    groups = _groups_of(view, data["groups"]) if "groups" in data else None
    origin = Origin.of_request(view.request)
    return address_book.contact_save(contact=contact, groups=groups, origin=origin)


class ContactListView(ApiView):
    scope = ApiScope.CONTACTS

    @extend_schema(
        operation_id="contacts_list",
        responses=page_of(ContactSerializer),
        parameters=[OpenApiParameter("number", str), OpenApiParameter("group", uuid.UUID)],
    )
    def get(self, request: Request) -> Response:
        rows = _contacts(self)
        if number := request.query_params.get("number"):
            rows = rows.filter(number=number)
        if group := request.query_params.get("group"):
            try:
                rows = rows.filter(groupmembership__group__public_id=uuid.UUID(group))
            except ValueError:
                raise ApiError(400, "invalid_request", "Not a group ID.", field="group") from None
        pages = Cursor()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(ContactSerializer(page, many=True).data)

    @extend_schema(
        operation_id="contacts_create",
        request=ContactSerializer,
        responses={201: ContactSerializer},
    )
    def post(self, request: Request) -> Response:
        given = ContactSerializer(data=request.data, context={"workspace": self.workspace})
        given.is_valid(raise_exception=True)
        contact = _save(self, Contact(workspace=self.workspace), given.validated_data)
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class ContactDetailView(ApiView):
    scope = ApiScope.CONTACTS

    def _get(self, contact_id: uuid.UUID) -> Contact:
        return get_object_or_404(_contacts(self), public_id=contact_id)

    @extend_schema(operation_id="contacts_get", responses=ContactSerializer)
    def get(self, request: Request, contact_id: uuid.UUID) -> Response:
        return Response(ContactSerializer(self._get(contact_id)).data)

    @extend_schema(
        operation_id="contacts_update", request=ContactSerializer, responses=ContactSerializer
    )
    def patch(self, request: Request, contact_id: uuid.UUID) -> Response:
        contact = self._get(contact_id)
        given = ContactSerializer(
            contact, data=request.data, partial=True, context={"workspace": self.workspace}
        )
        given.is_valid(raise_exception=True)
        contact = _save(self, contact, given.validated_data)
        return Response(ContactSerializer(self._get(contact.public_id)).data)

    @extend_schema(operation_id="contacts_delete", responses={204: None})
    def delete(self, request: Request, contact_id: uuid.UUID) -> Response:
        contact = self._get(contact_id)
        address_book.contacts_delete(
            request=request, contacts=_contacts(self).filter(pk=contact.pk)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BulkSerializer(serializers.Serializer):
    contacts = serializers.ListField(
        child=serializers.DictField(), max_length=MAX_BULK, allow_empty=False
    )


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class ContactBulkView(ApiView):
    """Create or update up to 10,000 contacts by number, all or none."""

    scope = ApiScope.CONTACTS

    @extend_schema(
        operation_id="contacts_bulk_upsert", request=BulkSerializer, responses=BulkResultSerializer
    )
    def post(self, request: Request) -> Response:
        given = BulkSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        workspace = self.workspace
        rows: dict[str, dict] = {}
        for index, item in enumerate(given.validated_data["contacts"]):
            one = ContactSerializer(data=item, context={"workspace": workspace})
            if not one.is_valid():
                name, errors = next(iter(one.errors.items()))
                raise ApiError(
                    400,
                    "invalid_request",
                    f"Contact {index}: {errors[0]}",
                    field=f"contacts[{index}].{name}",
                )
            if "groups" in one.validated_data:
                raise ApiError(
                    400,
                    "invalid_request",
                    "Bulk upsert does not set groups; add members with /groups/{id}/members/.",
                    field=f"contacts[{index}].groups",
                )
            rows[one.validated_data["number"]] = one.validated_data  # the last one wins
        existing = {
            c.number: c
            for c in Contact.objects.for_workspace(workspace).filter(number__in=list(rows))
        }
        fields = ["name", "email", *CUSTOM]
        new, changed = [], []
        for number, data in rows.items():
            contact = existing.get(number) or Contact(workspace=workspace, number=number)
            for name in fields:
                if name in data:
                    setattr(contact, name, data[name])
            contact.sync_state, contact.sync_error = SyncState.UNSYNCED, ""
            (changed if contact.pk else new).append(contact)
        with transaction.atomic():
            Contact.objects.bulk_create(new, batch_size=1000)
            consent_record_many(new, ConsentKind.ADDED, Origin.of_request(request))
            now = timezone.now()
            for contact in changed:
                contact.updated_at = now
            Contact.objects.bulk_update(
                changed, [*fields, "sync_state", "sync_error", "updated_at"], batch_size=1000
            )
            sync.push_soon(workspace)
        return Response({"created": len(new), "updated": len(changed)})


class GroupSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(max_length=100)
    members = serializers.IntegerField(read_only=True, source="member_count")
    created_at = serializers.DateTimeField(read_only=True)


def _groups(view: ApiView) -> Any:
    return Group.objects.for_workspace(view.workspace).annotate(
        member_count=Count("groupmembership")
    )


class GroupListView(ApiView):
    scope = ApiScope.CONTACTS

    @extend_schema(operation_id="groups_list", responses=page_of(GroupSerializer))
    def get(self, request: Request) -> Response:
        pages = Cursor()
        page = pages.paginate_queryset(_groups(self), request, view=self)
        return pages.get_paginated_response(GroupSerializer(page, many=True).data)

    @extend_schema(
        operation_id="groups_create", request=GroupSerializer, responses={201: GroupSerializer}
    )
    def post(self, request: Request) -> Response:
        given = GroupSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        group = address_book.group_create(
            workspace=self.workspace, name=given.validated_data["name"]
        )
        return Response(GroupSerializer(_groups(self).get(pk=group.pk)).data, status=201)


class GroupDetailView(ApiView):
    scope = ApiScope.CONTACTS

    def _get(self, group_id: uuid.UUID) -> Group:
        return get_object_or_404(_groups(self), public_id=group_id)

    @extend_schema(operation_id="groups_get", responses=GroupSerializer)
    def get(self, request: Request, group_id: uuid.UUID) -> Response:
        return Response(GroupSerializer(self._get(group_id)).data)

    @extend_schema(operation_id="groups_rename", request=GroupSerializer, responses=GroupSerializer)
    def patch(self, request: Request, group_id: uuid.UUID) -> Response:
        group = self._get(group_id)
        given = GroupSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        address_book.group_rename(request=request, group=group, name=given.validated_data["name"])
        return Response(GroupSerializer(self._get(group_id)).data)

    @extend_schema(operation_id="groups_delete", responses={204: None})
    def delete(self, request: Request, group_id: uuid.UUID) -> Response:
        address_book.group_delete(request=request, group=self._get(group_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembersSerializer(serializers.Serializer):
    contacts = serializers.ListField(
        child=serializers.UUIDField(), max_length=MAX_BULK, allow_empty=False
    )


class MembersResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField()
    members = serializers.IntegerField()


class GroupMembersView(ApiView):
    """POST adds the contacts to the group; DELETE (with the same body) removes them."""

    scope = ApiScope.CONTACTS

    def _change(self, request: Request, group_id: uuid.UUID, add: bool) -> Response:
        group = get_object_or_404(Group.objects.for_workspace(self.workspace), public_id=group_id)
        given = MembersSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        wanted = set(given.validated_data["contacts"])
        contacts = Contact.objects.for_workspace(self.workspace).filter(public_id__in=wanted)
        if contacts.count() != len(wanted):
            raise ApiError(
                400,
                "invalid_request",
                "A contact given is not in this workspace.",
                field="contacts",
            )
        if add:
            changed = address_book.contacts_add_to_group(contacts=contacts, group=group)
        else:
            changed = address_book.contacts_remove_from_group(
                request=request, contacts=contacts, group=group
            )
        members = GroupMembership.objects.filter(group=group).count()
        return Response({"changed": changed, "members": members})

    @extend_schema(
        operation_id="groups_members_add",
        request=MembersSerializer,
        responses=MembersResultSerializer,
    )
    def post(self, request: Request, group_id: uuid.UUID) -> Response:
        return self._change(request, group_id, add=True)

    @extend_schema(
        operation_id="groups_members_remove",
        request=MembersSerializer,
        responses=MembersResultSerializer,
    )
    def delete(self, request: Request, group_id: uuid.UUID) -> Response:
        return self._change(request, group_id, add=False)


class OptOutSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40)
    contact = serializers.UUIDField(source="public_id", read_only=True)
    opted_out_at = serializers.DateTimeField(read_only=True)


class OptOutListView(ApiView):
    scope = ApiScope.CONTACTS

    @extend_schema(operation_id="opt_outs_list", responses=page_of(OptOutSerializer))
    def get(self, request: Request) -> Response:
        rows = Contact.objects.for_workspace(self.workspace).filter(opted_out_at__isnull=False)
        pages = Cursor()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(OptOutSerializer(page, many=True).data)

    @extend_schema(
        operation_id="opt_outs_add", request=OptOutSerializer, responses={201: OptOutSerializer}
    )
    def post(self, request: Request) -> Response:
        given = OptOutSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        number = _number(self, given.validated_data["number"])
        contact = address_book.contact_number_taken(workspace=self.workspace, number=number)
        if contact is None:  # a number never seen: kept as a contact, so the opt-out holds
            contact = address_book.contact_save(
                contact=Contact(workspace=self.workspace, number=number),
                origin=Origin.of_request(request),
            )
        address_book.contact_opt_out(contact=contact, origin=Origin.of_request(request))
        audit_record_opt(request, "contact_opted_out", contact)
        return Response(OptOutSerializer(contact).data, status=status.HTTP_201_CREATED)


class OptOutDetailView(ApiView):
    scope = ApiScope.CONTACTS

    @extend_schema(operation_id="opt_outs_remove", responses={204: None})
    def delete(self, request: Request, number: str) -> Response:
        contact = get_object_or_404(
            Contact.objects.for_workspace(self.workspace),
            number=_number(self, number),
            opted_out_at__isnull=False,
        )
        address_book.contact_opt_in(contact=contact, origin=Origin.of_request(request))
        audit_record_opt(request, "contact_opted_in", contact)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _number(view: ApiView, raw: str) -> str:
    try:
        return normalise_number(raw, view.workspace.default_country)
    except InvalidNumber as exc:
        raise ApiError(400, "invalid_number", str(exc), field="number") from None


def audit_record_opt(request: Request, action: str, contact: Contact) -> None:
    audit_record(action, request=request, obj=contact)
