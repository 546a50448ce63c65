from django import template

from onestop.core.forms import bootstrapify

register = template.Library()


@register.simple_tag
def item_form(item):
    """The answer form of one checklist item, with ids unique on the page."""
    from onestop.quality.forms import InspectionItemForm

    return bootstrapify(InspectionItemForm(instance=item, auto_id=f"id_item{item.pk}_%s"))


@register.simple_tag
def notice_forms():
    from onestop.quality.forms import NoticeResponseForm, NoticeVerifyForm

    return {"respond": bootstrapify(NoticeResponseForm()), "verify": bootstrapify(NoticeVerifyForm())}


@register.simple_tag
def check_form():
    from onestop.quality.forms import ActionCheckForm

    return bootstrapify(ActionCheckForm())
