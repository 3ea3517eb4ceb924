"""A key of one workspace never reaches another's objects: every /api/v1/ route with an object in
its URL answers 404 to the other workspace's key, for every method it has. Routes are read from
the URL resolver, so a new route is covered as soon as it exists."""

import pytest
from django.urls import URLPattern, get_resolver

from config import api_urls
from tests.test_cross_tenant import OBJECT_MAKERS

pytestmark = pytest.mark.django_db

OBJECT_ROUTES = [p for p in api_urls.urlpatterns if isinstance(p, URLPattern)
                 and set(p.pattern.regex.groupindex) - {"number"}]  # fmt: skip


def test_the_walk_finds_the_object_routes():
    names = {p.name for p in OBJECT_ROUTES}
    assert {
        "broadcast",
        "broadcast-cancel",
        "message",
        "contact",
        "group",
        "group-members",
    } <= names
    assert get_resolver().resolve("/api/v1/send/").url_name == "send"


@pytest.mark.parametrize("pattern", OBJECT_ROUTES, ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_another_workspaces_key_gets_404(api_for, workspace, other_workspace, outsider, pattern,
                                          method):  # fmt: skip
    theirs = api_for(other_workspace, by=outsider)
    kwargs = {name: OBJECT_MAKERS[name](workspace) for name in pattern.pattern.regex.groupindex}
    path = str(pattern.pattern)
    for name, value in kwargs.items():
        path = path.replace(f"<uuid:{name}>", str(value))
    answer = theirs.call(method, path, {"name": "x", "contacts": []} if method != "get" else None)
    if answer.status_code == 405:  # the route has no such method: the same for every id
        return
    assert answer.status_code == 404, f"{method.upper()} {path}: {answer.status_code}"


def test_lists_show_only_the_keys_workspace(api_for, workspace, other_workspace, outsider):
    from contacts.models import Contact

    Contact.objects.create(workspace=workspace, number="+447700900601")
    theirs = api_for(other_workspace, by=outsider)
    for path in ("contacts/", "messages/", "broadcasts/", "groups/", "opt-outs/", "inbound/"):
        assert theirs.get(path).json()["results"] == [], path
    assert theirs.delete("opt-outs/+447700900601/").status_code == 404
