"""Create (idempotently) the demo user and workspace, wired to a sandbox gateway account."""

from io import StringIO
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import GatewayConnection, Membership, User, Workspace
from accounts.roles import Role

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105  (printed for the local demo on purpose)
DEMO_SLUG = "demo"
DEMO_SANDBOX_USER = "demo"
DEMO_CREDITS = 1000


class Command(BaseCommand):
    help = "Create the demo user and workspace (and its sandbox gateway account)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default=settings.SITE_URL, help="Where the portal is served.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
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
        self._connect_sandbox(workspace)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo ready: open {options['url']}/ and log in as "
                f"{DEMO_EMAIL} / {DEMO_PASSWORD}\n"
            )
        )

    def _connect_sandbox(self, workspace: Workspace) -> None:
        if not settings.SANDBOX_ENABLED:
            self.stdout.write("Sandbox disabled: the demo workspace has no gateway account.")
            return
        if GatewayConnection.objects.for_workspace(workspace).exists():
            return
        out = StringIO()
        try:
            call_command(
                "sandbox_account",
                "create",
                DEMO_SANDBOX_USER,
                "--credits",
                str(DEMO_CREDITS),
                "--admin",
                stdout=out,
            )
        except CommandError as exc:
            self.stderr.write(f"Could not create the sandbox account: {exc}")
            return
        token = out.getvalue().strip()
        GatewayConnection.objects.create(workspace=workspace, token=token, is_admin_account=True)
        self.stdout.write(
            f"Sandbox account '{DEMO_SANDBOX_USER}' with {DEMO_CREDITS} credits connected."
        )
