from django.apps import AppConfig


class InboundConfig(AppConfig):
    name = "inbound"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contacts.optouts import register_opt_out_source
        from contacts.privacy import register_holder
        from messaging.services.marketing import register_reply_number_source

        from .optouts import pending_opt_outs, reply_numbers
        from .privacy import holder

        register_opt_out_source(pending_opt_outs)
        register_reply_number_source(reply_numbers)
        register_holder(holder)  # the inbox's share of subject access, erasure and retention
