"""Shared fixtures: a workspace with one member per role, and an outsider in a second workspace."""

import os
import re
from collections.abc import Callable, Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User, Workspace
from accounts.roles import Role
from config.celery import app as celery_app

from .factories import MembershipFactory, UserFactory, WorkspaceFactory

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.worker"]

# Under pytest-xdist (`make test` runs two processes), the tests whose timings are tight (crashes,
# leases, quiet windows of seconds) run one after another in one group, so that two of them never
# compete for the two cores; the other tests that start workers, browsers or servers stay together
# by module, and the rest are shared out one by one.
TIMING_MODULES = {"test_crash.py", "test_worker.py", "test_concurrency.py", "test_controls.py",
                  "test_quiet_hours.py", "test_noisy_neighbour.py"}  # fmt: skip
HEAVY_MARKERS = {"worker", "browser"}
HEAVY_FOLDERS = {"sqlite", "browser"}


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist every worker process gets Redis databases of its own, as it gets a test
    database of its own: a cache cleared or a queue purged by one never touches the other."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    from django.conf import settings

    index = int(worker.removeprefix("gw"))
    for name, base in (("CELERY_BROKER_URL", 10), ("REDIS_URL", 11)):
        url = os.environ.get(name, "")
        if re.search(r"^redis://.*/\d+$", url):
            url = re.sub(r"/\d+$", f"/{base + 2 * index}", url)
            os.environ[name] = url  # for the workers and servers the tests start
            setattr(settings, name, url)
    if settings.REDIS_URL.startswith("redis://"):
        settings.CACHES["default"]["LOCATION"] = settings.REDIS_URL
    celery_app.conf.broker_url = settings.CELERY_BROKER_URL


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        heavy = HEAVY_MARKERS & {m.name for m in item.iter_markers()}
        if item.path.name in TIMING_MODULES and heavy:
            item.add_marker(pytest.mark.xdist_group("timing"))
        elif heavy or item.path.parent.name in HEAVY_FOLDERS:
            item.add_marker(pytest.mark.xdist_group(str(item.path)))


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


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Django's LocaleMiddleware activates each request's language on the thread and leaves it
    there (the next request activates its own). A test client's request with a Welsh cookie would
    otherwise make whatever test runs next on the thread speak Welsh."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_mail_limits() -> None:
    """The sign-up and reset mail limits count in the cache, across tests and runs otherwise."""
    cache.clear()


SIGNUP_PASSWORD = "correct horse battery"


def signup_link(email: str) -> str:
    """The finishing link of the last sign-up mail to `email` (the locmem outbox)."""
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    return next(word for word in message.body.split() if "/accounts/signup/" in word)


@pytest.fixture
def sign_up() -> Callable[..., HttpResponse]:
    """Both steps of signing up with the test client: the form, then the mailed link."""

    def run(client: Client, password: str = SIGNUP_PASSWORD, **fields: str):  # noqa: ANN202
        data = {"name": "Ann Lee", "email": "ann@example.com", "workspace_name": "Acme Ltd"}
        data.update(fields)
        client.post(reverse("accounts:signup"), data)
        link = signup_link(data["email"].strip().lower())
        return client.post(link, {"password": password})

    return run


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Run queued tasks inline, in whichever thread queues them (the live server's too); the
    worker tests use a real worker instead."""
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False
