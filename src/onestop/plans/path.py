"""The plan on the engagement's path (PLN-1..3, X-1): when it started and was approved, and who
holds the ball until it is — the lead writing or revising, the review panel, management.

Every stage's ``path.py`` has the same parts, read by engagements/path.py and engagements/ball.py
through the stage registry (core/stages.py):

- ``PHASE``, ``LABEL``: the phase's slug and name on the path;
- ``span(engagement)``: ``(started, ended)``, None where not yet;
- ``done()``: an ``Exists`` over the engagement (``OuterRef("pk")``) true once the phase is
  complete, or None for the last phase (it ends when the engagement closes);
- ``fetch(pks)``: ``{engagement pk: row}`` for many engagements in a fixed number of queries;
- ``waiting(engagement, rows, since)``: the ``Ball`` while the phase waits for someone, else
  ``Done(at)`` — the moment the next phase's first step began to wait. ``rows`` holds every
  phase's row of this engagement, by phase.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core.roles import Role
from onestop.engagements.ball import Ball, Done
from onestop.plans.models import Plan, PlanReview, PlanVersion
from onestop.plans.states import PlanVersionState as State

PHASE = "plan"
LABEL = gettext_lazy("Service plan")


def span(engagement):
    plan = Plan.objects.filter(engagement=engagement).first()
    if plan is None:
        return None, None
    first_approval = (
        PlanVersion.objects.filter(plan=plan, approved_at__isnull=False)
        .order_by("approved_at")
        .values_list("approved_at", flat=True)
        .first()
    )
    return plan.created_at, first_approval


def done():
    return Exists(Plan.objects.filter(engagement=OuterRef("pk"), effective_version__isnull=False))


def fetch(pks) -> dict:
    """Each engagement's plan with its latest version's number, state and times, and — for a
    version in review — ``panel``: the reviewers who have not given their review yet."""
    latest = PlanVersion.objects.filter(plan=OuterRef("pk")).order_by("-number")
    plans = {
        plan.engagement_id: plan
        for plan in Plan.objects.filter(engagement_id__in=pks)
        .select_related("project_lead")
        .annotate(
            latest_pk=Subquery(latest.values("pk")[:1]),
            latest_number=Subquery(latest.values("number")[:1]),
            latest_state=Subquery(latest.values("state")[:1]),
            latest_created=Subquery(latest.values("created_at")[:1]),
            latest_submitted=Subquery(latest.values("submitted_at")[:1]),
            latest_decided=Subquery(latest.values("decided_at")[:1]),
            latest_approved=Subquery(latest.values("approved_at")[:1]),
        )
    }
    in_review = {plan.latest_pk: plan for plan in plans.values() if plan.latest_state == State.IN_REVIEW}
    for plan in in_review.values():
        plan.panel = set()
    if in_review:
        through = PlanVersion.reviewers.through.objects.filter(planversion_id__in=list(in_review))
        for version_id, user_id in through.values_list("planversion_id", "user_id"):
            in_review[version_id].panel.add(user_id)
        # A reviewer who has given their review waits no more.
        reviews = PlanReview.objects.filter(version_id__in=list(in_review))
        for version_id, user_id in reviews.values_list("version_id", "reviewer_id"):
            in_review[version_id].panel.discard(user_id)
    return plans


def waiting(engagement, rows, since):
    plan = rows[PHASE]
    if plan is None:
        return Ball.to_start(
            _("Start the service plan and appoint its project lead"),
            since,
            "plans:plan_add",
            for_={"engagement": engagement.pk},
            role=Role.MANAGEMENT,
        )
    # Approved once, the path goes on with the contract; a later revision of the plan (a change
    # request) is the lead's work beside it (plans/work.py).
    if plan.effective_version_id is not None or plan.latest_state == State.APPROVED:
        return Done(plan.latest_approved or plan.updated_at)
    # A version is shown on its plan's page (as PlanVersion.get_absolute_url).
    url = plan.get_absolute_url() + (f"#version-{plan.latest_number}" if plan.latest_number else "")
    if plan.latest_state == State.IN_REVIEW:
        return Ball(
            _("Review the plan"),
            plan.latest_submitted,
            url,
            role=Role.REVIEWER,
            members=frozenset(plan.panel),
        )
    if plan.latest_state == State.PASSED:
        return Ball(_("Approve the plan"), plan.latest_decided, url, role=Role.MANAGEMENT)
    step = {
        State.REVISE: _("Revise the plan"),
        State.REJECTED: _("Start a new version of the rejected plan"),
    }.get(plan.latest_state, _("Write the plan and submit it for review"))
    started = plan.latest_decided or plan.latest_created or plan.created_at
    return Ball(step, started, url, person=plan.project_lead, role=Role.PROJECT_LEAD)
