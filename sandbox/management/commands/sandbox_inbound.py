"""`manage.py sandbox_inbound --to VMN --from NUMBER --text TEXT`: a handset texts a VMN."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox import inbound


class Command(BaseCommand):
    # A script tool: other apps' check errors must not stop it.
    requires_system_checks: list[str] = []
    help = (
        "Make a handset text a VMN; prints the inbound message's id once the first forwarding "
        "attempt is made (later retries run in whichever process serves the sandbox next)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, help="the VMN")
        parser.add_argument("--from", dest="sender", required=True, help="the handset's number")
        parser.add_argument("--text", required=True)
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: object, **options: object) -> None:
        try:
            message = inbound.receive(
                to=str(options["to"]),
                sender=str(options["sender"]),
                text=str(options["text"]),
                start_forwarding=False,
            )
        except inbound.InboundError as exc:
            raise CommandError(str(exc)) from None
        if message.forward_state == message.FORWARD_PENDING:
            # The first attempt runs here; its retries are left to the serving process.
            inbound.forward_once(message.pk)
        self.stdout.write(str(message.pk))
