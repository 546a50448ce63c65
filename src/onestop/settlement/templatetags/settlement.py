from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def bucket(values, key):
    """``{{ row.buckets|bucket:"1_30" }}``: one ageing bucket of a row."""
    return values.get(key, 0) if hasattr(values, "get") else 0


@register.filter
def money(value):
    """An amount with thousands separators and two decimals (``1,234.50``); empty stays empty."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(value):,.2f}"
    except (ArithmeticError, TypeError, ValueError):
        return value
