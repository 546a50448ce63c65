"""The plan card on the engagement page (PLN-1, X-1)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def engagement_plan(context, engagement):
    from onestop.engagements.models import Engagement
    from onestop.plans.models import Plan

    user = context["request"].user
    if user.client_organization_id is not None or not user.has_perm("plans.view_plan"):
        return None
    plan = (
        Plan.objects.visible_to(user)
        .filter(engagement=engagement)
        .select_related("project_lead", "effective_version")
        .first()
    )
    context["can_open_plan"] = (
        plan is None and engagement.stage == Engagement.Stage.CONFIRMED and user.has_perm("plans.add_plan")
    )
    return plan
