"""Tenancy is absolute: every route under /w/<slug>/ answers 404 to a member of another workspace.

The routes are read from the URL resolver, so a new route is covered as soon as it exists. A route
with an object in its URL needs an entry in OBJECT_MAKERS below (a real object of the workspace);
the test fails for any route whose URL arguments it does not know.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import (
    ApiKey,
    ChildAccount,
    GatewayConnection,
    LedgerEntry,
    WebhookDelivery,
    WebhookEndpoint,
    Workspace,
)
from contacts.models import Contact, ContactImport, Group, Suppression
from inbound.models import AutoReplyRule, Conversation, VirtualNumber
from messaging.models import Broadcast, Message, MessageTemplate, SenderID, Series
from reporting.models import ReportSnapshot, ScheduledReport

from .factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db

WORKSPACE_PREFIX = "w/<slug:slug>/"


def _child(ws: Workspace) -> ChildAccount:
    return ChildAccount.objects.create(
        workspace=ws, username=f"child-{uuid.uuid4().hex[:8]}", first_name="C", last_name="D",
        email="c@d.test", state="active", idempotency_key=uuid.uuid4(),
    )  # fmt: skip


def _entry(ws: Workspace) -> LedgerEntry:
    return LedgerEntry.objects.create(
        workspace=ws, child=_child(ws), quantity=1, state="unknown", idempotency_key=uuid.uuid4()
    )


def _broadcast(ws: Workspace) -> Broadcast:
    return Broadcast.objects.create(
        workspace=ws, body="Hi", source="Acme", status="draft", idempotency_key=uuid.uuid4()
    )


# URL argument name -> a function that makes a real object in the given workspace and returns
# the value that goes into the URL.
OBJECT_MAKERS: dict[str, Callable[[Workspace], object]] = {
    "webhook_id": lambda ws: (
        WebhookEndpoint.objects.create(workspace=ws, url="https://example.com/h").public_id
    ),
    "delivery_id": lambda ws: (
        WebhookDelivery.objects.create(
            workspace=ws,
            endpoint=WebhookEndpoint.objects.create(workspace=ws, url="https://example.com/h"),
            event="endpoint.test",
            payload={},
        ).public_id
    ),
    "key_id": lambda ws: ApiKey.issue(workspace=ws, name="k", scopes=["read"])[0].public_id,
    "member_id": lambda ws: MembershipFactory(workspace=ws).public_id,
    "invitation_id": lambda ws: InvitationFactory(workspace=ws).public_id,
    "child_id": lambda ws: _child(ws).public_id,
    "entry_id": lambda ws: _entry(ws).public_id,
    "broadcast_id": lambda ws: _broadcast(ws).public_id,
    "message_id": lambda ws: (
        Message.objects.create(
            workspace=ws, broadcast=_broadcast(ws), destination="+447700900123", state="unknown"
        ).public_id
    ),
    "template_id": lambda ws: (
        MessageTemplate.objects.create(
            workspace=ws, name=f"t-{uuid.uuid4().hex[:6]}", body="Hi"
        ).public_id
    ),
    "sender_id": lambda ws: (
        SenderID.objects.create(workspace=ws, value=f"S{uuid.uuid4().hex[:6]}").public_id
    ),
    "contact_id": lambda ws: Contact.objects.create(workspace=ws, number="+447700900123").public_id,
    "group_id": lambda ws: Group.objects.create(workspace=ws, name=uuid.uuid4().hex).public_id,
    "import_id": lambda ws: ContactImport.objects.create(workspace=ws, state="failed").public_id,
    "suppression_id": lambda ws: (
        Suppression.objects.create(
            workspace=ws, number="+447700900123", failures=3, reason="Undeliverable"
        ).public_id
    ),
    "conversation_id": lambda ws: (
        Conversation.objects.create(
            workspace=ws,
            number=f"+4477009{uuid.uuid4().int % 10**5:05d}",
            last_message_at=timezone.now(),
        ).public_id
    ),
    "vmn_id": lambda ws: (
        VirtualNumber.objects.create(
            workspace=ws, number=f"+4477009{uuid.uuid4().int % 10**5:05d}"
        ).public_id
    ),
    "rule_id": lambda ws: AutoReplyRule.objects.create(workspace=ws, reply="Hi").public_id,
    "snapshot_id": lambda ws: (
        ReportSnapshot.objects.create(
            workspace=ws,
            report_type="Messages",
            range_start=timezone.now(),
            range_end=timezone.now(),
            state="ready",
            fetched_at=timezone.now(),
        ).public_id
    ),
    "series_id": lambda ws: (
        Series.objects.create(
            workspace=ws,
            body="Hi",
            source="Acme",
            rule="RRULE:FREQ=DAILY",
            starts=timezone.now(),
            time_zone="Europe/London",
            selection={"numbers": []},
        ).public_id
    ),  # fmt: skip
    "schedule_id": lambda ws: (
        ScheduledReport.objects.create(
            workspace=ws, report_type="Usage", frequency="daily", next_run_at=timezone.now()
        ).public_id
    ),
}


@pytest.fixture(autouse=True)
def _every_feature_on(workspace: Workspace, other_workspace: Workspace) -> None:
    """Both workspaces have every feature (a reseller gateway account), so no route is 404 only
    because a feature is off in the outsider's own workspace."""
    for ws in (workspace, other_workspace):
        GatewayConnection.objects.create(workspace=ws, token="t" * 20, is_admin_account=True)


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    arguments: tuple[str, ...]


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            arguments = tuple(entry.pattern.regex.groupindex) + tuple(_resolver_arguments(prefix))
            yield Route(namespace + entry.name, route, tuple(dict.fromkeys(arguments)))


