from django import template

register = template.Library()


@register.filter
def item(mapping, key):
    """``mapping[key]`` in a template (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def offered(forms, steps):
    """The ``(step, form)`` pairs of the steps whose form the page offers now."""
    return [(step, forms[step.key]) for step in steps if forms and step.key in forms]
