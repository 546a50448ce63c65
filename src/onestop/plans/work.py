"""Plan versions waiting for the user appear on "My work": to review, to approve, to revise."""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.roles import Role
from onestop.core.work import WorkItem, register
from onestop.plans.models import PlanReview, PlanVersion


@register
def plans_waiting(user):
    if user.client_organization_id is not None:
        return []
    items = []
    base = PlanVersion.objects.select_related("plan")
    if user.has_role(Role.REVIEWER):
        mine = PlanReview.objects.filter(version=OuterRef("pk"), reviewer=user)
        for version in base.filter(state=PlanVersion.State.IN_REVIEW, reviewers=user).exclude(Exists(mine))[
            :50
        ]:
            items.append(
                WorkItem(
                    title=f"{version} {version.plan.title}",
                    url=version.get_absolute_url(),
                    kind=_("Plan review"),
                    since=version.submitted_at,
                    due=version.review_due,
                    icon="clipboard-check",
                    overdue=bool(version.review_due and version.review_due < timezone.now()),
                )
            )
    if user.has_role(Role.MANAGEMENT):
        for version in base.filter(state=PlanVersion.State.PASSED)[:50]:
            items.append(
                WorkItem(
                    title=f"{version} {version.plan.title}",
                    url=version.get_absolute_url(),
                    kind=_("Plan approval"),
                    since=version.decided_at,
                    icon="patch-check",
                )
            )
    # The project lead's own drafts and versions to revise are the engagement's ball
    # (engagements/ball.py: "Write the plan…", "Revise the plan"), listed by its hand-offs.
    return items
