"""A workspace's connection to its Text-Connect account."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..crypto import EncryptedTextField
from ..tenancy import WorkspaceScopedManager
from .users import Workspace


class CheckState(models.TextChoices):
    IDLE = "idle", gettext_lazy("Not checked")
    CHECKING = "checking", gettext_lazy("Checking")
    OK = "ok", gettext_lazy("Connected")
    FAILED = "failed", gettext_lazy("Failed")


class GatewayConnection(models.Model):
    """A workspace's Text-Connect account: its token (encrypted) and the API URL."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="gateway")
    api_url = models.URLField(
        blank=True, help_text=gettext_lazy("Leave blank for the default gateway URL.")
    )
    token = EncryptedTextField()
    token_last4 = models.CharField(max_length=4, editable=False)
    is_admin_account = models.BooleanField(
        gettext_lazy("admin account"),
        default=False,
        help_text=gettext_lazy(
            "The account can create child users and move credits (reseller console)."
        ),
    )
    balance = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    balance_checked_at = models.DateTimeField(null=True, blank=True)
    check_state = models.CharField(
        max_length=10, choices=CheckState.choices, default=CheckState.IDLE
    )
    check_error = models.CharField(max_length=300, blank=True)
    low_balance_threshold = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Email the owners and show a banner when the balance falls below this."
        ),
    )
    low_balance_alerted = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedManager()

    def __str__(self) -> str:
        return f"Gateway of {self.workspace} (token …{self.token_last4})"

    def __repr__(self) -> str:
        return f"<GatewayConnection workspace={self.workspace_id} token=…{self.token_last4}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.token_last4 = (self.token or "")[-4:]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from ..gateway import api_url_allowed  # the door module imports the models

        if not api_url_allowed(self.effective_api_url):
            raise ValidationError({"api_url": _("Not one of the gateway URLs this portal allows.")})

    @property
    def effective_api_url(self) -> str:
        return self.api_url or settings.TEXTCONNECT_API_URL

    @property
    def is_low(self) -> bool:
        return (
            self.balance is not None
            and self.low_balance_threshold is not None
            and self.balance < self.low_balance_threshold
        )
