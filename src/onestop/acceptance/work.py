"""Acceptance waiting for the user on "My work" (ACC-1..3).

Client team members: rounds to prepare, results to record, reports to sign. Staff: the
rectification tasks they own and the completed projects they lead that have no round yet.
A fixed number of queries whatever the number of rows.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.acceptance.models import AcceptanceProblem, AcceptanceRound, AcceptanceTeamMember, Conclusion
from onestop.core.roles import Role
from onestop.core.work import WorkItem, register
from onestop.projects.models import Project


@register
def acceptance_waiting(user):
    if not getattr(user, "is_authenticated", False):
        return []
    if user.client_organization_id is not None:
        return _client_items(user)
    return _staff_items(user)


def _client_items(user):
    items = []
    rounds = (
        AcceptanceRound.objects.visible_to(user)
        .filter(state__in=[AcceptanceRound.State.APPLIED, AcceptanceRound.State.IN_ACCEPTANCE])
        .select_related("project", "milestone")
        .annotate(on_team=Exists(AcceptanceTeamMember.objects.filter(round=OuterRef("pk"), user=user)))
    )
    for acceptance_round in rounds[:50]:
        if acceptance_round.state == AcceptanceRound.State.APPLIED:
            kind = _("Prepare the acceptance") if acceptance_round.on_team else _("Name the acceptance team")
            icon = "list-check"
        elif not acceptance_round.on_team:
            continue
        elif acceptance_round.report_conclusion == Conclusion.PASS:
            kind, icon = _("Sign the acceptance report"), "pen"
        else:
            kind, icon = _("Record the acceptance results"), "check2-square"
        items.append(
            WorkItem(
                title=f"{acceptance_round} {acceptance_round.project.name}",
                url=acceptance_round.get_absolute_url(),
                kind=kind,
                since=acceptance_round.started_at or acceptance_round.applied_at,
                icon=icon,
            )
        )
    return items


def _staff_items(user):
    items = []
    today = timezone.localdate()
    problems = (
        AcceptanceProblem.objects.filter(
            owner=user, state=AcceptanceProblem.State.OPEN, round__state=AcceptanceRound.State.FAILED
        )
        .select_related("round__project")
        .order_by("due_date", "pk")
    )
    for problem in problems[:50]:
        items.append(
            WorkItem(
                title=f"{problem.round}：{problem.description[:60]}",
                url=problem.get_absolute_url(),
                kind=_("Rectification"),
                since=problem.round.concluded_at,
                due=_end_of(problem.due_date),
                icon="wrench-adjustable",
                overdue=bool(problem.due_date and problem.due_date < today),
            )
        )
    if user.has_role(Role.PROJECT_LEAD) or user.has_role(Role.MANAGEMENT):
        any_round = AcceptanceRound.objects.filter(project=OuterRef("pk"), milestone__isnull=True)
        projects = Project.objects.filter(state=Project.State.COMPLETED).exclude(Exists(any_round))
        if not user.has_role(Role.MANAGEMENT):
            projects = projects.filter(project_lead=user)
        for project in projects.order_by("pk")[:50]:
            items.append(
                WorkItem(
                    title=str(project),
                    url=f"{_apply_url()}?project={project.pk}",
                    kind=_("Apply for acceptance"),
                    since=project.updated_at,
                    icon="clipboard2-check",
                )
            )
    return items


def _apply_url():
    return reverse("acceptance:acceptanceround_add")


def _end_of(day):
    if day is None:
        return None

    return timezone.make_aware(datetime.combine(day, datetime.max.time().replace(microsecond=0)))
