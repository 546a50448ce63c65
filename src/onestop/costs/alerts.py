"""Budget alerts (RES-6): spending crosses a threshold of its budget — once per crossing.

Two thresholds, in percent of the budget (policy settings ``costs.budget_warn_percent``, default
80, and ``costs.budget_approval_percent``, default 100 — the version in force when the project was
created; their first defaults are the old environment values), checked for the project's total and
for each budgeted category after every cost entry. Crossing one opens a ``BudgetAlert`` and
notifies the project lead and finance; while it stays open nothing more is sent (a conditional
unique constraint makes that true even for two entries saved at once). Falling back under the
threshold (a budget raised through the plan's change process) clears it, so a later crossing
alerts again. Past the approval threshold, further spending needs management: expenses are
approved and purchases recorded by management only (rules.spending_needs_management).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.accounts.models import User
from onestop.core import policy
from onestop.core.roles import Role
from onestop.costs.figures import ZERO, actual_by_category, budget_by_category
from onestop.costs.models import BudgetAlert, Category
from onestop.notifications.models import Notification
from onestop.notifications.services import notify


def thresholds(project) -> list[tuple[str, int]]:
    """The project's thresholds: the policy version in force when the project was created (EXT-4)."""
    rules = policy.values(at=project.created_at)
    return [
        (BudgetAlert.Level.WARN, rules["costs.budget_warn_percent"]),
        (BudgetAlert.Level.APPROVAL, rules["costs.budget_approval_percent"]),
    ]


def spending_blocked(project) -> bool:
    """Past the approval threshold: further spending needs management."""
    return BudgetAlert.objects.filter(
        project=project, level=BudgetAlert.Level.APPROVAL, cleared_at__isnull=True
    ).exists()


def _scopes(project) -> list[tuple[str, Decimal, Decimal]]:
    """(category or "" for the total, budget, actual) for the total and each budgeted category."""
    budget = budget_by_category(project)
    actual = actual_by_category(project)
    scopes = [("", sum(budget.values(), ZERO), sum(actual.values(), ZERO))]
    scopes += [(code, budget[code], actual.get(code, ZERO)) for code in Category.values if budget.get(code)]
    return scopes


def check(project) -> list[BudgetAlert]:
    """Open the alerts ``project``'s spending has just crossed and clear those it fell back
    under; returns the new ones (each notified once)."""
    opened = []
    now = timezone.now()
    current = {
        (a.category, a.level): a for a in BudgetAlert.objects.filter(project=project, cleared_at__isnull=True)
    }
    levels = thresholds(project)
    for category, budget, actual in _scopes(project):
        for level, percent in levels:
            crossed = budget > 0 and actual * 100 >= budget * percent
            alert = current.get((category, level))
            if crossed and alert is None:
                new = BudgetAlert(
                    project=project,
                    category=category,
                    level=level,
                    threshold=percent,
                    budget=budget,
                    actual=actual,
                    crossed_at=now,
                )
                try:
                    with transaction.atomic():  # someone else's entry crossed it at the same time
                        new.save()
                except IntegrityError:
                    continue
                opened.append(new)
            elif not crossed and alert is not None and budget > 0:
                BudgetAlert.objects.filter(pk=alert.pk).update(cleared_at=now)
    if opened:
        _notify(project, opened)
    return opened


def _notify(project, alerts: list[BudgetAlert]) -> None:
    recipients = [project.project_lead, *User.objects.with_role(Role.FINANCE)]
    for alert in alerts:
        scope = alert.get_category_display() if alert.category else _("total budget")
        values = {
            "project": project.code,
            "scope": scope,
            "percent": alert.percent,
            "threshold": alert.threshold,
        }
        if alert.level == BudgetAlert.Level.APPROVAL:
            title = _("%(project)s: %(scope)s spent %(percent)s%% — further spending needs approval") % values
            level = Notification.Level.ACTION
        else:
            title = _("%(project)s: %(scope)s spent %(percent)s%% (warning at %(threshold)s%%)") % values
            level = Notification.Level.INFO
        notify(
            recipients,
            title=title,
            body=_("Budget %(budget)s, spent %(actual)s.")
            % {"budget": f"{alert.budget:,.2f}", "actual": f"{alert.actual:,.2f}"},
            url=reverse("costs:project_costs", args=[project.pk]),
            level=level,
            target=project,
        )
