"""Nobody waits unseen (X-1, X-6): past the confirmation, every waiting step of the engagement's
path names who holds the ball — a person, a role's queue or the client — and that one finds it
on "My work"; the engagement list and page show the same answer.

The walk below puts one engagement through every non-final state of each stage's records (the
plan's versions, the contract, the project, the final acceptance round, the settlement) and, at
each, opens the holder's "My work" page.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from onestop.acceptance.models import AcceptanceRound
from onestop.contracts import services as contract_services
from onestop.contracts.documents import contract_form
from onestop.contracts.models import Contract, SigningAuthorization
from onestop.core import signatures
from onestop.core.roles import Role
from onestop.engagements.ball import ball_of
from onestop.engagements.models import Engagement
from onestop.plans.models import Plan, PlanVersion
from onestop.projects.models import KickoffMeeting, Project
from onestop.settlement import services as settlement_services
from onestop.settlement.models import Settlement
from tests.factories import PASSWORD
from tests.stages import signed_contract, stage_personas
from tests.test_contracts import active_template, confirmed_engagement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    """The steps are asserted in their English source words (tests/conftest.py)."""
    yield


@pytest.fixture
def people(personas, make_user):
    people = stage_personas(personas, make_user)
    people["reviewer"] = make_user(Role.REVIEWER, username="reviewer", full_name="評審甲")
    people["other_reviewer"] = make_user(Role.REVIEWER, username="reviewer2", full_name="評審乙")
    people["signatory"] = make_user(Role.MANAGEMENT, username="signer", full_name="簽約代表")
    SigningAuthorization.objects.create(
        representative=people["signatory"],
        amount_limit=10_000_000,
        currency="CNY",
        valid_from=date(2020, 1, 1),
        granted_by="董事會",
    )
    return people


def first_version(engagement, lead, **fields):
    """The first version of a new plan for ``engagement``, led by ``lead``."""
    plan = Plan.objects.create(
        code=f"PL-{engagement.code}", engagement=engagement, title="方案", project_lead=lead
    )
    return PlanVersion.objects.create(
        plan=plan,
        number=1,
        service_content="範圍",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        fee=300000,
        currency="CNY",
        author=lead,
        **fields,
    )


def holder_of(ball, people):
    """The persona the ball waits for."""
    if ball.person is not None:
        return ball.person
    if ball.client is not None:
        return people["client_a"]
    if ball.signatory:
        return people["signatory"]
    if ball.members is not None:
        return next(
            people[name] for name in ("reviewer", "other_reviewer") if people[name].pk in ball.members
        )
    return next(
        user for user in people.values() if user.client_organization_id is None and user.has_role(ball.role)
    )


def assert_waits_for_its_holder(client, engagement, people, *, step: str, holder: str | None = None):
    ball = ball_of(Engagement.objects.get(pk=engagement.pk))
    assert ball is not None and ball.holder_label != "—", step
    assert str(ball.step) == step
    user = holder_of(ball, people)
    if holder is not None:
        assert user == people[holder], (step, user)
    client.force_login(user)
    page = client.get("/").content.decode()
    assert ball.url.replace("&", "&amp;") in page, f"{step}: not on {user.username}'s My work"
    # The engagement list says the same, in the row of this engagement.
    client.force_login(people["admin"])
    listing = client.get(reverse("engagements:engagement_list"), {"q": engagement.code}).content.decode()
    assert step in listing and ball.holder_label in listing, step
    return ball


def test_every_waiting_step_after_the_confirmation_is_on_its_holders_my_work(client, people):
    engagement = confirmed_engagement(people, 1, with_plan=False)
    walk = lambda step, holder=None: assert_waits_for_its_holder(  # noqa: E731
        client, engagement, people, step=step, holder=holder
    )

    walk("Start the service plan and appoint its project lead", "management")

    version = first_version(engagement, people["lead"], state=PlanVersion.State.DRAFT)
    plan = version.plan
    states = PlanVersion.objects.filter(pk=version.pk)
    walk("Write the plan and submit it for review", "lead")
    version.reviewers.set([people["other_reviewer"]])
    states.update(state=PlanVersion.State.IN_REVIEW, submitted_at=timezone.now())
    walk("Review the plan", "other_reviewer")  # the panel, not every reviewer
    client.force_login(people["reviewer"])
    assert version.get_absolute_url() not in client.get("/").content.decode()
    states.update(state=PlanVersion.State.REVISE, decided_at=timezone.now())
    walk("Revise the plan", "lead")
    states.update(state=PlanVersion.State.PASSED)
    walk("Approve the plan", "management")
    states.update(state=PlanVersion.State.REJECTED)
    walk("Start a new version of the rejected plan", "lead")
    states.update(state=PlanVersion.State.APPROVED, approved_at=timezone.now())
    Plan.objects.filter(pk=plan.pk).update(effective_version=version)
    walk("Draft the contract", "legal")

    contract = contract_services.draft_contract(engagement, actor=people["legal"], template=active_template())
    contracts = Contract.objects.filter(pk=contract.pk)
    walk("Draft the contract", "legal")
    contracts.update(state=Contract.State.IN_REVIEW, submitted_at=timezone.now())
    walk("Legal review of the contract", "legal")
    contracts.update(legal_passed_at=timezone.now())
    walk("Business review of the contract", "management")
    contracts.update(state=Contract.State.RETURNED)
    walk("Correct the returned contract", "legal")
    contracts.update(state=Contract.State.APPROVED, approved_at=timezone.now())
    walk("Sign the contract", "client_a")
    signatures.sign(
        contract_form(),
        Contract.objects.get(pk=contract.pk),
        actor=people["client_a"],
        role="client",
        password=PASSWORD,
    )
    walk("Sign the contract for the company", "signatory")
    contracts.update(state=Contract.State.SIGNED, signed_at=timezone.now())
    walk("Open the project", "management")
    # Beside the main path, the archive room files the signed original.
    client.force_login(people["archive"])
    assert contract.get_absolute_url() in client.get("/").content.decode()
    contracts.update(state=Contract.State.ARCHIVED)
    assert contract.get_absolute_url() not in client.get("/").content.decode()
    walk("Open the project", "management")

    project = Project.objects.create(
        code="PJ-H-1",
        engagement=engagement,
        contract=contract,
        plan_version=version,
        name=engagement.title,
        project_lead=people["lead"],
        planned_start=version.period_start,
        planned_end=version.period_end,
    )
    projects = Project.objects.filter(pk=project.pk)
    walk("Hold and record the kickoff meeting", "lead")
    KickoffMeeting.objects.create(
        project=project, held_on=date(2026, 1, 5), location="會議室", goals="目標", tasks_communicated="任務"
    )
    walk("Start the implementation", "lead")
    projects.update(state=Project.State.IN_PROGRESS)
    walk("Implement the project", "lead")
    projects.update(state=Project.State.COMPLETED)
    walk("Apply for acceptance", "lead")
    final = AcceptanceRound.objects.create(project=project, number=1, state=AcceptanceRound.State.APPLIED)
    rounds = AcceptanceRound.objects.filter(pk=final.pk)
    walk("Prepare the acceptance", "client_a")
    rounds.update(state=AcceptanceRound.State.IN_ACCEPTANCE)
    walk("Carry out the acceptance", "client_a")
    rounds.update(state=AcceptanceRound.State.FAILED)
    walk("Rectify and apply for acceptance again", "lead")
    rounds.update(state=AcceptanceRound.State.PASSED)
    projects.update(state=Project.State.ACCEPTED)
    walk("Apply for settlement", "lead")

    settlement = settlement_services.apply(Contract.objects.get(pk=contract.pk), actor=people["lead"])
    settlements = Settlement.objects.filter(pk=settlement.pk)
    walk("Apply for settlement", "lead")
    settlements.update(state=Settlement.State.SUBMITTED)
    walk("Review the settlement", "finance")
    settlements.update(state=Settlement.State.RETURNED)
    walk("Correct the returned settlement", "lead")
    settlements.update(state=Settlement.State.APPROVED)
    walk("Collect the payment", "finance")

    Engagement.objects.filter(pk=engagement.pk).update(stage=Engagement.Stage.CLOSED)
    assert ball_of(Engagement.objects.get(pk=engagement.pk)) is None


def test_the_walk_above_covers_every_state_of_every_stage(people):
    """The meta-test: a state added to a stage's machine must get a waiting step (and the walk
    above a line for it), or this fails."""
    walked = {
        PlanVersion.State: {"draft", "in_review", "revise", "passed", "rejected", "approved"},
        Contract.State: {"draft", "in_review", "returned", "approved", "signed", "archived"},
        Project.State: {"opened", "in_progress", "completed", "accepted"},
        AcceptanceRound.State: {"applied", "in_acceptance", "failed", "passed"},
        Settlement.State: {"draft", "submitted", "returned", "approved"},
        Engagement.Stage: {
            "inquiry",
            "assessment",
            "confirmation",
            "confirmed",
            "closed",
            "out_of_scope",
            "withdrawn",
        },
    }
    for states, seen in walked.items():
        assert set(states.values) == seen, f"{states.__name__}: {set(states.values) ^ seen}"


def test_the_engagement_list_shows_every_rows_holder_with_a_fixed_number_of_queries(
    client, people, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["admin"])
    confirmed_engagement(people, 11)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("engagements:engagement_list"))
    for index in range(12, 16):
        confirmed_engagement(people, index)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("engagements:engagement_list")).content.decode()
    assert page.count("Draft the contract") + page.count("起草合同") >= 5


def test_overdue_work_says_so_in_words_not_only_in_red(client, people):
    engagement = confirmed_engagement(people, 21, with_plan=False)
    version = first_version(
        engagement,
        people["lead"],
        state=PlanVersion.State.IN_REVIEW,
        submitted_at=timezone.now() - timezone.timedelta(days=5),
        review_due=timezone.now() - timezone.timedelta(days=1),
    )
    version.reviewers.set([people["reviewer"]])
    client.force_login(people["reviewer"])
    page = client.get("/").content.decode()
    assert version.get_absolute_url() in page
    assert "data-overdue" in page and "Overdue" in page


def test_the_api_lists_the_waiting_step_and_holder_with_a_fixed_number_of_queries(people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(people["admin"])
    confirmed_engagement(people, 31)
    api.get("/api/engagements/")  # warm up: the user's roles are read once per request user
    with CaptureQueriesContext(connection) as one:
        first = api.get("/api/engagements/").json()["results"]
    for index in range(32, 36):
        confirmed_engagement(people, index)
    with CaptureQueriesContext(connection) as five:
        rows = api.get("/api/engagements/").json()["results"]
    assert len(five.captured_queries) == len(one.captured_queries)
    assert len(rows) == 5 and len(first) == 1
    assert {(row["waiting_step"], row["holder_label"]) for row in rows} == {
        ("Draft the contract", "Legal (queue)")
    }


def test_the_list_filters_and_names_every_stage_of_the_path(client, people):
    """X-1: an engagement in settlement is listed as such, not as "confirmed"; the stage filter
    knows every stage through closing."""
    from tests.test_settlement import accepted_project

    planning = confirmed_engagement(people, 41, with_plan=False)
    contracting = confirmed_engagement(people, 42)
    settling = accepted_project(people, 43).engagement
    client.force_login(people["admin"])
    url = reverse("engagements:engagement_list")
    expected = {"plan": planning, "contract": contracting, "settlement": settling}
    for phase, engagement in expected.items():
        page = client.get(url, {"stage": phase}).content.decode()
        others = [e for e in expected.values() if e != engagement]
        assert engagement.code in page and not any(e.code in page for e in others), phase
    assert client.get(url, {"stage": "implementation"}).content.decode().count("OS-T-") == 0
    listing = client.get(url).content.decode()
    for engagement, label in (
        (planning, "Service plan"),
        (contracting, "Contract"),
        (settling, "Settlement"),
    ):
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{engagement.code}(?:(?!</tr>).)*</tr>", listing, re.S)
        assert row and re.search(rf">\s*{label}\s*<", row.group(0)), (engagement.code, label)
    # Every stage is offered by the filter, in the order of the path.
    options = client.get(url).context["filterset"].form.fields["stage"].choices
    values = [value for value, _label in options if value]
    assert values == [
        "inquiry",
        "assessment",
        "confirmation",
        "confirmed",
        "plan",
        "contract",
        "implementation",
        "acceptance",
        "settlement",
        "closed",
        "out_of_scope",
        "withdrawn",
    ]


def test_the_plans_project_lead_finds_the_signed_contracts_project_to_open_in_one_click(client, people):
    """Management's queue holds "open the project"; the lead the plan names, who opens and runs it,
    finds it on their own My work too — one click to the project form with the contract chosen."""
    contract = signed_contract(people, 31)
    Plan.objects.filter(engagement=contract.engagement).update(project_lead=people["lead"])
    add = f"{reverse('projects:project_add')}?contract={contract.pk}"
    client.force_login(people["lead"])
    assert f'href="{add}"' in client.get("/").content.decode()
    page = client.get(add).content.decode()
    assert re.search(rf'<option value="{contract.pk}" selected>', page)
    client.force_login(people["management"])
    assert f'href="{add}"' in client.get("/").content.decode()  # the queue still has it
    client.force_login(people["other_reviewer"])
    assert f'href="{add}"' not in client.get("/").content.decode()
