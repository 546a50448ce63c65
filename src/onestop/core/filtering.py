"""Bounds for the numbers typed into list filters, for the pages and the API alike.

django-filter's ``NumberFilter`` takes any decimal: ``?round=-1e309`` reached SQLite as an
integer too large for it (OverflowError → 500) and ``?year=0`` a year no date has. Every number
filter is held to what its column can hold; a year to 1–9999. Out of range is a form error: the
API answers 400, a list page shows the message next to the filter.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django_filters import NumberFilter

LARGEST = 2**63 - 1  # a 64-bit column, the widest either database stores


def bounded(filterset):
    """``filterset`` with every number filter's form field limited (changes it in place)."""
    fields = filterset.form.fields
    for name, filter_ in filterset.filters.items():
        field = fields.get(name)
        if field is None:
            continue
        if isinstance(filter_, NumberFilter):
            low, high = (1, 9999) if filter_.lookup_expr in {"year", "iso_year"} else (-LARGEST, LARGEST)
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
        elif isinstance(field, forms.ModelChoiceField):
            field.to_python = _no_overflow(field)
    return filterset


def _no_overflow(field):
    """A choice of a related record looked up by a number the database cannot hold is simply
    not one of the choices (Django lets the OverflowError through)."""
    to_python = field.to_python

    def checked(value):
        try:
            return to_python(value)
        except OverflowError:
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice") from None

    return checked
