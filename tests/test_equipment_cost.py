"""The company's equipment used by a project is part of the project's actual cost (RES-3 → RES-6,
RES-7): each day an item is checked out for the project at the checkout's daily rate, under the
equipment category, in the figures, the cost page, its API and the monthly roll-up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from onestop.costs import rollup
from onestop.costs.figures import project_figures
from onestop.resources.models import Checkout, Equipment
from tests import test_costs as cost_tests
from tests.test_costs import api, costed_project, project_of

# The cost tests' fixtures: the fixed day (2026-03-18), English, the personas with a position.
on_today, english, personas = cost_tests.on_today, cost_tests.english, cost_tests.personas


def item(personas, code: str, rate: str) -> Equipment:
    return Equipment.objects.create(
        code=code,
        name=f"儀器 {code}",
        purpose="量測",
        estimated_price=Decimal("9000"),
        daily_rate=Decimal(rate),
        requested_by=personas["technician"],
        state=Equipment.State.CHECKED_OUT,
    )


def lend(personas, equipment, project, out: date, back: date | None) -> Checkout:
    return Checkout.objects.create(
        equipment=equipment,
        person=personas["technician"],
        project=project,
        checked_out_on=out,
        due_back_on=back or date(2026, 4, 30),
        returned_on=back,
        daily_rate=equipment.daily_rate,
    )


def test_RES_3_RES_7_equipment_checked_out_for_a_project_is_its_cost_once(client, personas):
    """Today is 2026-03-18. The costed project already spent 12,000 on equipment purchases and
    26,000 in all. An item at 300/day is out 2026-02-25 – 03-04 (8 days: 4 in February, 4 in
    March) → 2,400; an item at 100/day is still out since 2026-03-10 (9 days up to today) → 900.
    Lendings to nobody's project or to another project are not this project's cost."""
    project = costed_project(personas)
    first = lend(personas, item(personas, "EQ-T-1", "300"), project, date(2026, 2, 25), date(2026, 3, 4))
    still_out = lend(personas, item(personas, "EQ-T-2", "100"), project, date(2026, 3, 10), None)
    lend(personas, item(personas, "EQ-T-3", "1000"), None, date(2026, 3, 1), date(2026, 3, 5))
    lend(personas, item(personas, "EQ-T-4", "1000"), project_of(personas, 1), date(2026, 3, 1), None)
    Equipment.objects.filter(code="EQ-T-1").update(daily_rate=Decimal("999"))  # the rate at checkout counts

    february = project_figures(project, as_of=date(2026, 2, 28))
    assert {row.category: row.actual for row in february.rows}["equipment"] == Decimal("13200.00")
    now = project_figures(project)
    assert {row.category: row.actual for row in now.rows}["equipment"] == Decimal("15300.00")
    assert now.actual == Decimal("29300.00")  # 26,000 + 2,400 + 900
    assert now.cpi == (now.earned_value / now.actual).quantize(Decimal("0.01"))  # EV over the new AC
    assert sum(month["total"] for month in now.months) == now.actual

    client.force_login(personas["lead"])
    page = client.get(reverse("costs:project_costs", args=[project.pk]))
    assert page.context["figures"].actual == Decimal("29300.00")
    lines = page.context["equipment_used"]
    assert [(line["checkout"], line["days"], line["amount"]) for line in lines] == [
        (still_out, 9, Decimal("900.00")),
        (first, 8, Decimal("2400.00")),
    ]
    assert first.equipment.get_absolute_url() in page.content.decode()
    body = api(personas["finance"]).get(reverse("api:project-costs-detail", args=[project.pk])).json()
    assert body["actual"] == "29300.00"

    (feb,) = [row for row in rollup.roll_up(date(2026, 2, 1)) if row.project_id == project.pk]
    (march,) = [row for row in rollup.roll_up(date(2026, 3, 1)) if row.project_id == project.pk]
    assert (feb.equipment, march.equipment) == (Decimal("13200.00"), Decimal("2100.00"))  # 1,200 + 900
    assert march.cumulative == Decimal("29300.00")  # each day counted once, in its own month
