"""Create (idempotently) the demo user and a demo workspace that looks used, on the sandbox."""

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.http import HttpRequest

from accounts import sandbox_gateway
from accounts.models import GatewayConnection, Membership, User, Workspace
from accounts.roles import Role
from accounts.services.gateway import GatewayChangeRefused
from config.celery import app as celery_app

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105  (printed for the local demo on purpose)
DEMO_SLUG = "demo"
DEMO_CREDITS = 1000
DEMO_VMN = "447700900500"  # texts to it are forwarded to the demo workspace's inbox


@contextlib.contextmanager
def _tasks_inline() -> Iterator[None]:
    """Run the tasks the services queue at once, in the thread that queues them: the demo is
    ready when the command ends, before any worker runs."""
    before = celery_app.conf.task_always_eager
    trace = logging.getLogger("celery.app.trace")  # a line per task would drown the summary
    level = trace.level
    celery_app.conf.task_always_eager = True
    trace.setLevel(logging.WARNING)
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = before
        trace.setLevel(level)


def _owner_request(user: User, workspace: Workspace) -> HttpRequest:
    """The demo owner acting in the demo workspace, as the services expect of a person."""
    request = HttpRequest()
    request.user = user
    request.workspace = workspace
    request.role = Role.OWNER
    return request


class Command(BaseCommand):
    help = (
        "Create the demo user and a demo workspace on the sandbox, with contacts, groups, an "
        "import, broadcasts, an inbox conversation, an opt-out and a report (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-activity",
            action="store_true",
            help="Only the user, the workspace and its sandbox account.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        user, workspace = self._user_and_workspace()
        if not sandbox_gateway.enabled():
            self.stdout.write("Sandbox disabled: the demo workspace has no gateway account.")
        else:
            self._on_the_sandbox(user, workspace, activity=not options["no_activity"])
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo ready in {time.monotonic() - started:.1f} s: open {settings.SITE_URL}/ "
                f"and log in as {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
            )
        )

    def _user_and_workspace(self) -> tuple[User, Workspace]:
        user, created = User.objects.get_or_create(email=DEMO_EMAIL, defaults={"name": "Demo User"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        workspace, _ = Workspace.objects.get_or_create(
            slug=DEMO_SLUG, defaults={"name": "Demo Workspace"}
        )
        Membership.objects.get_or_create(
            workspace=workspace, user=user, defaults={"role": Role.OWNER}
        )
        return user, workspace

    def _on_the_sandbox(self, user: User, workspace: Workspace, *, activity: bool) -> None:
        from accounts.management import demo_activity
        from accounts.management.portal_served import portal_served

        request = _owner_request(user, workspace)
        demo = demo_activity.Demo(workspace, request, say=self.stdout.write)
        with portal_served(settings.SITE_URL), _tasks_inline():
            if not self._connected(request):
                return
            if not activity:
                return
            demo_activity.contacts_and_groups(demo)
            demo_activity.finished_import(demo)
            demo_activity.broadcasts(demo)
            demo_activity.inbox(demo, DEMO_VMN)
            demo_activity.outcomes(demo)
            demo_activity.usage_report(demo)
            sandbox_gateway.sandbox_idle(10)

    def _connected(self, request: HttpRequest) -> bool:
        """The demo workspace on its sandbox account (made the first time, as "Use the
        sandbox" does, with the demo VMN)."""
        if GatewayConnection.objects.for_workspace(request.workspace).exists():
            return True
        try:
            sandbox_gateway.sandbox_connect(
                request=request, credits=DEMO_CREDITS, vmn_number=DEMO_VMN
            )
        except GatewayChangeRefused as exc:
            self.stderr.write(
                f"Could not connect the demo to the sandbox at {settings.SITE_URL}: {exc}"
            )
            return False
        self.stdout.write(
            f"Sandbox account with {DEMO_CREDITS} credits and the VMN +{DEMO_VMN} connected."
        )
        return True
