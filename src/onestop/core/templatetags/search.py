"""``highlight``: the words the user searched for, marked in a result (escaped first)."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def highlight(text, words):
    text = str(text or "")
    words = str(words or "").strip()
    if not words:
        return text
    pattern = re.compile(re.escape(words), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(conditional_escape(text[last : match.start()]))
        parts.append(mark_safe(f"<mark>{conditional_escape(match.group())}</mark>"))  # noqa: S308  escaped
        last = match.end()
    parts.append(conditional_escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308  every part is escaped above
