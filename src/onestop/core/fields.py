"""Model fields that recur in every app."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def actor_field(verbose_name, *, null: bool = True, related_name: str = "+", editable: bool = False):
    """The person who did a step (drafted, passed, archived, verified…): set by the service, not by
    a form, kept when the person leaves (PROTECT: staff who acted are deactivated, not deleted)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=null,
        blank=null,
        on_delete=models.PROTECT,
        related_name=related_name,
        editable=editable,
    )
