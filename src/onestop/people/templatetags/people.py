from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def free(allocated):
    """The free capacity (%) beside an allocation."""
    return max(0, 100 - int(allocated or 0))
