"""Shared fixtures: a workspace with one member per role, and an outsider in a second workspace."""

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from accounts.models import User, Workspace
from accounts.roles import Role
from config.celery import app as celery_app

from .factories import MembershipFactory, UserFactory, WorkspaceFactory

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.worker"]


@pytest.fixture
def workspace() -> Workspace:
    return WorkspaceFactory(name="Acme", slug="acme")


@pytest.fixture
def other_workspace() -> Workspace:
    return WorkspaceFactory(name="Rival", slug="rival")


def _member(workspace: Workspace, role: Role, email: str) -> User:
    return MembershipFactory(workspace=workspace, role=role, user=UserFactory(email=email)).user


@pytest.fixture
def owner(workspace: Workspace) -> User:
    return _member(workspace, Role.OWNER, "owner@acme.test")


@pytest.fixture
def admin(workspace: Workspace) -> User:
    return _member(workspace, Role.ADMIN, "admin@acme.test")


@pytest.fixture
def sender(workspace: Workspace) -> User:
    return _member(workspace, Role.SENDER, "sender@acme.test")


@pytest.fixture
def viewer(workspace: Workspace) -> User:
    return _member(workspace, Role.VIEWER, "viewer@acme.test")


@pytest.fixture
def outsider(other_workspace: Workspace) -> User:
    """The owner of another workspace: must never see anything of `workspace`."""
    return _member(other_workspace, Role.OWNER, "owner@rival.test")


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Tests hash many passwords; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Run queued tasks inline, in whichever thread queues them (the live server's too); the
    worker tests use a real worker instead."""
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False
