"""Re-encrypt every encrypted column with the newest key of FIELD_ENCRYPTION_KEYS.

Rotate by putting a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), run this
command, then drop the old keys.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import crypto
from accounts.audit import audit_record

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the newest FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = [
                f for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedTextField)
            ]
            if not fields:
                continue
            names = [f.attname for f in fields]
            count = self._rotate(model, names)
            total += count
            self.stdout.write(
                f"{model._meta.label}: {count} rows re-encrypted ({', '.join(names)})"
            )
        audit_record("encryption_keys_rotated", rows=total)
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows."))

    def _rotate(self, model: Any, names: list[str]) -> int:
        # Loading decrypts with any configured key; saving encrypts with the newest.
        count = 0
        pks = list(model._base_manager.values_list("pk", flat=True).order_by("pk"))
        for start in range(0, len(pks), BATCH):
            with transaction.atomic():
                for obj in model._base_manager.filter(pk__in=pks[start : start + BATCH]):
                    obj.save(update_fields=names)
                    count += 1
        return count
