"""The data of the cost page's charts (Chart.js, static/onestop/costs.js), labels translated."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.costs.models import Category


def _number(value):
    return float(value) if value is not None else None


def cost_charts(figures) -> dict:
    labels = dict(Category.choices)
    months = figures.months
    return {
        "labels": {
            "budget": _("Budget"),
            "actual": _("Actual cost"),
            "cumulative": _("Cumulative cost"),
            "planned": _("Planned value (PV)"),
            "earned": _("Earned value (EV)"),
        },
        "months": [month["month"].strftime("%Y-%m") for month in months],
        "cumulative": [_number(month["cumulative"]) for month in months],
        "planned_value": [_number(month["planned_value"]) for month in months],
        "budget_line": [_number(month["budget"]) for month in months],
        "earned_value": _number(figures.earned_value),
        "stacked": [
            {"label": str(labels[code]), "data": [_number(month["by_category"][code]) for month in months]}
            for code in Category.values
            if any(month["by_category"][code] for month in months)
        ],
        "categories": [row.label for row in figures.rows],
        "category_budget": [_number(row.budget) for row in figures.rows],
        "category_actual": [_number(row.actual) for row in figures.rows],
    }