def _resolver_arguments(prefix: str) -> list[str]:
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", prefix)


def workspace_routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if r.route.startswith(WORKSPACE_PREFIX)]


ROUTES = workspace_routes()


def _url(route: Route, slug: str, objects_of: Workspace) -> str:
    kwargs: dict[str, object] = {"slug": slug}
    for argument in route.arguments:
        if argument == "slug":
            continue
        assert argument in OBJECT_MAKERS, (
            f"{route.name} ({route.route}) takes <{argument}>: add a maker for it to OBJECT_MAKERS"
        )
        kwargs[argument] = OBJECT_MAKERS[argument](objects_of)
    return reverse(route.name, kwargs=kwargs)


def test_the_walk_finds_the_workspace_routes():
    names = {r.name for r in ROUTES}
    assert {"reporting:dashboard", "accounts_ws:members", "accounts_ws:member_remove"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_member_of_another_workspace_gets_404(
    client_for, workspace, owner, outsider, route, method
):
    url = _url(route, workspace.slug, objects_of=workspace)
    response = getattr(client_for(outsider), method)(url)
    assert response.status_code == 404, f"{method.upper()} {url} answered {response.status_code}"


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if set(r.arguments) - {"slug"}], ids=lambda r: r.name
)
def test_objects_of_another_workspace_are_404_under_ones_own(
    client_for, workspace, other_workspace, owner, outsider, route
):
    """The outsider uses their own workspace's URL with an object id from ours.

    A POST-only route may answer a GET with 405 before it looks anything up; that answer is the
    same for every id, so it reveals nothing. The POST must be 404.
    """
    url = _url(route, other_workspace.slug, objects_of=workspace)
    client = client_for(outsider)
    assert client.get(url).status_code in (404, 405)
    response = client.post(url)
    assert response.status_code == 404, f"POST {url} answered {response.status_code}"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_an_unknown_workspace_is_404_too(client_for, workspace, outsider, route):
    url = _url(route, "no-such-workspace", objects_of=workspace)
    assert client_for(outsider).get(url).status_code == 404
