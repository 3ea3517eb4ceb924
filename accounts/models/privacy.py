"""Data protection per workspace: how long personal data is kept, and the numbers of people who
were erased (as keyed hashes only, so that an erased person who had opted out stays opted out)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..tenancy import WorkspaceScopedManager
from .users import Workspace

DEFAULT_KEEP_MONTHS = 24


class PrivacySettings(models.Model):
    """Retention: message bodies and numbers, report snapshots and import files older than
    `keep_months` are purged by the beat task (counts stay). The operator may cap the setting."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="privacy")
    keep_months = models.PositiveSmallIntegerField(
        _("keep messages for (months)"), default=DEFAULT_KEEP_MONTHS
    )
    max_keep_months = models.PositiveSmallIntegerField(
        _("longest the workspace may choose (months)"),
        null=True,
        blank=True,
        help_text=_("Set by the operator; blank: no maximum."),
    )
    last_purge_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_purge_counts = models.JSONField(default=dict, blank=True, editable=False)

    objects = WorkspaceScopedManager()

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return f"{self.workspace}: {self.effective_months} months"

    @property
    def effective_months(self) -> int:
        """The months actually kept: the workspace's choice within the operator's maximum."""
        if self.max_keep_months:
            return min(self.keep_months, self.max_keep_months)
        return self.keep_months


class ErasedNumber(models.Model):
    """A person erased from the workspace: their number only as a keyed hash, and whether they
    must still never be sent to (they had opted out or were suppressed)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    number_hash = models.CharField(max_length=64)
    opted_out = models.BooleanField(default=False)
    erased_at = models.DateTimeField(default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    counts = models.JSONField(default=dict, blank=True)  # rows removed or scrubbed, per kind

    objects = WorkspaceScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number_hash"], name="erased_unique")
        ]
        verbose_name = _("erased person")
        verbose_name_plural = _("erased people")

    def __str__(self) -> str:
        return f"{self.number_hash[:12]}… erased {self.erased_at:%Y-%m-%d}"
