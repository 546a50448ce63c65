"""What the people chapter asks of each user on "My work" (a fixed number of queries).

Employees: self-assessments to write, appraisals to read, trainings coming up, certificates
expiring. Superiors: appraisals to score, enrolments to approve, improvement plans to follow.
HR: appeals and read appraisals to close. Management: result actions to approve.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.work import WorkItem, register
from onestop.people import rules as r
from onestop.people.access import supervised_departments
from onestop.people.models import Appraisal, Enrolment, ImprovementPlan, ResultAction
from onestop.people.services import expiring_certificates
from onestop.people.states import AppraisalState, EnrolmentState

LIMIT = 50
UPCOMING_DAYS = 14


def _due(cycle):
    if cycle.due_on is None:
        return None
    return timezone.make_aware(datetime.combine(cycle.due_on, time.max))


@register
def people_waiting(user):
    if user.client_organization_id is not None:
        return []
    items = []
    now = timezone.now()
    today = timezone.localdate()
    mine = Appraisal.objects.filter(
        employee=user, state__in=[AppraisalState.SELF_ASSESSMENT, AppraisalState.EMPLOYEE_REVIEW]
    ).select_related("cycle")
    for appraisal in mine[:LIMIT]:
        to_read = appraisal.state == AppraisalState.EMPLOYEE_REVIEW
        due = _due(appraisal.cycle)
        items.append(
            WorkItem(
                title=str(appraisal.cycle),
                url=appraisal.get_absolute_url(),
                kind=_("Appraisal to read") if to_read else _("Self-assessment to write"),
                since=appraisal.scored_at if to_read else appraisal.created_at,
                due=due,
                icon="clipboard-data",
                overdue=bool(due and due < now),
            )
        )
    for appraisal in Appraisal.objects.filter(superior=user, state=AppraisalState.SCORING).select_related(
        "cycle", "employee"
    )[:LIMIT]:
        due = _due(appraisal.cycle)
        items.append(
            WorkItem(
                title=str(appraisal),
                url=appraisal.get_absolute_url(),
                kind=_("Appraisal to write"),
                since=appraisal.self_assessed_at or appraisal.created_at,
                due=due,
                icon="pencil-square",
                overdue=bool(due and due < now),
            )
        )
    if r.sees_all_people(user):
        for appraisal in Appraisal.objects.filter(
            state__in=[AppraisalState.APPEALED, AppraisalState.ACKNOWLEDGED]
        ).select_related("cycle", "employee")[:LIMIT]:
            appealed = appraisal.state == AppraisalState.APPEALED
            items.append(
                WorkItem(
                    title=str(appraisal),
                    url=appraisal.get_absolute_url(),
                    kind=_("Appeal to decide") if appealed else _("Appraisal to close"),
                    since=appraisal.appealed_at if appealed else appraisal.read_at,
                    icon="exclamation-diamond" if appealed else "lock",
                )
            )
    if r.can_decide_action(user):
        for action in ResultAction.objects.filter(state=ResultAction.State.PROPOSED).select_related(
            "employee"
        )[:LIMIT]:
            items.append(
                WorkItem(
                    title=str(action),
                    url=action.get_absolute_url(),
                    kind=_("Result action to approve"),
                    since=action.created_at,
                    icon="award",
                )
            )
    approvable = Enrolment.objects.filter(state=EnrolmentState.REQUESTED)
    if not r.sees_all_people(user):
        approvable = approvable.filter(employee__department_id__in=supervised_departments(user)).exclude(
            employee=user
        )
    for enrolment in approvable.select_related("employee", "session__course")[:LIMIT]:
        items.append(
            WorkItem(
                title=str(enrolment),
                url=enrolment.get_absolute_url(),
                kind=_("Training request to approve"),
                since=enrolment.created_at,
                icon="journal-check",
            )
        )
    for enrolment in Enrolment.objects.filter(
        employee=user,
        state=EnrolmentState.ENROLLED,
        session__starts_on__range=(today, today + timedelta(days=UPCOMING_DAYS)),
    ).select_related("session__course")[:LIMIT]:
        items.append(
            WorkItem(
                title=str(enrolment.session),
                url=enrolment.get_absolute_url(),
                kind=_("Training due"),
                due=timezone.make_aware(datetime.combine(enrolment.session.starts_on, time.min)),
                icon="mortarboard",
            )
        )
    for enrolment in expiring_certificates(today).filter(employee=user)[:LIMIT]:
        items.append(
            WorkItem(
                title=_("Certificate %(course)s expires on %(date)s")
                % {
                    "course": enrolment.session.course,
                    "date": enrolment.certificate_expires_on.strftime("%Y-%m-%d"),
                },
                url=enrolment.get_absolute_url(),
                kind=_("Certificate expiring"),
                icon="hourglass-split",
            )
        )
    for plan in ImprovementPlan.objects.filter(
        superior=user, state=ImprovementPlan.State.ACTIVE
    ).select_related("employee")[:LIMIT]:
        due = timezone.make_aware(datetime.combine(plan.ends_on, time.max))
        items.append(
            WorkItem(
                title=str(plan),
                url=plan.get_absolute_url(),
                kind=_("Improvement plan to review"),
                since=plan.created_at,
                due=due,
                icon="graph-up-arrow",
                overdue=due < now,
            )
        )
    return items
