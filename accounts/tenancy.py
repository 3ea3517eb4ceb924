"""Tenancy helpers: every tenant-owned query starts from a workspace."""

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from .models import Workspace


class WorkspaceQuerySet(models.QuerySet):
    def for_workspace(self, workspace: "Workspace") -> "WorkspaceQuerySet":
        if workspace is None or workspace.pk is None:
            raise ValueError("for_workspace() needs a saved workspace")
        return self.filter(workspace=workspace)


class WorkspaceScopedManager(models.Manager.from_queryset(WorkspaceQuerySet)):
    """Manager for models with a non-null `workspace` foreign key."""
