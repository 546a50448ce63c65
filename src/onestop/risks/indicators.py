"""Early-warning indicators computed from live data (RSK-5), and the warnings they raise.

Each measure is a function ``measure(indicator, today) -> list[Finding]``: one finding per
subject (a project, an engagement, the company) with its value and the records that caused it,
computed with a fixed number of database queries whatever the number of projects. ``run`` asks
every active indicator, raises one warning per condition (the same indicator and subject never
raise a second warning while one is open — a partial unique constraint backs it), raises the
level of an open warning when the value got worse, and ``escalate`` moves an unanswered warning
up one level after the indicator's time, telling management.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, F, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from onestop.acceptance.models import AcceptanceRound
from onestop.accounts.models import User
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.core.services import save
from onestop.costs.figures import burn_by_project
from onestop.costs.models import Allocation
from onestop.costs.utilization import _week_sums, weeks_from
from onestop.feedback.aspects import ASPECTS
from onestop.feedback.models import Complaint, Survey
from onestop.notifications.models import Notification
from onestop.notifications.services import notify
from onestop.people.models import Enrolment
from onestop.people.states import EnrolmentState
from onestop.projects.models import ProgressReport, ProgressRow, Project
from onestop.quality.models import Inspection, RectificationNotice
from onestop.quality.states import NOTICE_WITH_DEPARTMENT
from onestop.resources.models import Equipment
from onestop.resources.states import EquipmentState
from onestop.risks.matrix import Level
from onestop.risks.models import WARNING_ORDER, Indicator, IndicatorKind, Risk, Warning
from onestop.risks.states import RISK_OPEN, WARNING_OPEN
from onestop.settlement.selectors import ageing

LIMIT_RECORDS = 20  # records linked from one warning


@dataclass
class Finding:
    key: str  # the condition: the same key is the same subject
    subject: str
    value: Decimal
    engagement_id: int | None = None
    project_id: int | None = None
    records: list[dict] = field(default_factory=list)


def _record(obj, label: str | None = None) -> dict:
    return {"label": label or str(obj), "url": obj.get_absolute_url()}


def _per_project(rows, counts: dict[int, int], projects: dict[int, Project], kind: str) -> list[Finding]:
    found = []
    for project_id, value in counts.items():
        project = projects[project_id]
        found.append(
            Finding(
                key=f"{kind}:project:{project_id}",
                subject=str(project),
                value=Decimal(value),
                engagement_id=project.engagement_id,
                project_id=project_id,
                records=[_record(row) for row in rows[project_id][:LIMIT_RECORDS]],
            )
        )
    return found


def _projects(ids) -> dict[int, Project]:
    return {p.pk: p for p in Project.objects.filter(pk__in=ids)}


def schedule_variance(indicator: Indicator, today: date) -> list[Finding]:
    """Projects in progress whose latest submitted progress table is behind plan: the mean of
    planned % − actual % over its milestone rows (percentage points)."""
    latest = (
        ProgressReport.objects.filter(
            project=OuterRef("pk"), state__in=[ProgressReport.State.SUBMITTED, ProgressReport.State.REVIEWED]
        )
        .order_by("-period_start")
        .values("pk")[:1]
    )
    reports = {
        row["latest"]: row["pk"]
        for row in Project.objects.filter(state=Project.State.IN_PROGRESS)
        .annotate(latest=Subquery(latest))
        .filter(latest__isnull=False)
        .values("pk", "latest")
    }
    behind = (
        ProgressRow.objects.filter(report_id__in=list(reports), task__isnull=True)
        .values("report_id")
        .annotate(behind=Avg(F("planned_percent") - F("percent_complete")))
        .filter(behind__gt=0)
    )
    values = {reports[row["report_id"]]: (row["report_id"], row["behind"]) for row in behind}
    projects = _projects(values)
    report_objects = {r.pk: r for r in ProgressReport.objects.filter(pk__in=[v[0] for v in values.values()])}
    found = []
    for project_id, (report_id, value) in values.items():
        project = projects[project_id]
        found.append(
            Finding(
                key=f"schedule:project:{project_id}",
                subject=str(project),
                value=Decimal(value).quantize(Decimal("0.01")),
                engagement_id=project.engagement_id,
                project_id=project_id,
                records=[
                    _record(
                        report_objects[report_id],
                        _("Progress table %(r)s") % {"r": report_objects[report_id]},
                    )
                ],
            )
        )
    return found


def overdue_rectifications(indicator: Indicator, today: date) -> list[Finding]:
    notices = list(
        RectificationNotice.objects.filter(state__in=NOTICE_WITH_DEPARTMENT, deadline__lt=today).order_by(
            "deadline"
        )
    )
    rows = defaultdict(list)
    for notice in notices:
        rows[notice.project_id].append(notice)
    counts = {project_id: len(items) for project_id, items in rows.items()}
    return _per_project(rows, counts, _projects(counts), "rectification")


def failed_inspections(indicator: Indicator, today: date) -> list[Finding]:
    since = timezone.now() - timedelta(days=indicator.period_days)
    inspections = list(
        Inspection.objects.filter(
            state=Inspection.State.COMPLETED, passed=False, completed_at__gte=since
        ).order_by("-completed_at")
    )
    rows = defaultdict(list)
    for inspection in inspections:
        rows[inspection.project_id].append(inspection)
    counts = {project_id: len(items) for project_id, items in rows.items()}
    return _per_project(rows, counts, _projects(counts), "inspection")


def failed_acceptance(indicator: Indicator, today: date) -> list[Finding]:
    since = timezone.now() - timedelta(days=indicator.period_days)
    rounds = list(
        AcceptanceRound.objects.filter(
            Q(state=AcceptanceRound.State.FAILED) | Q(report_conclusion="fail"), concluded_at__gte=since
        ).order_by("-concluded_at")
    )
    rows = defaultdict(list)
    for acceptance_round in rounds:
        rows[acceptance_round.project_id].append(acceptance_round)
    counts = {project_id: len(items) for project_id, items in rows.items()}
    return _per_project(rows, counts, _projects(counts), "acceptance")


def overdue_receivables(indicator: Indicator, today: date) -> list[Finding]:
    """Contracts with instalments past due and unpaid (the settlement's ageing table)."""
    rows, _totals, _total = ageing(today)
    found = []
    for row in rows:
        past_due = sum(
            (amount for bucket, amount in row["buckets"].items() if bucket != "current"), Decimal(0)
        )
        if past_due <= 0:
            continue
        contract = row["contract"]
        found.append(
            Finding(
                key=f"receivable:contract:{contract.pk}",
                subject=f"{contract.code} {contract.engagement.client}",
                value=past_due,
                engagement_id=contract.engagement_id,
                records=[_record(contract)],
            )
        )
    return found


def low_csat(indicator: Indicator, today: date) -> list[Finding]:
    """Surveys answered in the period, their average score over the aspects (1–5)."""
    since = timezone.now() - timedelta(days=indicator.period_days)
    total = sum((F(aspect.field) for aspect in ASPECTS[1:]), F(ASPECTS[0].field))
    surveys = (
        Survey.objects.filter(answered_at__gte=since)
        .annotate(score=total * Decimal("1.0") / len(ASPECTS))
        .select_related("engagement")
    )
    return [
        Finding(
            key=f"csat:engagement:{survey.engagement_id}",
            subject=f"{survey.engagement.code} {survey.engagement.title}",
            value=Decimal(survey.score).quantize(Decimal("0.01")),
            engagement_id=survey.engagement_id,
            project_id=survey.project_id,
            records=[_record(survey)],
        )
        for survey in surveys
    ]


def overdue_complaints(indicator: Indicator, today: date) -> list[Finding]:
    complaints = list(
        Complaint.objects.filter(state__in=Complaint.OPEN_STATES, due_at__lt=timezone.now()).order_by(
            "due_at"
        )
    )
    if not complaints:
        return []
    return [
        Finding(
            key="complaints:company",
            subject=_("The company"),
            value=Decimal(len(complaints)),
            records=[_record(c) for c in complaints[:LIMIT_RECORDS]],
        )
    ]


def critical_risks_unanswered(indicator: Indicator, today: date) -> list[Finding]:
    risks = list(
        Risk.objects.filter(state__in=RISK_OPEN, level=Level.CRITICAL)
        .annotate(actions_count=Count("actions"))
        .filter(Q(strategy="") | Q(actions_count=0, strategy__in=["avoid", "mitigate", "transfer"]))
        .order_by("identified_at")
    )
    if not risks:
        return []
    return [
        Finding(
            key="critical_risks:company",
            subject=_("The company"),
            value=Decimal(len(risks)),
            records=[_record(risk) for risk in risks[:LIMIT_RECORDS]],
        )
    ]


def budget_burn(indicator: Indicator, today: date) -> list[Finding]:
    """Projects in progress that spent more of their budget than the share of the work done: the
    percentage of the budget spent (AC / BAC) minus the percentage complete (EV / BAC), both as
    the cost page computes them (costs.figures), in percentage points."""
    projects = list(Project.objects.filter(state=Project.State.IN_PROGRESS, plan_version__isnull=False))
    burns = burn_by_project(projects, as_of=today)
    found = []
    for project in projects:
        burn = burns.get(project.pk)
        if burn is None or burn.ahead <= 0:
            continue
        found.append(
            Finding(
                key=f"budget_burn:project:{project.pk}",
                subject=str(project),
                value=burn.ahead,
                engagement_id=project.engagement_id,
                project_id=project.pk,
                records=[
                    {
                        "label": _("Costs of %(project)s: %(spent)s%% of the budget spent, %(done)s%% done")
                        % {
                            "project": project.code,
                            "spent": burn.percent_spent.quantize(Decimal("0.1")),
                            "done": burn.percent_complete.quantize(Decimal("0.1")),
                        },
                        "url": reverse("costs:project_costs", args=[project.pk]),
                    }
                ],
            )
        )
    return found


def over_allocation(indicator: Indicator, today: date) -> list[Finding]:
    """Staff whose allocations add up to more than 100 % in a week, from this week over the
    indicator's period: the peak week's percentage. The database sums the allocations per person
    and week (the capacity heat map's sums, costs.utilization)."""
    weeks = weeks_from(today, max(1, -(-indicator.period_days // 7)))
    sums = _week_sums(weeks)
    over = Q()
    for name in sums:
        over |= Q(**{f"{name}__gt": 100})
    people = list(User.objects.staff().annotate(**sums).filter(over).order_by("full_name", "pk"))
    if not people:
        return []
    allocations = defaultdict(list)
    for allocation in (
        Allocation.objects.filter(
            user__in=people, start__lte=weeks[-1] + timedelta(days=6), end__gte=weeks[0]
        )
        .select_related("project")
        .order_by("start", "pk")
    ):
        allocations[allocation.user_id].append(allocation)
    found = []
    for person in people:
        peak, week = max(
            ((getattr(person, name), week) for name, week in zip(sums, weeks, strict=True)),
            key=lambda pair: (pair[0], -pair[1].toordinal()),  # the first week of the peak
        )
        heatmap = {
            "label": _("Capacity heat map: %(percent)s%% in the week of %(week)s")
            % {"percent": peak, "week": week.strftime("%Y-%m-%d")},
            "url": f"{reverse('costs:heatmap')}?start={week:%Y-%m-%d}",
        }
        found.append(
            Finding(
                key=f"over_allocation:user:{person.pk}",
                subject=person.display_name,
                value=Decimal(peak),
                records=[
                    heatmap,
                    *(
                        _record(
                            allocation,
                            f"{allocation.project.code} · {allocation.percent}% · "
                            f"{allocation.start:%Y-%m-%d} – {allocation.end:%Y-%m-%d}",
                        )
                        for allocation in allocations[person.pk][:LIMIT_RECORDS]
                    ),
                ],
            )
        )
    return found


def certificate_expiry(indicator: Indicator, today: date) -> list[Finding]:
    """Active staff whose certificate (the latest one of a course: a renewed certificate ends the
    warning) expires within the indicator's period or expired within the last one: per person,
    the days left on the first to expire (negative: expired)."""
    renewed = Enrolment.objects.filter(
        state=EnrolmentState.COMPLETED,
        employee=OuterRef("employee"),
        session__course=OuterRef("session__course"),
        certificate_expires_on__gt=OuterRef("certificate_expires_on"),
    )
    enrolments = list(
        Enrolment.objects.filter(
            state=EnrolmentState.COMPLETED,
            employee__is_active=True,
            certificate_expires_on__range=(
                today - timedelta(days=indicator.period_days),
                today + timedelta(days=indicator.period_days),
            ),
        )
        .exclude(Exists(renewed))
        .select_related("employee", "session__course")
        .order_by("certificate_expires_on", "pk")
    )
    rows = defaultdict(list)
    for enrolment in enrolments:
        rows[enrolment.employee_id].append(enrolment)
    return [
        Finding(
            key=f"certificate:user:{items[0].employee_id}",
            subject=items[0].employee.display_name,
            value=Decimal((items[0].certificate_expires_on - today).days),
            records=[
                _record(
                    enrolment,
                    _("%(course)s certificate %(number)s expires on %(date)s")
                    % {
                        "course": enrolment.session.course.title,
                        "number": enrolment.certificate_no,
                        "date": enrolment.certificate_expires_on.strftime("%Y-%m-%d"),
                    },
                )
                for enrolment in items[:LIMIT_RECORDS]
            ],
        )
        for items in rows.values()
    ]


EQUIPMENT_IN_SERVICE = (EquipmentState.IN_STOCK, EquipmentState.CHECKED_OUT, EquipmentState.MAINTENANCE)
EQUIPMENT_DATES = (
    ("calibration_due_on", _lazy("calibration due")),
    ("warranty_until", _lazy("warranty ends")),
    ("licence_until", _lazy("licence ends")),
)


def equipment_expiry(indicator: Indicator, today: date) -> list[Finding]:
    """Items in service whose calibration, warranty or licence ends within the indicator's period
    or ended within the last one: per item, the days left on the first of them (negative: past)."""
    since, until = (
        today - timedelta(days=indicator.period_days),
        today + timedelta(days=indicator.period_days),
    )
    window = Q()
    for name, _label in EQUIPMENT_DATES:
        window |= Q(**{f"{name}__range": (since, until)})
    found = []
    for item in Equipment.objects.filter(window, state__in=EQUIPMENT_IN_SERVICE).order_by("code"):
        due = sorted(
            (getattr(item, name), label)
            for name, label in EQUIPMENT_DATES
            if getattr(item, name) is not None and since <= getattr(item, name) <= until
        )
        found.append(
            Finding(
                key=f"equipment:item:{item.pk}",
                subject=f"{item.code} {item.name}",
                value=Decimal((due[0][0] - today).days),
                records=[
                    _record(item, f"{item.code} {item.name}: {label} {day:%Y-%m-%d}") for day, label in due
                ],
            )
        )
    return found


MEASURES = {
    IndicatorKind.SCHEDULE_VARIANCE: schedule_variance,
    IndicatorKind.OVERDUE_RECTIFICATIONS: overdue_rectifications,
    IndicatorKind.FAILED_INSPECTIONS: failed_inspections,
    IndicatorKind.FAILED_ACCEPTANCE: failed_acceptance,
    IndicatorKind.OVERDUE_RECEIVABLES: overdue_receivables,
    IndicatorKind.LOW_CSAT: low_csat,
    IndicatorKind.OVERDUE_COMPLAINTS: overdue_complaints,
    IndicatorKind.CRITICAL_RISKS_UNANSWERED: critical_risks_unanswered,
    IndicatorKind.BUDGET_BURN: budget_burn,
    IndicatorKind.OVER_ALLOCATION: over_allocation,
    IndicatorKind.CERTIFICATE_EXPIRY: certificate_expiry,
    IndicatorKind.EQUIPMENT_EXPIRY: equipment_expiry,
}


# --- raising and escalating ------------------------------------------------------------------


def recipients(warning: Warning) -> list:
    """The roles the indicator names, and the lead of the warning's project."""
    people = list(User.objects.with_role(*warning.role_list))
    if warning.project_id is not None:
        people.append(warning.project.project_lead)
    return people


def _level_index(level: str) -> int:
    return [item.value for item in WARNING_ORDER].index(level)


def _announce(warning: Warning, title: str, people=None) -> None:
    notify(
        people if people is not None else recipients(warning),
        title=title,
        body=_("%(indicator)s: %(value)s (%(subject)s).")
        % {"indicator": warning.indicator.name, "value": warning.value, "subject": warning.subject},
        url=warning.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=warning,
    )


def run(now=None) -> dict:
    """Measure every active indicator; raise, raise the level of, or leave the warnings."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"raised": 0, "raised_level": 0, "unchanged": 0}
    for indicator in Indicator.objects.filter(active=True):
        findings = MEASURES[IndicatorKind(indicator.kind)](indicator, today)
        open_warnings = {
            w.subject_key: w for w in Warning.objects.filter(indicator=indicator, state__in=WARNING_OPEN)
        }
        for finding in findings:
            level = indicator.level_for(finding.value)
            if level is None:
                continue
            existing = open_warnings.get(finding.key)
            if existing is not None:
                _update(existing, finding, level, now, counts)
            else:
                _raise(indicator, finding, level, now, counts)
    escalate(now)
    return counts


@transaction.atomic
def _update(warning: Warning, finding: Finding, level: str, now, counts) -> None:
    warning.value, warning.records, warning.measured_at = finding.value, finding.records, now
    worse = _level_index(level) > _level_index(warning.level)
    if worse:
        warning.level = level
    save(warning, actor=None, reason=_("Measured again"))
    if worse:
        counts["raised_level"] += 1
        _announce(
            warning,
            _("Warning %(code)s is now %(level)s")
            % {"code": warning.code, "level": warning.get_level_display()},
        )
    else:
        counts["unchanged"] += 1


def _raise(indicator: Indicator, finding: Finding, level: str, now, counts) -> None:
    warning = Warning(
        code=next_code("WRN"),
        indicator=indicator,
        subject_key=finding.key,
        subject=finding.subject[:200],
        engagement_id=finding.engagement_id,
        project_id=finding.project_id,
        level=level,
        raised_level=level,
        value=finding.value,
        records=finding.records,
        roles="," + ",".join(indicator.roles) + ",",
        raised_at=now,
        measured_at=now,
    )
    try:
        with transaction.atomic():
            save(warning, actor=None, reason=_("Raised by the indicator"))
            _announce(
                warning,
                _("%(level)s warning: %(indicator)s — %(subject)s")
                % {
                    "level": warning.get_level_display(),
                    "indicator": indicator.name,
                    "subject": warning.subject,
                },
            )
    except IntegrityError:
        return  # another run raised it a moment ago: one warning per condition
    counts["raised"] += 1


def escalate(now=None) -> int:
    """Unacknowledged warnings older than their indicator's time go up one level (up to red) and
    management is told; each step waits the same time again."""
    now = now or timezone.now()
    done = 0
    for warning in Warning.objects.filter(state=Warning.State.OPEN).select_related("indicator", "project"):
        since = warning.escalated_at or warning.raised_at
        if now - since < timedelta(hours=warning.indicator.escalate_after_hours):
            continue
        with transaction.atomic():
            claimed = Warning.objects.filter(
                pk=warning.pk, state=Warning.State.OPEN, escalations=warning.escalations
            ).update(escalations=F("escalations") + 1, escalated_at=now)
            if not claimed:
                continue
            warning.refresh_from_db()
            index = _level_index(warning.level)
            if index + 1 < len(WARNING_ORDER):
                warning.level = WARNING_ORDER[index + 1].value
            save(warning, actor=None, reason=_("Escalated: not acknowledged in time"))
            people = recipients(warning) + list(User.objects.with_role(Role.MANAGEMENT))
            _announce(
                warning,
                _("Escalated to %(level)s: warning %(code)s was not acknowledged")
                % {"level": warning.get_level_display(), "code": warning.code},
                people,
            )
            done += 1
    return done


def latest_measure_at():
    return Warning.objects.aggregate(at=Max("measured_at"))["at"]


def warning_url(warning: Warning) -> str:
    return reverse("risks:warning_detail", args=[warning.pk])
