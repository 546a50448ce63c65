"""How a model value is shown to a person: labels, choices, dates, booleans, money."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html, strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from onestop.core.roles import role_label

EMPTY = "—"


def model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model, name: str) -> str:
    field = model_field(model, name)
    if field is not None and hasattr(field, "verbose_name"):
        return capfirst(str(field.verbose_name))
    attr = getattr(model, name, None)
    label = getattr(attr, "short_description", None) or getattr(
        getattr(attr, "fget", None), "short_description", None
    )
    return capfirst(str(label)) if label else capfirst(name.replace("_", " "))


def format_value(value, field=None):
    """A plain value as text (HTML-escaped by the caller's template machinery)."""
    if value is None or value == "":
        return EMPTY
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return format_html(
            '<i class="bi bi-{}" aria-hidden="true"></i> {}',
            "check-circle-fill text-success" if value else "dash-circle text-secondary",
            _("Yes") if value else _("No"),
        )
    if isinstance(value, Group):
        return role_label(value.name)  # roles are groups named by code
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if hasattr(value, "isoformat"):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return f"{value:,.2f}"  # amounts always grouped by thousands, whatever the locale's format
    if hasattr(value, "all") and callable(value.all):
        items = [str(item) for item in value.all()]
        return "、".join(items) if items else EMPTY
    return value


def display_value(obj, name: str):
    """The value of ``name`` on ``obj`` (a field, a property or a method) ready for display."""
    field = model_field(type(obj), name)
    if field is not None and field.is_relation and (field.many_to_one or field.one_to_one):
        return format_value(getattr(obj, name, None))
    if field is not None and getattr(field, "choices", None):
        return format_value(getattr(obj, f"get_{name}_display")())
    value = obj
    for part in name.split("__"):
        value = getattr(value, part, None)
        if value is None:
            break
        if callable(value) and not hasattr(value, "all"):
            value = value()
    return format_value(value, field)


def plain_value(obj, name: str):
    """The value of ``name`` on ``obj`` for a spreadsheet: what the page shows, as data.

    Choices give their label, records their name, yes/no a word; dates, times and amounts stay
    dates, times (local, as the page shows them) and ``Decimal`` so Excel can sort and add
    them; nothing is HTML. An empty value is ``None``."""
    field = model_field(type(obj), name)
    if field is not None and getattr(field, "choices", None) and "__" not in name:
        value = getattr(obj, f"get_{name}_display")()
    else:
        value = obj
        for part in name.split("__"):
            value = getattr(value, part, None)
            if value is None:
                break
            if callable(value) and not hasattr(value, "all"):
                value = value()
        if field is not None and getattr(field, "choices", None) and value is not None:
            value = dict(field.flatchoices).get(value, value)
    if value is None or value == "" or value == EMPTY:
        return None
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, Group):
        return str(role_label(value.name))
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if value.tzinfo else value
    if hasattr(value, "isoformat") or isinstance(value, Decimal | int | float):
        return value
    if hasattr(value, "all") and callable(value.all):
        return "、".join(str(item) for item in value.all()) or None
    return strip_tags(str(value))
