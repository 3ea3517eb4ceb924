"""Tenancy helpers: every tenant-owned query starts from a workspace."""

from collections.abc import Callable, Iterable
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


def workspace_row(
    workspace: "Workspace", related_name: str, read: Callable[[], models.Model | None]
) -> models.Model | None:
    """The workspace's one row behind the one-to-one `related_name` (its gateway connection, API
    limits, approval policy...): the one loaded with the workspace when the request's own look-up
    joined it (`preload_rows`), else `read()` now. Only a workspace so marked is trusted: any
    other may have lived long enough for the row to change."""
    if related_name in getattr(workspace, "preloaded_rows", ()):
        return workspace._state.fields_cache.get(related_name)
    return read()


def preload_rows(workspace: "Workspace", related_names: Iterable[str]) -> None:
    """Mark rows joined to this request's workspace by `select_related` as current for it."""
    workspace.preloaded_rows = frozenset(related_names)
