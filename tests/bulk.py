"""Many rows cheaply: ``make_many(instance, n)`` saves ``n`` copies of a record in one
``bulk_create``, for tests that only need the rows to exist (the "queries don't grow" tests).

A copy keeps every field value and foreign key of the original; fields that must be unique
(alone, in ``unique_together`` or in a ``UniqueConstraint``) get a distinct value: text gets a
suffix, a number or a date goes past the largest one saved. ``bulk_create`` skips ``save()``,
signals and history, so the copies have no history rows and no many-to-many links.

A record that cannot be copied this way (a one-to-one link, a unique foreign key, a unique
constraint on an expression, multi-table inheritance) raises ``CannotCopy``: make such rows one
by one.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Max
from django.utils import timezone


class CannotCopy(ValueError):
    pass


_TEXT = (models.CharField, models.TextField)
_NUMBER = (models.IntegerField, models.BigIntegerField, models.SmallIntegerField)


def _adjustable(field) -> bool:
    return not field.is_relation and isinstance(field, (*_TEXT, *_NUMBER, models.DateField))


def _unique_fields(model) -> set:
    """The fields to vary so that no copy collides with the original or another copy."""
    meta = model._meta
    groups = [(field.name,) for field in meta.concrete_fields if field.unique and not field.primary_key]
    groups += [tuple(names) for names in meta.unique_together]
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            if not constraint.fields:
                raise CannotCopy(f"{meta.label}: a unique constraint on an expression ({constraint.name})")
            groups.append(tuple(constraint.fields))
    chosen = set()
    for names in groups:
        fields = [meta.get_field(name) for name in names]
        if any(field in chosen for field in fields):
            continue
        adjustable = [field for field in fields if _adjustable(field)]
        if not adjustable:
            raise CannotCopy(f"{meta.label}: nothing to vary in the unique fields {names}")
        chosen.add(adjustable[0])
    return chosen


def _varied(model, field, value, index: int, start):
    if isinstance(field, _TEXT):
        suffix = f"~{index}"
        limit = field.max_length
        text = str(value or "")
        return (text[: limit - len(suffix)] if limit else text) + suffix
    if isinstance(field, models.DateTimeField):
        return start + datetime.timedelta(seconds=index)
    if isinstance(field, models.DateField):
        return start + datetime.timedelta(days=index)
    return start + index


def _start(model, field):
    """Past the largest saved value of a number or date field (text needs no start)."""
    if isinstance(field, _TEXT):
        return None
    largest = model._base_manager.aggregate(largest=Max(field.attname))["largest"]
    if largest is None:
        if isinstance(field, models.DateTimeField):
            return timezone.now()
        return timezone.localdate() if isinstance(field, models.DateField) else 0
    return largest


def make_many(instance: models.Model, n: int) -> list[models.Model]:
    """Save ``n`` copies of the saved record ``instance`` with one ``bulk_create``."""
    model = type(instance)
    meta = model._meta
    if meta.parents:
        raise CannotCopy(f"{meta.label}: multi-table inheritance cannot be bulk-created")
    if any(field.one_to_one or (field.is_relation and field.unique) for field in meta.concrete_fields):
        raise CannotCopy(f"{meta.label}: a one-to-one link cannot be shared by copies")
    vary = _unique_fields(model)
    starts = {field: _start(model, field) for field in vary}
    values = {
        field.attname: getattr(instance, field.attname)
        for field in meta.concrete_fields
        if not field.primary_key
    }
    copies = []
    for index in range(1, n + 1):
        fields = dict(values)
        for field in vary:
            fields[field.attname] = _varied(model, field, values[field.attname], index, starts[field])
        copies.append(model(**fields))
    return model._base_manager.bulk_create(copies)
