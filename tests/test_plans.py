"""PLN-1..3, X-2: the service plan, its expert review and management approval, through HTTP.

The plan's version transitions are all service-only (submit, conclude_pass, conclude_revise,
approve, reject): they run through plans.services, tested here. The models without generic
pages — PlanVersion, Milestone, StaffAssignment, BudgetLine, PlanReview, PlanApproval and
ReviewCriteriaSet — are tested through the plan page and the API below.
"""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django_fsm_log.models import StateLog
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from onestop.core import numbering
from onestop.core.exceptions import ConflictError, DomainError
from onestop.core.roles import Role
from onestop.engagements.models import Channel, Engagement, Proposal
from onestop.notifications.models import Deadline, Notification
from onestop.plans import services
from onestop.plans.decision import PASS, REJECT, REVISE, Criterion, ReviewerScores, Rule, decide
from onestop.plans.models import (
    BudgetLine,
    Milestone,
    Plan,
    PlanApproval,
    PlanReview,
    PlanVersion,
    ReviewCriteriaSet,
    StaffAssignment,
)
from tests.generic import ModelTestBase
from tests.workflow import run_concurrently

CODES = ("rationality", "feasibility", "innovation", "risk_controllability")


@pytest.fixture(autouse=True)
def english():
    """Service messages in English for the assertions (API answers follow the user's language)."""
    with translation.override("en"):
        yield


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def team(make_user):
    return {
        "management": make_user(Role.MANAGEMENT, username="mgmt.chen", full_name="陳志明"),
        "management2": make_user(Role.MANAGEMENT, username="mgmt.wang", full_name="王麗華"),
        "lead": make_user(Role.PROJECT_LEAD, username="pm.zhou", full_name="周建國"),
        "technician": make_user(Role.TECHNICIAN, username="tech.zhang", full_name="張偉"),
        "reviewers": [
            make_user(Role.REVIEWER, username=f"expert.{name}", full_name=full)
            for name, full in (("zhao", "趙明遠"), ("qian", "錢文博"), ("feng", "馮淑芬"))
        ],
    }


def confirmed_engagement(org, technician, index=0, stage=Engagement.Stage.CONFIRMED, fee="480000.00"):
    """An engagement whose confirmation form has been agreed (and, for CONFIRMED, signed)."""
    engagement = Engagement.objects.create(
        code=numbering.next_code("OS"),
        title=f"產線數據採集 {index}",
        client=org,
        channel=Channel.PHONE,
        stage=stage,
        technician=technician,
    )
    proposal = Proposal.objects.create(
        engagement=engagement,
        round=1,
        party=Proposal.Party.COMPANY,
        author=technician,
        service_content="生產線數據採集平台建設",
        technical_requirements="支援 200 台設備，延遲小於 1 秒",
        period_start=date(2027, 1, 4),
        period_end=date(2027, 6, 30),
        fee=Decimal(fee),
        status=Proposal.Status.ACCEPTED,
    )
    Engagement.objects.filter(pk=engagement.pk).update(agreed_proposal=proposal)
    engagement.refresh_from_db()
    return engagement


PARTS = {
    "technical_route": "OPC UA 網關採集，時序數據庫，Web 看板",
    "implementation_steps": "調研 → 設計 → 開發 → 驗收",
    "quality_measures": "代碼評審；里程碑測試報告",
    "milestones": [
        {"name": "方案設計", "due_date": "2027-02-01", "deliverables": "設計說明書"},
        {"name": "上線驗收", "due_date": "2027-06-30", "deliverables": "驗收報告"},
    ],
    "budget_lines": [
        {"category": "personnel", "description": "人工", "amount": "300000.00"},
        {"category": "equipment", "description": "網關", "amount": "120000.00"},
        {"category": "travel", "description": "差旅", "amount": "20000.00"},
    ],
}


def parts(team, **extra):
    return {**PARTS, "staffing": [{"user": team["lead"].pk, "role": "項目負責人", "allocation": 60}], **extra}


def ready_version(plan, team):
    """Version 1 filled in through the service, ready to submit."""
    version = plan.versions.get(number=1)
    data = parts(team)
    data["staffing"] = [{"user": team["lead"], "role": "項目負責人", "allocation": 60}]
    data["milestones"] = [{**m, "due_date": date.fromisoformat(m["due_date"])} for m in data["milestones"]]
    data["budget_lines"] = [{**b, "amount": Decimal(b["amount"])} for b in data["budget_lines"]]
    services.update_version(version, actor=team["lead"], **data)
    return version


def passed_version(org_a, team, fee="480000.00"):
    engagement = confirmed_engagement(org_a, team["technician"], fee=fee)
    plan = services.create_plan(engagement, actor=team["management"], project_lead=team["lead"])
    version = ready_version(plan, team)
    services.submit_version(version, actor=team["lead"], reviewers=team["reviewers"])
    for reviewer in team["reviewers"]:
        services.submit_review(version, actor=reviewer, scores=dict.fromkeys(CODES, 4), recommendation="pass")
    version.refresh_from_db()
    assert version.state == PlanVersion.State.PASSED
    return version


