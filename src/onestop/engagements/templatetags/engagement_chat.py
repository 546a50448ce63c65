"""``{% chat_panel engagement %}``: the engagement's chat with the client (INT-1)."""

from django import template

register = template.Library()


@register.inclusion_tag("engagements/_chat_panel.html", takes_context=True)
def chat_panel(context, engagement):
    from onestop.engagements.views_intake import chat_context

    request = context["request"]
    return {**chat_context(request, engagement), "csrf_token": context.get("csrf_token"), "request": request}
