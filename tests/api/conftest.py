import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import ApiKey, GatewayConnection, Workspace


class Api:
    """A JSON client for /api/v1/ with one key."""

    def __init__(self, raw_key: str) -> None:
        self.client = Client()
        self.raw_key = raw_key

    def call(self, method: str, path: str, body: Any = None, *, key: str | None = None,
             **headers: str) -> Any:  # fmt: skip
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        extra["HTTP_AUTHORIZATION"] = f"Bearer {key or self.raw_key}"
        data = json.dumps(body) if body is not None else None
        return getattr(self.client, method)(
            "/api/v1/" + path.lstrip("/"), data=data, content_type="application/json", **extra
        )

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("get", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("post", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("patch", path, body, **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("delete", path, body, **kw)


@pytest.fixture
def api_for(owner) -> Callable[..., Api]:  # noqa: ANN001
    """An API client whose key belongs to `workspace` (made by its owner unless told)."""

    def make(workspace: Workspace, scopes=("send", "contacts", "read"), by=None, **fields) -> Api:  # noqa: ANN001, ANN003
        creator = by or workspace.memberships.filter(role="owner").first().user
        _key, raw = ApiKey.issue(workspace=workspace, name="test", scopes=list(scopes),
                                 created_by=creator, **fields)  # fmt: skip
        return Api(raw)

    return make


@pytest.fixture
def api(api_for, workspace, owner) -> Api:  # noqa: ANN001
    return api_for(workspace)


@pytest.fixture
def connected(workspace: Workspace) -> GatewayConnection:
    """A connection the composer's checks accept (no call is made before dispatch)."""
    return GatewayConnection.objects.create(workspace=workspace, token="t" * 20, balance=1000)
