"""Staff see what they need to know (issue 10 item 2, SPEC X-3): the permission matrix.

One engagement carried through to an approved settlement; every staff role, the team, the head
of the team's department and people who are none of these each ask for every kind of record
of it through the API, the pages and the lists. Seen → 200, not theirs → 404 (a record one
may not see does not exist for them). The expected table is written out here, not derived
from core/access.py, so a change of the rule shows up as a failing cell.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from onestop.accounts.models import Department
from onestop.core.roles import Role
from onestop.resources.models import DocumentType
from onestop.resources.services import create_document
from tests.stages import stage_personas
from tests.test_settlement import approved

# The kinds of record asked for, with the API route of one of them.
KINDS = {
    "engagement": "engagements",
    "plan": "plans",
    "plan_version": "plan-versions",
    "contract": "contracts",
    "instalment": "payment-instalments",
    "project": "projects",
    "milestone": "project-milestones",
    "acceptance": "acceptance-rounds",
    "settlement": "settlements",
    "risk": "risks",  # a project's risk follows its project (risks app)
    "document": "resources/documents",  # technical documents follow their project (RES-1)
    "allocation": "costs/allocations",
    "timesheet": "costs/timesheets",
}
EVERYTHING = set(KINDS)
NOTHING: set[str] = set()

# Who sees which kind of record of an engagement they are not on the team of.
EXPECTED = {
    "management": EVERYTHING,
    "admin": EVERYTHING,
    "finance": EVERYTHING,
    "legal": {"engagement", "plan", "plan_version", "contract", "instalment"},
    # The archive room keeps every technical document's retention and disposal.
    "archive": {"engagement", "contract", "instalment", "document"},
    "customer_service": {
        "engagement",
        "project",
        "milestone",
        "acceptance",
        "risk",
        "document",
        "allocation",
    },
    "quality": {"engagement", "project", "milestone", "acceptance", "risk", "document", "allocation"},
    "hr": {"allocation"},  # HR plans people for every project (RES-4); not their hours' cost
    "other_lead": NOTHING,
    "other_technician": NOTHING,
    "reviewer": NOTHING,
    "colleague_of_the_lead": NOTHING,  # same department, not its head, not on the team
    # On the team, or above it:
    "lead": EVERYTHING,
    "head_of_the_leads_department": EVERYTHING,
    "head_above_that": EVERYTHING,
}


@pytest.fixture
def world(personas, make_user):
    people = stage_personas(personas, make_user)
    settlement = approved(people)  # its project's lead is people["lead"]
    top = Department.objects.create(code="TOP", name="技術中心", head=make_user(Role.MANAGEMENT))
    # The head above is a plain technician by role: the department chart gives the access.
    top.head = make_user(Role.TECHNICIAN, username="center.head")
    top.save()
    delivery = Department.objects.create(
        code="DLV", name="交付部", parent=top, head=make_user(Role.PROJECT_LEAD, username="dept.head")
    )
    lead = people["lead"]
    type(lead).objects.filter(pk=lead.pk).update(department=delivery)
    project = settlement.contract.project
    engagement = project.engagement
    users = {
        "management": people["management"],
        "admin": people["admin"],
        # People of these roles who did not work on this engagement (the persona "legal"
        # drafted its contract, and is on its team for that).
        "finance": make_user(Role.FINANCE, username="finance.other"),
        "legal": make_user(Role.LEGAL, username="legal.other"),
        "archive": make_user(Role.ARCHIVE, username="archive.other"),
        "customer_service": make_user(Role.CUSTOMER_SERVICE, username="cs.other"),
        "quality": make_user(Role.QUALITY, username="quality.other"),
        "hr": people["hr"],
        "other_lead": make_user(Role.PROJECT_LEAD, username="lead.other"),
        "other_technician": make_user(Role.TECHNICIAN, username="tech.other"),
        "reviewer": make_user(Role.REVIEWER, username="reviewer.other"),
        "colleague_of_the_lead": make_user(Role.PROJECT_LEAD, username="lead.peer", department=delivery),
        "lead": lead,
        "head_of_the_leads_department": delivery.head,
        "head_above_that": top.head,
    }
    from datetime import date
    from decimal import Decimal

    from onestop.costs.models import Allocation, Timesheet

    allocation = Allocation.objects.create(
        project=project,
        user=lead,
        role="項目負責人",
        percent=60,
        start=date(2026, 1, 5),
        end=date(2026, 6, 30),
    )
    timesheet = Timesheet.objects.create(user=lead, project=project, day=date(2026, 1, 6), hours=Decimal("4"))
    records = {
        "allocation": allocation,
        "timesheet": timesheet,
        "engagement": engagement,
        "plan": engagement.plan,
        "plan_version": engagement.plan.effective_version,
        "contract": settlement.contract,
        "instalment": settlement.contract.instalments.first(),
        "project": project,
        "milestone": project.milestones.first(),
        "acceptance": project.acceptance_rounds.first(),
        "settlement": settlement,
        "risk": _project_risk(project, lead),
        "document": create_document(
            actor=lead,
            project=project,
            doc_type=DocumentType.objects.create(code="test-report", name="測試報告"),
            title="系統測試報告",
        ),
    }
    return users, records


def _project_risk(project, lead):
    from onestop.risks import defaults, services

    defaults.ensure()
    return services.identify(
        actor=lead,
        title="現場安全",
        category=defaults.RiskCategory.objects.get(code="personnel"),
        cause="車間作業",
        event="人員受傷",
        consequence="停工",
        owner=lead,
        engagement=project.engagement,
    )


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_role_sees_exactly_the_records_it_needs_to_know_through_the_api(world):
    users, records = world
    unexpected = []
    for who, user in users.items():
        api = _api(user)
        for kind, route in KINDS.items():
            answer = api.get(f"/api/{route}/{records[kind].pk}/")
            expected = 200 if kind in EXPECTED[who] else 404
            if answer.status_code != expected:
                unexpected.append(f"{who} × {kind}: {answer.status_code}, expected {expected}")
    assert unexpected == []
    print(f"need-to-know matrix: {len(users)} people × {len(KINDS)} kinds, 0 unexpected")


@pytest.mark.parametrize("who", ["hr", "legal", "lead"])
def test_the_lists_hold_the_same_records_as_the_pages(world, who):
    users, records = world
    api = _api(users[who])
    for kind, route in KINDS.items():
        listed = {row["id"] for row in api.get(f"/api/{route}/").json()["results"]}
        assert (records[kind].pk in listed) == (kind in EXPECTED[who]), kind


@pytest.mark.parametrize(
    ("who", "seen"),
    [("hr", False), ("legal", True), ("other_lead", False), ("head_of_the_leads_department", True)],
)
def test_the_pages_and_the_contract_file_follow_the_same_rule(client, world, who, seen):
    users, records = world
    client.force_login(users[who])
    contract = records["contract"]
    page = client.get(contract.get_absolute_url())
    assert page.status_code == (200 if seen else 404)
    listed = client.get("/contracts/").content.decode()
    assert (contract.code in listed) == seen
    pdf = client.get(f"/core/records/contracts.contract/{contract.pk}/forms/contract/pdf/")
    assert (pdf.status_code == 404) != seen


def test_a_department_sent_a_copy_of_the_contract_sees_it(world, make_user):
    from onestop.contracts.models import ContractCopy

    users, records = world
    operations = Department.objects.create(code="OPS", name="運維部")
    member = make_user(Role.TECHNICIAN, username="ops.member", department=operations)
    url = f"/api/contracts/{records['contract'].pk}/"
    assert _api(member).get(url).status_code == 404
    ContractCopy.objects.create(contract=records["contract"], department=operations, sent_by=users["archive"])
    assert _api(member).get(url).status_code == 200
