"""Template filters of the generic list: ``{% load listing %}``."""

from django import template

register = template.Library()


@register.filter
def item(sequence, index):
    """``columns|item:forloop.counter0`` — the column of a row's cell (its label on a phone's card)."""
    try:
        return sequence[index]
    except (IndexError, KeyError, TypeError):
        return None
