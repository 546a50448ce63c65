"""RSK-5: the early-warning indicators computed from the costs, people and resources apps —
budget burn ahead of the work done, staff over-allocation, certificate expiry and equipment
expiry. Each: under its threshold nothing; over it exactly one warning at the right level with
its value and the records that caused it, to its roles; still crossed on the next run no
duplicate; unanswered it escalates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from onestop.costs.models import Allocation, Purchase
from onestop.people.models import Course, Enrolment, TrainingSession
from onestop.resources.models import Checkout, Equipment
from onestop.risks import indicators
from onestop.risks.models import Warning
from tests import test_risks as risk_tests
from tests.stages import make_project

# The risk tests' fixtures: the personas, English, the default indicators.
personas, english, risk_defaults = risk_tests.personas, risk_tests.english, risk_tests.risk_defaults


def _budget_burn(personas, over: bool):
    """Budget 100,000; every milestone 10 % done; spent: a purchase (40,000 or 10,000) and an item
    checked out for 10 days at 500 (5,000) → 45 % or 15 % spent: 35 or 5 points ahead."""
    from onestop.plans.models import BudgetLine

    project = make_project(personas, 41 if over else 51)
    BudgetLine.objects.create(version=project.plan_version, category="personnel", amount=Decimal("100000"))
    project.milestones.update(percent_complete=10)
    purchase = Purchase.objects.create(
        project=project,
        category="other",
        item="外包測試",
        amount=Decimal("40000" if over else "10000"),
        purchased_on=timezone.localdate() - timedelta(days=20),
    )
    item = Equipment.objects.create(
        code=f"EQ-R-1{over:d}",
        name="示波器",
        purpose="量測",
        estimated_price=Decimal("60000"),
        daily_rate=Decimal("500"),
        requested_by=personas["archive"],
        state=Equipment.State.IN_STOCK,
    )
    Checkout.objects.create(
        equipment=item,
        person=personas["technician"],
        project=project,
        checked_out_on=timezone.localdate() - timedelta(days=15),
        due_back_on=timezone.localdate(),
        returned_on=timezone.localdate() - timedelta(days=6),
        daily_rate=item.daily_rate,
    )
    return Decimal("35.00"), "orange", [reverse("costs:project_costs", args=[project.pk])], purchase


def _over_allocation(personas, over: bool):
    """The technician on two projects this week: 80 % + 70 % = 150 % (or, for the quality engineer,
    60 % + 40 % = 100 %)."""
    today = timezone.localdate()
    allocations = [
        Allocation.objects.create(
            project=make_project(personas, index),
            user=personas["technician" if over else "quality"],
            role="工程師",
            percent=percent,
            start=today - timedelta(days=7),
            end=today + timedelta(days=30),
        )
        for index, percent in (((42, 80), (43, 70)) if over else ((44, 60), (45, 40)))
    ]
    urls = [reverse("costs:heatmap")] + [a.get_absolute_url() for a in allocations]
    return Decimal("150"), "orange", urls, allocations


def _certificate(personas, course, employee, expires):
    session = TrainingSession.objects.create(
        course=course,
        starts_on=expires - timedelta(days=730),
        ends_on=expires - timedelta(days=730),
        trainer="外聘講師",
        capacity=5,
    )
    return Enrolment.objects.create(
        session=session,
        employee=employee,
        state="completed",
        passed=True,
        certificate_no=f"C-{session.pk}",
        certificate_expires_on=expires,
    )


def _certificate_expiry(personas, over: bool):
    """The technician's electrician certificate expires in 10 days (or the quality engineer's in
    100); a first-aid certificate expiring in 5 days was renewed (a later one): it does not warn."""
    today = timezone.localdate()
    technician = personas["technician" if over else "quality"]
    electrician = Course.objects.create(title="電工證", kind="external", hours=16, certificate_months=24)
    first_aid = Course.objects.create(title="急救證", kind="external", hours=8, certificate_months=24)
    expiring = _certificate(personas, electrician, technician, today + timedelta(days=10 if over else 100))
    _certificate(personas, first_aid, technician, today + timedelta(days=5))
    _certificate(personas, first_aid, technician, today + timedelta(days=700))
    return Decimal("10"), "orange", [expiring.get_absolute_url()], expiring


def _equipment_expiry(personas, over: bool):
    """An instrument's calibration is due in 5 days and its warranty ends in 20 (or 45 and 50);
    a scrapped item's calibration due in 2 days does not count."""
    today = timezone.localdate()

    def item(code, state, **dates):
        return Equipment.objects.create(
            code=code,
            name="萬用電表",
            purpose="量測",
            estimated_price=Decimal("8000"),
            requested_by=personas["archive"],
            state=state,
            **dates,
        )

    due = item(
        f"EQ-R-2{over:d}",
        Equipment.State.IN_STOCK,
        calibration_due_on=today + timedelta(days=5 if over else 45),
        warranty_until=today + timedelta(days=20 if over else 50),
    )
    item(f"EQ-R-3{over:d}", Equipment.State.SCRAPPED, calibration_due_on=today + timedelta(days=2))
    return Decimal("5"), "orange", [due.get_absolute_url(), due.get_absolute_url()], due


CASES = [
    ("budget_burn", _budget_burn, {"finance", "management", "lead"}),
    ("over_allocation", _over_allocation, {"hr", "management"}),
    ("certificate_expiry", _certificate_expiry, {"hr"}),
    ("equipment_expiry", _equipment_expiry, {"archive"}),
]


@pytest.mark.parametrize(("kind", "build", "roles"), CASES, ids=[case[0] for case in CASES])
def test_RSK_5_the_indicators_from_costs_people_and_resources_warn_once_with_their_records(
    personas, kind, build, roles
):
    indicator = risk_tests._only(kind)
    build(personas, over=False)
    indicators.run()
    assert not Warning.objects.filter(indicator=indicator).exists(), "under the threshold: nothing"

    value, level, urls, _records = build(personas, over=True)
    indicators.run()
    warning = Warning.objects.get(indicator=indicator)
    assert (warning.value, warning.level) == (value, level)
    assert [record["url"].split("?")[0] for record in warning.records] == urls
    assert roles <= risk_tests._warned(personas, warning), risk_tests._warned(personas, warning)
    assert not risk_tests._warned(personas, warning) & {"client_a", "client_b"}

    indicators.run()  # still crossed: no second warning
    assert Warning.objects.filter(indicator=indicator).count() == 1
    with time_machine.travel(timezone.now() + timedelta(hours=indicator.escalate_after_hours + 1)):
        indicators.run()
    warning.refresh_from_db()
    assert (warning.escalations, warning.level) == (1, "red")
