from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contacts.privacy import register_holder

        from .privacy import holder

        register_holder(holder)  # this app's share of subject access, erasure and retention
