"""Small helpers of the cost templates."""

from django import template

from onestop.costs.models import Category

register = template.Library()


@register.simple_tag
def category_label(code: str) -> str:
    return str(dict(Category.choices).get(code, code))


@register.simple_tag
def field_of(row, name: str):
    """``row[name]`` for a dict, ``row.name`` for a record (a category's column)."""
    if isinstance(row, dict):
        return row.get(name)
    return getattr(row, name, None)
