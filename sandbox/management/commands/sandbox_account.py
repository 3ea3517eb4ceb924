"""`manage.py sandbox_account create USERNAME --credits N [--admin] [--vmn N --forward-url URL]`."""

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from sandbox import services


class Command(BaseCommand):
    # A script tool: other apps' check errors must not stop it.
    requires_system_checks: list[str] = []
    help = "Create a sandbox gateway account and print its token (and nothing else)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        create = sub.add_parser("create", help="create an account")
        create.add_argument("username")
        create.add_argument("--credits", default="0")
        create.add_argument("--admin", action="store_true")
        create.add_argument("--password", default="")
        create.add_argument("--vmn")
        create.add_argument("--forward-url")
        create.add_argument("--forward-method", default="POST", choices=["GET", "POST"])
        create.add_argument("--forward-auth", default="")

    def handle(self, *args: object, **options: object) -> None:
        try:
            credits = Decimal(str(options["credits"]))
        except InvalidOperation:
            raise CommandError("--credits must be a number") from None
        try:
            account = services.account_create(
                str(options["username"]),
                credits=credits,
                admin=bool(options["admin"]),
                vmn=options["vmn"] or None,  # type: ignore[arg-type]
                forward_url=options["forward_url"] or None,  # type: ignore[arg-type]
                forward_method=str(options["forward_method"]),
                forward_auth=str(options["forward_auth"]),
                password=str(options["password"]),
            )
        except (IntegrityError, services.VmnTaken):
            raise CommandError(f"username or VMN already taken: {options['username']}") from None
        self.stdout.write(account.token)
