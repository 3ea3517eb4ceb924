"""Create (idempotently) the demo user and workspace, wired to a sandbox gateway account."""

from io import StringIO
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import GatewayConnection, Membership, User, Workspace
from accounts.roles import Role

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105  (printed for the local demo on purpose)
DEMO_SLUG = "demo"
DEMO_SANDBOX_USER = "demo"
DEMO_CREDITS = 1000
DEMO_VMN = "447700900500"  # texts to it are forwarded to the demo workspace's inbox


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
        self._connect_sandbox(workspace, options["url"])
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo ready: open {options['url']}/ and log in as "
                f"{DEMO_EMAIL} / {DEMO_PASSWORD}\n"
            )
        )

    def _demo_vmn(self, workspace: Workspace, url: str) -> list[str]:
        """The demo VMN in the inbox, and the sandbox arguments that forward texts to it."""
        vmn_model = apps.get_model("inbound", "VirtualNumber")
        vmn, _ = vmn_model.objects.get_or_create(
            workspace=workspace, number="+" + DEMO_VMN, defaults={"label": "Demo VMN"}
        )
        endpoint = reverse("inbound_endpoint:receive", kwargs={"key": vmn.key})
        return ["--vmn", DEMO_VMN, "--forward-url", url.rstrip("/") + endpoint,
                "--forward-method", vmn.method, f"--forward-auth={vmn.auth}"]  # fmt: skip

    def _connect_sandbox(self, workspace: Workspace, url: str) -> None:
        if not settings.SANDBOX_ENABLED:
            self.stdout.write("Sandbox disabled: the demo workspace has no gateway account.")
            return
        vmn_args = self._demo_vmn(workspace, url)
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
                *vmn_args,
                stdout=out,
            )
        except CommandError as exc:
            self.stderr.write(f"Could not create the sandbox account: {exc}")
            return
        token = out.getvalue().strip()
        # The account was created with these credits just now: that is its balance.
        GatewayConnection.objects.create(
            workspace=workspace,
            token=token,
            is_admin_account=True,
            balance=DEMO_CREDITS,
            balance_checked_at=timezone.now(),
            check_state="ok",
        )
        self.stdout.write(
            f"Sandbox account '{DEMO_SANDBOX_USER}' with {DEMO_CREDITS} credits connected."
        )
