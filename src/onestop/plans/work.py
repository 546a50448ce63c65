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
    # Until the plan is approved, the lead's drafts and versions to revise are the engagement's
    # ball (engagements/ball.py: "Write the plan…", "Revise the plan"), listed by its hand-offs;
    # a new version of an approved plan (a change) is work beside the path, listed here.
    newer = PlanVersion.objects.filter(plan=OuterRef("plan"), number__gt=OuterRef("number"))
    revising = base.filter(
        plan__project_lead=user,
        plan__effective_version__isnull=False,
        state__in=[PlanVersion.State.DRAFT, PlanVersion.State.REVISE],
    ).exclude(Exists(newer))
    for version in revising[:50]:
        items.append(
            WorkItem(
                title=f"{version} {version.plan.title}",
                url=version.get_absolute_url(),
                kind=_("Revise the plan"),
                since=version.decided_at or version.created_at,
                icon="journal-text",
            )
        )
    return items