# --- the full path through the API -------------------------------------------------------------------


def test_PLN_1_2_3_plan_drafted_reviewed_twice_and_approved_through_the_api(
    org_a, team, client, django_capture_on_commit_callbacks
):
    engagement = confirmed_engagement(org_a, team["technician"])
    lead, management, panel = team["lead"], team["management"], team["reviewers"]
    with django_capture_on_commit_callbacks(execute=True):
        # PLN-1: management opens the plan and names the project lead; v1 is prefilled.
        response = api(management).post(
            "/api/plans/", {"engagement": engagement.pk, "project_lead": lead.pk}, format="json"
        )
        assert response.status_code == 201, response.json()
        plan = Plan.objects.get(pk=response.json()["id"])
        assert plan.code.startswith("PLN-") and response.json()["latest_version"] == 1
        v1 = plan.versions.get()
        assert (v1.fee, v1.period_end) == (Decimal("480000.00"), date(2027, 6, 30))
        assert v1.service_content == "生產線數據採集平台建設"
        assert Notification.objects.filter(recipient=lead, level="action").exists()

        # The project lead drafts: content, milestones, staffing, budget by category with totals.
        response = api(lead).patch(f"/api/plan-versions/{v1.pk}/", parts(team), format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert Decimal(body["budget_total"]) == Decimal("440000.00")
        assert len(body["milestones"]) == 2 and body["staffing"][0]["allocation"] == 60

        # PLN-2: submitted to a panel of three, who are notified with a deadline.
        response = api(lead).post(
            f"/api/plan-versions/{v1.pk}/submit/", {"reviewers": [r.pk for r in panel]}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == "in_review"
        for reviewer in panel:
            assert Notification.objects.filter(recipient=reviewer, level="action").exists()
            assert Deadline.objects.open().filter(responsible=reviewer).exists()
        # A submitted version is frozen.
        response = api(lead).patch(f"/api/plan-versions/{v1.pk}/", {"technical_route": "改"}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "not_editable"

        scores = [
            (
                {"rationality": 4, "feasibility": 3, "innovation": 3, "risk_controllability": 2},
                "revise",
                "風險不足",
            ),
            (
                {"rationality": 3, "feasibility": 3, "innovation": 3, "risk_controllability": 2},
                "revise",
                "步驟過粗",
            ),
            ({"rationality": 4, "feasibility": 4, "innovation": 3, "risk_controllability": 3}, "pass", ""),
        ]
        # The first reviewer works in English: their deadline (titled in Chinese) still closes.
        panel[0].language = "en"
        panel[0].save(update_fields=["language"])
        for reviewer, (given_scores, recommendation, comments) in zip(panel, scores, strict=True):
            response = api(reviewer).post(
                f"/api/plan-versions/{v1.pk}/review/",
                {"scores": given_scores, "recommendation": recommendation, "comments": comments},
                format="json",
            )
            assert response.status_code == 200, response.json()
            if reviewer == panel[0]:
                assert not Deadline.objects.open().filter(responsible=reviewer).exists()
                assert Deadline.objects.open().filter(responsible=panel[1]).exists()
        # The rule says revise, with its reasons; the lead is told.
        body = response.json()
        assert body["state"] == "revise"
        assert Decimal(body["weighted_mean"]) == Decimal("3.08")
        assert any("2.33" in reason for reason in body["decision_reasons"])  # risk controllability mean
        assert Notification.objects.filter(recipient=lead, title__contains=str(v1), level="action").exists()
        assert not Deadline.objects.open().filter(responsible__in=panel).exists()

        # A new version, revised, reviewed again by the same panel: passes.
        response = api(lead).post(
            f"/api/plans/{plan.pk}/new-version/", {"change_note": "按意見修改"}, format="json"
        )
        assert response.status_code == 201, response.json()
        v2 = PlanVersion.objects.get(pk=response.json()["id"])
        assert v2.number == 2 and v2.budget_lines.count() == 3  # copied from v1
        response = api(lead).patch(
            f"/api/plan-versions/{v2.pk}/", {"implementation_steps": "分兩期實施，設回退方案"}, format="json"
        )
        assert response.status_code == 200, response.json()
        response = api(lead).post(
            f"/api/plan-versions/{v2.pk}/submit/", {"reviewers": [r.pk for r in panel]}, format="json"
        )
        assert response.status_code == 200, response.json()
        for reviewer in panel:
            response = api(reviewer).post(
                f"/api/plan-versions/{v2.pk}/review/",
                {"scores": dict.fromkeys(CODES, 4), "recommendation": "pass"},
                format="json",
            )
            assert response.status_code == 200, response.json()
        assert response.json()["state"] == "passed"
        assert Notification.objects.filter(
            recipient=management, title__contains=str(v2), level="action"
        ).exists()

        # PLN-3: management approves; the version takes effect and is frozen.
        response = api(management).post(
            f"/api/plan-versions/{v2.pk}/approve/", {"comment": "同意"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == "approved"

    plan.refresh_from_db()
    assert plan.effective_version == v2
    assert services.require_effective_plan(engagement) == v2
    response = api(lead).patch(f"/api/plan-versions/{v2.pk}/", {"quality_measures": "改"}, format="json")
    assert response.status_code == 400
    log = list(StateLog.objects.filter(object_id__in=[v1.pk, v2.pk]).values_list("transition", flat=True))
    assert log == ["submit", "conclude_revise", "submit", "conclude_pass", "approve"]

    # The plan page shows both versions, the differences, the outcome with reasons.
    client.force_login(management)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="version-2"' in page and 'data-outcome="revise"' in page and 'data-outcome="pass"' in page
    assert "分兩期實施" in page and "table-warning" in page
    # The engagement page shows the plan card and the plan's events on its timeline.
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert 'id="service-plan"' in page and plan.code in page
    assert page.count('data-kind="plan_review"') == 2 and 'data-kind="plan_approval"' in page


# --- the gate ---------------------------------------------------------------------------------------


def test_X_2_no_plan_before_the_confirmation_form_is_signed(org_a, team):
    engagement = confirmed_engagement(org_a, team["technician"], stage=Engagement.Stage.CONFIRMATION)
    response = api(team["management"]).post(
        "/api/plans/", {"engagement": engagement.pk, "project_lead": team["lead"].pk}, format="json"
    )
    assert response.status_code == 400
    assert engagement.code in response.json()["detail"]  # "…after the confirmation form is signed…"
    assert "engagement" in response.json()["errors"]
    assert not Plan.objects.exists()
    with translation.override("en"), pytest.raises(DomainError, match="approved service plan"):
        services.require_effective_plan(engagement)


def test_X_2_a_contract_needs_an_approved_plan_not_only_a_plan(org_a, team):
    version = passed_version(org_a, team)
    with translation.override("en"), pytest.raises(DomainError, match="approved service plan"):
        services.require_effective_plan(version.plan.engagement)
    services.approve_version(version, actor=team["management"])
    assert services.require_effective_plan(version.plan.engagement) == version


def test_PLN_1_one_plan_per_engagement_and_only_management_opens_it(org_a, team):
    engagement = confirmed_engagement(org_a, team["technician"])
    response = api(team["lead"]).post(
        "/api/plans/", {"engagement": engagement.pk, "project_lead": team["lead"].pk}, format="json"
    )
    assert response.status_code == 403
    services.create_plan(engagement, actor=team["management"], project_lead=team["lead"])
    with pytest.raises(ConflictError):
        services.create_plan(engagement, actor=team["management"], project_lead=team["lead"])
    with translation.override("en"), pytest.raises(DomainError, match="project lead"):
        services.create_plan(
            confirmed_engagement(org_a, team["technician"], 1),
            actor=team["management"],
            project_lead=team["technician"],
        )


# --- bad input ---------------------------------------------------------------------------------------------


def test_PLN_1_bad_budget_and_staffing_answer_400_with_field_errors(org_a, team):
    plan = services.create_plan(
        confirmed_engagement(org_a, team["technician"]), actor=team["management"], project_lead=team["lead"]
    )
    version = plan.versions.get()
    lead = api(team["lead"])
    bad_budget = parts(team, budget_lines=[{"category": "travel", "description": "差旅", "amount": "-5.00"}])
    response = lead.patch(f"/api/plan-versions/{version.pk}/", bad_budget, format="json")
    assert response.status_code == 400
    assert "amount" in response.json()["errors"]["budget_lines"]["0"]
    bad_staff = parts(team, staffing=[{"user": team["lead"].pk, "role": "負責人", "allocation": 120}])
    response = lead.patch(f"/api/plan-versions/{version.pk}/", bad_staff, format="json")
    assert response.status_code == 400
    assert "allocation" in response.json()["errors"]["staffing"]["0"]
    response = lead.patch(
        f"/api/plan-versions/{version.pk}/",
        {"period_start": "2027-07-01", "period_end": "2027-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "period_end" in response.json()["errors"]
    assert not BudgetLine.objects.exists() and not StaffAssignment.objects.exists()
    assert not Milestone.objects.exists()
    # An incomplete draft cannot be submitted.
    response = lead.post(
        f"/api/plan-versions/{version.pk}/submit/", {"reviewers": [team["reviewers"][0].pk]}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "condition_unmet"


def test_PLN_2_a_score_outside_the_scale_answers_400_and_records_nothing(org_a, team):
    engagement = confirmed_engagement(org_a, team["technician"])
    plan = services.create_plan(engagement, actor=team["management"], project_lead=team["lead"])
    version = ready_version(plan, team)
    services.submit_version(version, actor=team["lead"], reviewers=team["reviewers"][:1])
    reviewer = api(team["reviewers"][0])
    url = f"/api/plan-versions/{version.pk}/review/"
    response = reviewer.post(
        url, {"scores": {**dict.fromkeys(CODES, 4), "innovation": 6}, "recommendation": "pass"}, format="json"
    )
    assert response.status_code == 400 and "scores" in response.json()["errors"]
    response = reviewer.post(url, {"scores": {"rationality": 4}, "recommendation": "pass"}, format="json")
    assert response.status_code == 400 and "scores" in response.json()["errors"]
    response = reviewer.post(
        url, {"scores": dict.fromkeys(CODES, 2), "recommendation": "reject"}, format="json"
    )
    assert response.status_code == 400 and "comments" in response.json()["errors"]
    assert not PlanReview.objects.exists()
    version.refresh_from_db()
    assert version.state == PlanVersion.State.IN_REVIEW


def test_PLN_2_only_the_panel_reviews_and_each_member_once(org_a, team, make_user):
    engagement = confirmed_engagement(org_a, team["technician"])
    plan = services.create_plan(engagement, actor=team["management"], project_lead=team["lead"])
    version = ready_version(plan, team)
    panel = team["reviewers"][:2]
    services.submit_version(version, actor=team["lead"], reviewers=panel)
    outsider = team["reviewers"][2]
    body = {"scores": dict.fromkeys(CODES, 4), "recommendation": "pass"}
    assert (
        api(outsider).post(f"/api/plan-versions/{version.pk}/review/", body, format="json").status_code
        == 404  # not on the panel, not seen
    )
    assert (
        api(panel[0]).post(f"/api/plan-versions/{version.pk}/review/", body, format="json").status_code == 200
    )
    again = api(panel[0]).post(f"/api/plan-versions/{version.pk}/review/", body, format="json")
    assert again.status_code == 409
    # Only reviewers can sit on a panel.
    with translation.override("en"), pytest.raises(DomainError, match="not an active reviewer"):
        services.submit_version(version, actor=team["lead"], reviewers=[team["technician"]])


# --- the decision rule ---------------------------------------------------------------------------------------


def test_PLN_2_the_rule_passes_exactly_on_the_threshold_and_explains_itself():
    criteria = [Criterion(code, code) for code in CODES]
    on_threshold = [
        ReviewerScores({"rationality": 4, "feasibility": 3, "innovation": 4, "risk_controllability": 3}),
    ]
    decision = decide(on_threshold, criteria, Rule())
    assert decision.outcome == PASS and decision.weighted_mean == Fraction(7, 2)
    low = [ReviewerScores({"rationality": 5, "feasibility": 5, "innovation": 5, "risk_controllability": 2})]
    decision = decide(low, criteria, Rule())
    assert decision.outcome == REVISE and any("risk_controllability" in reason for reason in decision.reasons)
    rejected = [ReviewerScores(dict.fromkeys(CODES, 5)), ReviewerScores(dict.fromkeys(CODES, 5), REJECT)]
    decision = decide(rejected, criteria, Rule())
    assert decision.outcome == REVISE and any("rejection" in reason for reason in decision.reasons)
    assert decide(rejected, criteria, Rule(reject_forces_revise=False)).outcome == PASS


@settings(max_examples=300, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=0, max_value=5), min_size=4, max_size=4).filter(any),
    reviews=st.lists(
        st.tuples(
            st.lists(st.integers(min_value=1, max_value=5), min_size=4, max_size=4),
            st.sampled_from([PASS, REVISE, REJECT]),
        ),
        min_size=1,
        max_size=6,
    ),
    pass_mean=st.sampled_from([Fraction(3), Fraction(7, 2), Fraction(4)]),
    min_mean=st.sampled_from([Fraction(2), Fraction(5, 2), Fraction(3)]),
    reject_forces_revise=st.booleans(),
)
def test_PLN_2_the_outcome_agrees_with_the_rule_for_any_scores(
    weights, reviews, pass_mean, min_mean, reject_forces_revise
):
    criteria = [Criterion(code, code, weight) for code, weight in zip(CODES, weights, strict=True)]
    scores = [ReviewerScores(dict(zip(CODES, values, strict=True)), rec) for values, rec in reviews]
    rule = Rule(pass_mean, min_mean, reject_forces_revise)
    decision = decide(scores, criteria, rule)
    # The rule, stated independently: per-criterion means, weighted by the criteria's weights.
    means = [Fraction(sum(values[i] for values, _rec in reviews), len(reviews)) for i in range(4)]
    weighted = sum(m * w for m, w in zip(means, weights, strict=True)) / sum(weights)
    should_pass = (
        weighted >= pass_mean
        and all(m >= min_mean for m in means)
        and not (reject_forces_revise and any(rec == REJECT for _values, rec in reviews))
    )
    assert decision.outcome == (PASS if should_pass else REVISE)
    assert decision.weighted_mean == weighted
    assert decision.reasons  # the outcome always says why


def test_PLN_2_criteria_scale_and_weights_are_configurable_and_a_used_set_is_frozen(org_a, team):
    ReviewCriteriaSet.objects.create(
        name="十分制",
        version=2,
        scale_min=1,
        scale_max=10,
        pass_mean=Decimal("7"),
        min_criterion_mean=Decimal("5"),
        criteria=[
            {"code": "rationality", "weight": "2"},
            {"code": "feasibility", "weight": "2"},
            {"code": "innovation", "weight": "1"},
            {"code": "risk_controllability", "weight": "1"},
        ],
    )
    engagement = confirmed_engagement(org_a, team["technician"])
    plan = services.create_plan(engagement, actor=team["management"], project_lead=team["lead"])
    version = ready_version(plan, team)
    services.submit_version(version, actor=team["lead"], reviewers=team["reviewers"][:1])
    assert version.criteria_set.version == 2
    services.submit_review(
        version,
        actor=team["reviewers"][0],
        scores={"rationality": 9, "feasibility": 8, "innovation": 5, "risk_controllability": 6},
        recommendation="pass",
    )
    version.refresh_from_db()
    assert version.state == PlanVersion.State.PASSED and version.weighted_mean == Decimal("7.50")
    used = version.criteria_set
    used.pass_mean = Decimal("8")
    with pytest.raises(ValidationError):
        used.full_clean()
    with pytest.raises(ValidationError):
        ReviewCriteriaSet(name="x", version=9, criteria=[{"code": "a", "weight": "-1"}]).full_clean()


# --- approval ----------------------------------------------------------------------------------------------


def test_PLN_3_above_the_budget_threshold_a_second_different_approver_is_needed(org_a, team, settings):
    settings.ONESTOP_PLAN_SECOND_APPROVAL_ABOVE = "100000"
    version = passed_version(org_a, team)
    assert services.approval_levels(version) == 2
    services.approve_version(version, actor=team["management"], comment="同意")
    version.refresh_from_db()
    assert version.state == PlanVersion.State.PASSED and version.approvals.count() == 1
    with translation.override("en"), pytest.raises(DomainError, match="another member of management"):
        services.approve_version(version, actor=team["management"])
    services.approve_version(version, actor=team["management2"], comment="同意")
    version.refresh_from_db()
    assert version.state == PlanVersion.State.APPROVED
    assert list(version.approvals.values_list("level", "approver")) == [
        (1, team["management"].pk),
        (2, team["management2"].pk),
    ]


def test_PLN_3_rejection_needs_a_reason_and_a_change_is_a_new_version(org_a, team):
    version = passed_version(org_a, team)
    response = api(team["management"]).post(f"/api/plan-versions/{version.pk}/reject/", {}, format="json")
    assert response.status_code == 400
    assert (
        api(team["lead"]).post(f"/api/plan-versions/{version.pk}/approve/", {}, format="json").status_code
        == 403
    )
    response = api(team["management"]).post(
        f"/api/plan-versions/{version.pk}/reject/", {"comment": "預算過高"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    v2 = services.new_version(version.plan, actor=team["lead"], change_note="降低預算")
    assert v2.number == 2 and v2.state == PlanVersion.State.DRAFT


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_PLN_3_concurrent_approvals_of_one_version_give_one_approval(org_a, team):
    version = passed_version(org_a, team)

    def approve_as(user):
        def prepare():
            mine = PlanVersion.objects.get(pk=version.pk)  # each "request" reads the page's record
            return lambda: services.approve_version(mine, actor=user, comment="同意")

        return prepare

    _results, errors = run_concurrently(approve_as(team["management"]), approve_as(team["management2"]))
    assert sum(1 for e in errors if e is None) == 1, errors
    assert [type(e) for e in errors if e is not None] == [ConflictError]
    version.refresh_from_db()
    assert version.state == PlanVersion.State.APPROVED
    assert PlanApproval.objects.filter(version=version).count() == 1
    assert StateLog.objects.filter(object_id=version.pk, transition="approve").count() == 1


# --- the pages ------------------------------------------------------------------------------------------------


def test_PLN_1_2_3_the_plan_pages_edit_score_and_approve(org_a, team, client):
    engagement = confirmed_engagement(org_a, team["technician"])
    # Management opens the plan from the engagement page's card.
    client.force_login(team["management"])
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert reverse("plans:plan_add") in page
    response = client.post(
        reverse("plans:plan_add"), {"engagement": engagement.pk, "title": "", "project_lead": team["lead"].pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Plan.objects.get()
    # The project lead edits the draft with its milestones, staffing and budget.
    client.force_login(team["lead"])
    edit_url = reverse("plans:planversion_edit", args=[plan.versions.get(number=1).pk])
    assert client.get(edit_url).status_code == 200
    form = {
        "service_content": "數據採集平台",
        "technical_route": "OPC UA",
        "implementation_steps": "兩期",
        "quality_measures": "評審",
        "period_start": "2027-01-04",
        "period_end": "2027-06-30",
        "fee": "480000.00",
        "currency": "CNY",
        "change_note": "",
    }
    for prefix in ("milestones", "staffing", "budget"):
        form.update({f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "0"})
    form.update(
        {
            "milestones-0-name": "設計",
            "milestones-0-due_date": "2027-02-01",
            "milestones-0-deliverables": "說明書",
        }
    )
    form.update(
        {"staffing-0-user": team["lead"].pk, "staffing-0-role": "負責人", "staffing-0-allocation": "150"}
    )
    form.update({"budget-0-category": "personnel", "budget-0-amount": "300000"})
    response = client.post(edit_url, form)
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    form["staffing-0-allocation"] = "60"
    response = client.post(edit_url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    version = plan.versions.get()
    assert version.budget_total == Decimal("300000") and version.staffing.get().allocation == 60
    # Submitted to one reviewer, who scores in the form on the plan page.
    response = client.post(
        reverse("plans:planversion_submit", args=[plan.versions.get(number=1).pk]),
        {"reviewers": [team["reviewers"][0].pk], "comment": "請評審"},
    )
    assert response.status_code == 302
    assert client.get(edit_url).status_code == 302  # frozen: back to the plan with a message
    reviewer = team["reviewers"][0]
    client.force_login(reviewer)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="review-form-1"' in page and "score_risk_controllability" in page
    review_url = reverse("plans:planversion_review", args=[plan.versions.get(number=1).pk])
    bad = {f"score_{code}": "4" for code in CODES} | {"score_innovation": "9", "recommendation": "pass"}
    assert client.post(review_url, bad).status_code == 400
    good = {f"score_{code}": "4" for code in CODES} | {"recommendation": "pass", "comments": "可行"}
    assert client.post(review_url, good).status_code == 302
    # Management sees the outcome and approves with the button.
    client.force_login(team["management"])
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'data-outcome="pass"' in page and 'id="approve-1"' in page
    response = client.post(
        reverse("plans:planversion_approve", args=[plan.versions.get(number=1).pk]), {"comment": "同意"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.effective_version == version
    # Staff without a part see the plan but no action; clients never see it.
    client.force_login(team["technician"])
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="approve-1"' not in page and 'id="submit-form"' not in page


def test_X_3_clients_never_see_plans(org_a, team, client_a, client):
    version = passed_version(org_a, team)
    client.force_login(client_a)
    assert client.get(version.plan.get_absolute_url()).status_code == 404
    page = client.get(version.plan.engagement.get_absolute_url()).content.decode()
    assert 'id="service-plan"' not in page and 'data-kind="plan_review"' not in page
    assert api(client_a).get(f"/api/plan-versions/{version.pk}/").status_code in (403, 404)


def test_PLN_demo_has_a_plan_with_two_review_rounds_an_approved_plan_and_one_in_review(db):
    from onestop.accounts import demo as accounts_demo
    from onestop.engagements import demo as engagements_demo
    from onestop.plans import demo as plans_demo

    accounts_demo.load()
    engagements_demo.load()
    plans_demo.load()
    approved = Plan.objects.exclude(effective_version=None).get()
    assert approved.versions.count() == 2
    assert approved.versions.get(number=1).state == PlanVersion.State.REVISE
    assert PlanVersion.objects.filter(state=PlanVersion.State.IN_REVIEW).count() == 1
    assert PlanVersion.objects.filter(state=PlanVersion.State.DRAFT).count() == 1


# --- generic pages of Plan ------------------------------------------------------------------------------------


class TestPlanModel(ModelTestBase):
    model = Plan
    manager = "management"
    deletable = False
    viewer = "finance"
    no_view = "client_a"
    invalid_field = "engagement"

    @pytest.fixture(autouse=True)
    def _team(self, personas, team):
        personas.update(management=team["management"], lead=team["lead"], technician=team["technician"])
        self.counter = 100

    def _engagement(self, personas):
        self.counter += 1
        return confirmed_engagement(
            personas["client_a"].client_organization, personas["technician"], self.counter
        )

    def make_object(self, personas, index=0):
        return services.create_plan(
            self._engagement(personas), actor=personas["management"], project_lead=personas["lead"]
        )

    def create_data(self, personas):
        return {
            "engagement": self._engagement(personas).pk,
            "title": "服務方案",
            "project_lead": personas["lead"].pk,
        }

    def update_data(self, obj, personas):
        return {"title": "服務方案（修訂）", "project_lead": personas["lead"].pk}

    def api_update_data(self, obj, personas):
        return {"title": "服務方案（修訂）"}

    def invalid_data(self, personas):
        return {"engagement": "", "title": "x", "project_lead": personas["lead"].pk}


def test_X_5_the_plan_prints_as_a_pdf_with_its_review_summary(org_a, team, client):
    from onestop.core import pdf, signatures

    version = passed_version(org_a, team)
    services.approve_version(version, actor=team["management"], comment="同意執行")
    plan = version.plan
    html = pdf.document_html(signatures.get_document("service_plan"), plan)
    assert plan.code in html and "同意執行" in html and "4" in html
    client.force_login(team["lead"])
    page = client.get(plan.get_absolute_url()).content.decode()
    url = reverse("core:document_pdf", args=["plans.plan", plan.pk, "service_plan"])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")


def test_PLN_2_3_my_work_lists_plans_to_review_to_approve_and_to_revise(org_a, team, client):
    engagement = confirmed_engagement(org_a, team["technician"])
    plan = services.create_plan(engagement, actor=team["management"], project_lead=team["lead"])
    version = ready_version(plan, team)
    client.force_login(team["lead"])
    assert version.get_absolute_url() in client.get(reverse("home")).content.decode()
    services.submit_version(version, actor=team["lead"], reviewers=team["reviewers"][:1])
    client.force_login(team["reviewers"][0])
    assert version.get_absolute_url() in client.get(reverse("home")).content.decode()
    services.submit_review(
        version, actor=team["reviewers"][0], scores=dict.fromkeys(CODES, 4), recommendation="pass"
    )
    assert version.get_absolute_url() not in client.get(reverse("home")).content.decode()
    client.force_login(team["management"])
    assert version.get_absolute_url() in client.get(reverse("home")).content.decode()


def test_PLN_2_a_reviewer_sees_the_differences_since_the_version_they_reviewed(org_a, team, client):
    engagement = confirmed_engagement(org_a, team["technician"])
    plan = services.create_plan(engagement, actor=team["management"], project_lead=team["lead"])
    first, second, newcomer = team["reviewers"]
    v1 = ready_version(plan, team)
    services.submit_version(v1, actor=team["lead"], reviewers=[first, second])
    for reviewer in (first, second):
        services.submit_review(
            v1, actor=reviewer, scores=dict.fromkeys(CODES, 2), recommendation="revise", comments="路線不清"
        )
    v1.refresh_from_db()
    assert v1.state == PlanVersion.State.REVISE
    v2 = services.new_version(plan, actor=team["lead"], change_note="按評審意見修改")
    services.update_version(
        v2,
        actor=team["lead"],
        technical_route="MQTT 網關採集，雙機熱備",
        budget_lines=[{"category": "personnel", "description": "人工", "amount": Decimal("350000.00")}],
    )
    # A changed panel: one who reviewed version 1, one new to the plan.
    services.submit_version(v2, actor=team["lead"], reviewers=[first, newcomer])

    type(first).objects.filter(pk=first.pk).update(language="en")  # the page in English for the assertions
    client.force_login(first)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="since-reviewed-2"' in page and 'data-since="1"' in page
    since = page[page.index('id="since-reviewed-2"') : page.index('id="review-form-2"')]
    assert "Changes since version 1, which you reviewed" in since
    assert "OPC UA 網關採集" in since and "MQTT 網關採集，雙機熱備" in since  # before and after
    assert 'data-term="technical_route"' in since and 'data-term="budget"' in since
    assert 'data-term="service_content"' not in since  # only what changed
    assert "350,000.00" in since and "440,000.00" in since  # the budget totals, from the same diff

    # Whoever did not review an earlier version sees no such comparison.
    for user in (newcomer, team["lead"]):
        client.force_login(user)
        assert 'id="since-reviewed-' not in client.get(plan.get_absolute_url()).content.decode()

    # The API answers the same comparison.
    url = f"/api/plan-versions/{v2.pk}/changes-since-my-review/"
    answer = api(first).get(url).json()
    assert answer["since_version"] == 1
    assert {c["name"] for c in answer["changes"]} == {"technical_route", "budget"}
    route = next(c for c in answer["changes"] if c["name"] == "technical_route")
    assert (route["before"], route["value"]) == (PARTS["technical_route"], "MQTT 網關採集，雙機熱備")
    assert api(newcomer).get(url).json() == {"since_version": None, "changes": []}

    # Once the reviewer has scored, the comparison stays until the version leaves review.
    client.force_login(first)
    good = {f"score_{code}": "4" for code in CODES} | {"recommendation": "pass", "comments": ""}
    assert (
        client.post(
            reverse("plans:planversion_review", args=[plan.versions.get(number=2).pk]), good
        ).status_code
        == 302
    )
    assert 'id="since-reviewed-2"' in client.get(plan.get_absolute_url()).content.decode()


def test_PLN_2_the_panel_is_chosen_from_reviewers_suggested_by_department_staffing_departments_first(
    org_a, team, make_user, client
):
    from tests.factories import DepartmentFactory

    quality = DepartmentFactory(name="質量部", sort_order=1)
    data = DepartmentFactory(name="數據部", sort_order=9)
    team["lead"].department = data
    team["lead"].save()
    zhao, qian, feng = team["reviewers"]  # feng has no department
    for reviewer, department in ((zhao, quality), (qian, data)):
        reviewer.department = department
        reviewer.save()
    make_user(Role.TECHNICIAN, username="tech.li", department=quality)  # not a reviewer: never suggested
    make_user(Role.REVIEWER, username="expert.gone", department=data, is_active=False)
    engagement = confirmed_engagement(org_a, team["technician"])
    plan = services.create_plan(engagement, actor=team["management"], project_lead=team["lead"])
    version = ready_version(plan, team)  # staffed by the lead of 數據部

    groups = services.reviewer_suggestions(version)
    assert [(g["department"], g["relevant"], g["reviewers"]) for g in groups] == [
        (data, True, [qian]),  # the staffing's department first, though sorted after 質量部
        (quality, False, [zhao]),
        (None, False, [feng]),
    ]

    answer = api(team["lead"]).get(f"/api/plan-versions/{version.pk}/reviewer-suggestions/")
    assert answer.status_code == 200
    assert [(g["department"] and g["department"]["name"], g["relevant"]) for g in answer.json()] == [
        ("數據部", True),
        ("質量部", False),
        (None, False),
    ]
    assert answer.json()[0]["reviewers"] == [{"id": qian.pk, "name": qian.display_name}]

    type(team["lead"]).objects.filter(pk=team["lead"].pk).update(language="en")
    client.force_login(team["lead"])
    page = client.get(plan.get_absolute_url()).content.decode()
    form = page[page.index('id="submit-form"') : page.index("</form>", page.index('id="submit-form"'))]
    headers = [
        "數據部 (staffing of this plan)",
        f'value="{qian.pk}"',
        "質量部",
        f'value="{zhao.pk}"',
        "No department",
        f'value="{feng.pk}"',
    ]
    positions = [form.index(text) for text in headers]
    assert positions == sorted(positions), positions
    assert form.count('class="app-checkgroup') == 3 and "tech.li" not in form and "expert.gone" not in form
    # Any suggested reviewer can be chosen, across departments.
    response = client.post(
        reverse("plans:planversion_submit", args=[plan.versions.get(number=1).pk]),
        {"reviewers": [qian.pk, feng.pk]},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert set(version.reviewers.all()) == {qian, feng}


# --- dates of a plan version (issue 10, item 6) -----------------------------------------------------


def draft_plan(org_a, team):
    return services.create_plan(
        confirmed_engagement(org_a, team["technician"]), actor=team["management"], project_lead=team["lead"]
    )


def test_PLN_1_the_api_refuses_a_milestone_due_outside_the_service_period(org_a, team):
    version = draft_plan(org_a, team).versions.get()
    late = [{"name": "上線驗收", "due_date": "2029-06-17", "deliverables": "驗收報告"}]  # 900 days on
    response = api(team["lead"]).patch(
        f"/api/plan-versions/{version.pk}/",
        parts(team, period_start="2027-01-04", period_end="2027-04-03", milestones=late),
        format="json",
    )
    assert response.status_code == 400
    assert any(key.startswith("milestones") for key in response.json()["errors"]), response.json()
    assert "2029-06-17" in str(response.json()["errors"])  # the message names the date refused
    assert not Milestone.objects.exists() and not BudgetLine.objects.exists()
    version.refresh_from_db()
    assert version.period_end == date(2027, 6, 30)


def test_PLN_1_shortening_the_period_past_a_milestone_is_refused(org_a, team):
    version = ready_version(draft_plan(org_a, team), team)  # milestones 2027-02-01 and 2027-06-30
    response = api(team["lead"]).patch(
        f"/api/plan-versions/{version.pk}/", {"period_end": "2027-03-31"}, format="json"
    )
    assert response.status_code == 400
    assert "milestones" in response.json()["errors"], response.json()
    version.refresh_from_db()
    assert version.period_end == date(2027, 6, 30)


def test_PLN_1_a_milestone_before_the_period_starts_is_refused_on_the_edit_page(org_a, team, client):
    version = draft_plan(org_a, team).versions.get()
    client.force_login(team["lead"])
    form = {
        "service_content": "數據採集平台",
        "period_start": "2027-01-04",
        "period_end": "2027-06-30",
        "fee": "480000.00",
        "currency": "CNY",
        "milestones-0-name": "設計",
        "milestones-0-due_date": "2026-12-01",
        "staffing-0-user": team["lead"].pk,
        "staffing-0-role": "負責人",
        "staffing-0-allocation": "60",
        "budget-0-category": "personnel",
        "budget-0-amount": "300000",
    }
    for prefix in ("milestones", "staffing", "budget"):
        form.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("plans:planversion_edit", args=[version.pk]), form)
    assert response.status_code == 400
    assert "2026-12-01" in response.content.decode() and "超出服務周期" in response.content.decode()
    assert not Milestone.objects.exists()
    # Moving the period and the milestone together in one edit is fine.
    form.update({"period_start": "2026-11-02", "period_end": "2027-03-31"})
    response = client.post(reverse("plans:planversion_edit", args=[version.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Milestone.objects.get().due_date == date(2026, 12, 1)


def test_PLN_2_a_version_with_a_milestone_outside_its_period_cannot_be_submitted(org_a, team):
    version = ready_version(draft_plan(org_a, team), team)
    # Written past the services (as data from before the rule was): the submission still refuses it.
    Milestone.objects.filter(version=version).update(due_date=date(2029, 6, 17))
    response = api(team["lead"]).post(
        f"/api/plan-versions/{version.pk}/submit/", {"reviewers": [team["reviewers"][0].pk]}, format="json"
    )
    assert response.status_code == 400
    assert "milestones" in response.json()["errors"], response.json()
    version.refresh_from_db()
    assert version.state == PlanVersion.State.DRAFT and not version.reviewers.exists()
