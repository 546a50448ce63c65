"""Model fields that recur in every app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import FSMField


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


class StateField(FSMField):
    """A record's workflow state: django-fsm's field, written to migrations as the plain
    ``CharField`` it is in the database.

    Why: every ``FSMField`` connects a ``class_prepared`` receiver when it joins a model class,
    and migrations render thousands of historical model classes. With ``FSMField`` in the
    migrations those receivers piled up and ``migrate`` (so every test database) spent minutes
    in signal dispatch. Transitions belong to the live models only; the migrations need the
    column, not the state machine.
    """

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("protected", None)
        return name, "django.db.models.CharField", args, kwargs
