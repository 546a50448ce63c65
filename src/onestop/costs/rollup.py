"""The periodic cost roll-up (RES-7): per project and month, the cost by category, its change
from the month before, the cumulative cost against the budget, and the weak points named.

Run every night by ``tasks.roll_up_costs`` for this month and the last (so the last month is
complete once its last entries are in), or by finance from the roll-up page. A fixed number of
grouped queries whatever the number of entries; one ``CostRollup`` row per project and month
(updated in place when run again). Weak points are written in the company language: they are
a report, read by whoever opens it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onestop.costs.figures import ZERO, earned_share, money, month_end, spent_by_month
from onestop.costs.models import Category, CostRollup, Timesheet
from onestop.plans.models import BudgetLine
from onestop.projects.models import Milestone, Project
from onestop.projects.states import ProjectState

CATEGORY_FIELDS = list(Category.values)  # CostRollup has one column per category
GROWTH_FLAG = Decimal("0.5")  # a category up by more than half on the month before
GROWTH_MINIMUM = Decimal("1000")  # …and by at least this much
CPI_FLAG = Decimal("0.9")


def month_of(day: date) -> date:
    return day.replace(day=1)


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def rolled_projects():
    return Project.objects.exclude(state=ProjectState.OPENED).select_related("project_lead")


@transaction.atomic
def roll_up(month: date | None = None) -> list[CostRollup]:
    """Roll up every started project's costs of ``month`` (default: this month)."""
    month = month_of(month or timezone.localdate())
    last_day = month_end(month)
    projects = list(
        rolled_projects().prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("planned_date"))
        )
    )
    if not projects:
        return []
    ids = [project.pk for project in projects]
    spent = spent_by_month({"project_id__in": ids}, until=last_day)
    budgets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        BudgetLine.objects.filter(version_id__in=[p.plan_version_id for p in projects])
        .values("version_id", "category")
        .annotate(total=Sum("amount"))
    ):
        budgets[row["version_id"]][row["category"]] = row["total"]
    unrated = set(
        Timesheet.objects.filter(project_id__in=ids, rate=0, day__gte=month, day__lte=last_day)
        .values_list("project_id", flat=True)
        .distinct()
    )
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for project in projects:
            budget = budgets.get(project.plan_version_id, {})
            this = spent.get((project.pk, month), {})
            before = spent.get((project.pk, previous_month(month)), {})
            cumulative: dict[str, Decimal] = defaultdict(lambda: ZERO)
            for (project_id, when), by_category in spent.items():
                if project_id == project.pk and when <= month:
                    for category, amount in by_category.items():
                        cumulative[category] += amount
            total_budget = money(sum(budget.values(), ZERO))
            total_spent = money(sum(cumulative.values(), ZERO))
            values = {code: money(this.get(code)) for code in CATEGORY_FIELDS}
            rollup, _created = CostRollup.objects.update_or_create(
                project=project,
                period=month,
                defaults={
                    **values,
                    "department_id": project.project_lead.department_id,
                    "total": money(sum(values.values(), ZERO)),
                    "cumulative": total_spent,
                    "budget_total": total_budget,
                    "weak_points": weak_points(
                        project,
                        budget,
                        cumulative,
                        this,
                        before,
                        total_budget,
                        total_spent,
                        project.pk in unrated,
                    ),
                    "rolled_up_at": timezone.now(),
                },
            )
            rows.append(rollup)
    return rows


def weak_points(
    project, budget, cumulative, this, before, total_budget, total_spent, has_unrated
) -> list[str]:
    labels = dict(Category.choices)
    points = []
    for code in CATEGORY_FIELDS:
        spent, planned = cumulative.get(code, ZERO), budget.get(code, ZERO)
        if spent and not planned:
            points.append(
                _("%(category)s: %(spent)s spent with no budget for it.")
                % {"category": labels[code], "spent": f"{spent:,.2f}"}
            )
        elif planned and spent > planned:
            points.append(
                _("%(category)s: over budget by %(over)s (%(percent)s%% of its budget).")
                % {
                    "category": labels[code],
                    "over": f"{spent - planned:,.2f}",
                    "percent": (spent * 100 / planned).quantize(Decimal("1")),
                }
            )
        now, earlier = this.get(code, ZERO), before.get(code, ZERO)
        if earlier and now - earlier >= GROWTH_MINIMUM and now > earlier * (1 + GROWTH_FLAG):
            points.append(
                _("%(category)s: up %(percent)s%% on the month before (%(before)s → %(now)s).")
                % {
                    "category": labels[code],
                    "percent": ((now - earlier) * 100 / earlier).quantize(Decimal("1")),
                    "before": f"{earlier:,.2f}",
                    "now": f"{now:,.2f}",
                }
            )
    earned = total_budget * earned_share(project.milestones.all())
    if total_spent and earned:
        cpi = (earned / total_spent).quantize(Decimal("0.01"))
        if cpi < CPI_FLAG:
            points.append(
                _("Cost performance index %(cpi)s: the work done is worth less than what it cost.")
                % {"cpi": cpi}
            )
    if has_unrated:
        points.append(_("Hours booked by people without a cost rate are valued at 0: add their rate."))
    return points


def department_totals(rollups) -> list[dict]:
    """The roll-up of one month per department, summed by the database."""
    sums = {code: Sum(code) for code in CATEGORY_FIELDS}
    return list(
        rollups.order_by()
        .values("department_id", "department__name")
        .annotate(
            **sums, month_total=Sum("total"), cumulative_total=Sum("cumulative"), budget=Sum("budget_total")
        )
        .order_by("department__name")
    )
