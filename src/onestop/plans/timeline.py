"""Plan events for the engagement's timeline (X-1): every version, review outcome and approval."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.engagements.records import records_of
from onestop.engagements.states import EngagementStage
from onestop.plans.models import Plan, PlanVersion


def plan_events(engagement, user) -> list[dict]:
    """Events as keyword dicts for engagements.timeline.Event; staff only, three queries."""
    if user.client_organization_id is not None or not user.has_perm("plans.view_plan"):
        return []

    plan = Plan.objects.filter(engagement=engagement).first()
    if plan is None:
        return []
    events = []
    versions = plan.versions.select_related("author").prefetch_related("approvals__approver", "reviews")
    for version in versions:
        events.append(
            {
                "at": version.created_at,
                "kind": "plan",
                "title": _("Service plan %(version)s drafted") % {"version": version},
                "who": version.author,
                "detail": version.change_note,
                "icon": "journal-text",
            }
        )
        if version.decided_at:
            passed = version.state not in (version.State.REVISE,)
            events.append(
                {
                    "at": version.decided_at,
                    "kind": "plan_review",
                    "title": (
                        _("Plan review of %(version)s: passed (weighted mean %(mean)s)")
                        if passed
                        else _("Plan review of %(version)s: to be revised (weighted mean %(mean)s)")
                    )
                    % {"version": version, "mean": version.weighted_mean},
                    "detail": " ".join(version.decision_reasons),
                    "icon": "clipboard-check",
                }
            )
        for approval in version.approvals.all():
            events.append(
                {
                    "at": approval.approved_at,
                    "kind": "plan_approval",
                    "title": _("Plan approval of %(version)s, level %(level)s")
                    % {"version": version, "level": approval.level},
                    "who": approval.approver,
                    "detail": approval.comment,
                    "icon": "patch-check",
                }
            )
    return events


def plan_card(engagement, user) -> dict:
    """The service-plan card of the engagement page (PLN-1, X-1): the plan, or whether the user
    may open one now. Staff with access to plans only; one query."""
    if user.client_organization_id is not None or not user.has_perm("plans.view_plan"):
        return {"service_plan": None, "can_open_plan": False}
    plan = (
        Plan.objects.visible_to(user)
        .filter(engagement=engagement)
        .select_related("project_lead", "effective_version")
        .first()
    )
    can_open = (
        plan is None and engagement.stage == EngagementStage.CONFIRMED and user.has_perm("plans.add_plan")
    )
    return {"service_plan": plan, "can_open_plan": can_open}


def records(engagement, user) -> list:
    """The plan and its versions on the engagement's "Records of this engagement" panel
    (engagements/records.py); what the user may see, two queries."""
    return [
        *records_of(Plan, user, engagement=engagement, icon="journal-text"),
        *records_of(
            PlanVersion,
            user,
            plan__engagement=engagement,
            select_related=("plan",),
            order_by=("number",),
            icon="journal",
        ),
    ]
