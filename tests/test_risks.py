"""Risk management (RSK-1..5, EXT-1): the register, the matrix and its versions, the policy's
strategy suggestion, responses, reviews, early-warning indicators computed from live data with
escalation, and emergency plans.

The risk transitions are service-only (risks.services): assess, respond, propose_acceptance,
sign_off, refuse_acceptance, reconsider and close run below through the pages and the API, as do
and the activation's close_with_review.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.accounts.models import Department
from onestop.core.roles import Role
from onestop.notifications.models import Notification
from onestop.risks import defaults, indicators, services
from onestop.risks.models import (
    EmergencyActionTaken,
    EmergencyActivation,
    EmergencyPlan,
    IdentificationSession,
    Indicator,
    QuestionnaireAnswer,
    ResponseAction,
    Risk,
    RiskCategory,
    RiskMatrix,
    RiskReview,
    Warning,
)
from tests.generic import ModelTestBase
from tests.stages import make_project, stage_personas
from tests.workflow import TransitionCase, TransitionTestBase


@pytest.fixture
def personas(personas, make_user):
    people = stage_personas(personas, make_user)
    department = Department.objects.create(code="pmo-r", name="項目管理部")
    people["lead"].department = department
    people["lead"].save()
    people["customer_service"] = people["cs"]
    return people


@pytest.fixture(autouse=True)
def english(english):
    yield


@pytest.fixture(autouse=True)
def risk_defaults(db):
    """The policy's categories and indicators (the data migration's, when tests skip migrations)."""
    defaults.ensure()
    services.current_matrix()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def category(code="technical"):
    return RiskCategory.objects.get(code=code)


def company_risk(personas, index=0, owner="quality", **fields):
    return services.identify(
        actor=personas["quality"],
        title=f"核心人員流失{index}",
        category=category("personnel"),
        cause="同業挖角",
        event="關鍵工程師離職",
        consequence="項目延期",
        owner=personas[owner],
        **fields,
    )


def assessed(personas, likelihood=4, impact=4, **fields):
    risk = company_risk(personas, **fields)
    return services.assess(risk, actor=personas["quality"], likelihood=likelihood, impact=impact)


# --- generic pages and API per model ----------------------------------------------------------


class TestRisk(ModelTestBase):
    model = Risk
    api_basename = "risk"
    manager = "quality"
    no_view = "client_a"
    outsider = "hr"
    deletable = False
    invalid_field = "title"

    def make_object(self, personas, index=0):
        return company_risk(personas, index)

    def create_data(self, personas):
        return {
            "title": "合同責任條款不足",
            "category": category("legal").pk,
            "cause": "舊範本",
            "event": "客戶索賠",
            "consequence": "賠償超過合同金額",
            "owner": personas["quality"].pk,
            "method": "other",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "owner": personas["management"].pk}

    def api_update_data(self, obj, personas):
        return {"title": "合同責任條款不足（更正）", "owner": personas["management"].pk}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "title": ""}


class TestResponseAction(ModelTestBase):
    model = ResponseAction
    api_basename = "responseaction"
    manager = "quality"
    no_view = "client_a"
    outsider = "hr"
    deletable = False
    invalid_field = "title"

    def make_object(self, personas, index=0):
        risk = company_risk(personas, index)
        return services.add_action(
            risk,
            actor=personas["quality"],
            title=f"建立 AB 角{index}",
            owner=personas["quality"],
            due_date=date(2030, 1, 31),
        )

    def create_data(self, personas):
        risk = Risk.objects.first() or company_risk(personas, 99)
        return {
            "risk": risk.pk,
            "title": "建立知識庫",
            "owner": personas["quality"].pk,
            "due_date": "2030-03-31",
        }

    def update_data(self, obj, personas):
        return {
            "risk": obj.risk_id,
            "title": "建立知識庫（擴充）",
            "owner": personas["quality"].pk,
            "due_date": "2030-04-30",
        }

    def api_update_data(self, obj, personas):
        return {"title": "建立知識庫（擴充）"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "title": ""}


class TestIdentificationSession(ModelTestBase):
    model = IdentificationSession
    api_basename = "identificationsession"
    manager = "quality"
    no_view = "client_a"
    invalid_field = "title"

    def make_object(self, personas, index=0):
        return services.save(
            IdentificationSession(
                method="brainstorming",
                title=f"風險識別會{index}",
                held_on=date(2026, 3, 1),
                facilitator=personas["quality"],
            ),
            actor=personas["quality"],
        )

    def create_data(self, personas):
        return {
            "method": "questionnaire",
            "title": "項目經理問卷",
            "held_on": "2026-04-01",
            "facilitator": personas["quality"].pk,
            "participants": [personas["lead"].pk],
            "questions": "最擔心的風險？",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "title": "項目經理問卷（第二輪）"}

    def api_update_data(self, obj, personas):
        return {"title": "項目經理問卷（第二輪）"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "title": ""}


class TestRiskCategory(ModelTestBase):
    model = RiskCategory
    api_basename = "riskcategory"
    manager = "management"
    viewer = "quality"
    no_view = "client_a"
    invalid_field = "name"

    def make_object(self, personas, index=0):
        return RiskCategory.objects.create(code=f"env{index}", name=f"環境風險{index}", position=10 + index)

    def create_data(self, personas):
        return {"code": "finance", "name": "財務風險", "position": 9, "active": True}

    def update_data(self, obj, personas):
        return {"code": obj.code, "name": "財務風險（含匯率）", "position": 9, "active": True}

    def invalid_data(self, personas):
        return {"code": "x", "name": "", "position": 1}


class TestIndicator(ModelTestBase):
    model = Indicator
    api_basename = "riskindicator"
    manager = "management"
    viewer = "quality"
    no_view = "client_a"
    invalid_field = "roles"

    def make_object(self, personas, index=0):
        return Indicator.objects.create(
            kind="overdue_complaints",
            name=f"客訴逾期{index}",
            blue=Decimal(1),
            roles=["quality"],
            active=False,
        )

    def create_data(self, personas):
        return {
            "kind": "low_csat",
            "name": "滿意度偏低（大客戶）",
            "lower_is_worse": "on",
            "yellow": "3.5",
            "red": "2.5",
            "period_days": 60,
            "roles": ["customer_service", "management"],
            "escalate_after_hours": 24,
        }

    def api_create_data(self, personas):
        return {**self.create_data(personas), "lower_is_worse": True}

    def update_data(self, obj, personas):
        return {
            **self.create_data(personas),
            "kind": obj.kind,
            "lower_is_worse": "",
            "blue": "1",
            "yellow": "",
            "red": "",
        }

    def api_update_data(self, obj, personas):
        return {"name": "客訴逾期（全公司）"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "roles": []}


class TestEmergencyPlan(ModelTestBase):
    model = EmergencyPlan
    api_basename = "emergencyplan"
    manager = "quality"
    viewer = "lead"
    no_view = "client_a"
    invalid_field = "title"

    def make_object(self, personas, index=0):
        return EmergencyPlan.objects.create(
            title=f"質量事故應急預案{index}",
            category=category(),
            steps="停止交付\n原因分析",
            roles="質量部牽頭",
            contacts="分機 2501",
        )

    def create_data(self, personas):
        return {
            "title": "重大延期應急預案",
            "category": category("management").pk,
            "indicator_kind": "schedule_variance",
            "steps": "召開緊急會議\n調配資源",
            "roles": "項目負責人",
            "contacts": "分機 2301",
            "active": True,
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "contacts": "分機 2302"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "title": ""}


# --- generic transitions ----------------------------------------------------------------------


class TestResponseActionTransitions(TransitionTestBase):
    model = ResponseAction
    api_basename = "responseaction"
    outsider = "hr"
    transitions = [
        TransitionCase("complete", {"open"}, "done", actor="quality"),
        TransitionCase("cancel", {"open"}, "cancelled", actor="quality", forbidden="lead"),
    ]

    def make_object(self, personas):
        risk = company_risk(personas)
        # the lead owns the action (and may mark it done) but may not cancel it: the risk is quality's
        return services.add_action(
            risk,
            actor=personas["quality"],
            title="建立 AB 角",
            owner=personas["lead"],
            due_date=date(2030, 1, 31),
        )


class TestWarningTransitions(TransitionTestBase):
    model = Warning
    api_basename = "warning"
    outsider = "hr"
    transitions = [
        TransitionCase("acknowledge", {"open"}, "acknowledged", actor="quality"),
        TransitionCase("handle", {"open", "acknowledged"}, "handled", actor="quality"),
        TransitionCase("close", {"handled"}, "closed", actor="cs"),
    ]

    def make_object(self, personas):
        indicator = Indicator.objects.get(kind="overdue_complaints")
        warning = Warning(
            code=f"WRN-T-{Warning.objects.count():05d}",
            indicator=indicator,
            subject_key=f"test:{Warning.objects.count()}",
            subject="The company",
            level="yellow",
            raised_level="yellow",
            value=Decimal(2),
            roles=",quality,customer_service,",
        )
        services.save(warning, actor=None)
        return warning


# --- RSK-2 / RSK-3: the matrix and the strategy suggestion ------------------------------------

# The policy (chapter 6), restated cell by cell: rows likelihood 1..5, columns impact 1..5.
POLICY = [
    ["accept", "accept", "transfer", "transfer", "transfer"],
    ["accept", "accept", "transfer", "transfer", "transfer"],
    ["mitigate", "mitigate", "mitigate", "transfer", "transfer"],
    ["mitigate", "mitigate", "mitigate", "avoid", "avoid"],
    ["mitigate", "mitigate", "mitigate", "avoid", "avoid"],
]
CELLS = [(likelihood, impact) for likelihood in range(1, 6) for impact in range(1, 6)]


@pytest.mark.parametrize(("likelihood", "impact"), CELLS)
def test_RSK_3_the_suggested_strategy_follows_the_policy_in_every_cell_of_the_default_matrix(
    personas, likelihood, impact
):
    risk = company_risk(personas)
    response = api(personas["quality"]).post(
        reverse("api:risk-assess", args=[risk.pk]),
        {"likelihood": likelihood, "impact": impact},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["suggested_strategy"] == POLICY[likelihood - 1][impact - 1]
    assert body["inherent_level"] == body["level"]
    assert body["state"] == "assessed"


def test_RSK_2_an_administrator_changes_the_matrix_as_a_new_version_and_old_risks_keep_theirs(
    client, personas
):
    old = assessed(personas, 5, 5)
    assert (old.level, old.suggested_strategy, old.matrix.version) == ("critical", "avoid", 1)
    v1 = RiskMatrix.objects.get(version=1)
    form = {"effective_from": timezone.localdate().isoformat(), "note": "頂格改為轉移"}
    for likelihood, impact in CELLS:
        form[f"level_{likelihood}_{impact}"] = v1.level_at(likelihood, impact)
        form[f"strategy_{likelihood}_{impact}"] = v1.strategy_at(likelihood, impact)
    form["level_5_5"], form["strategy_5_5"] = "high", "transfer"

    client.force_login(personas["quality"])  # quality reads the matrix but does not edit it
    assert client.get(reverse("risks:matrix")).status_code == 200
    assert client.post(reverse("risks:matrix"), form).status_code == 403
    client.force_login(personas["management"])
    response = client.post(reverse("risks:matrix"), form)
    assert response.status_code == 302
    v2 = RiskMatrix.objects.get(version=2)
    assert v2.strategy_at(5, 5) == "transfer"

    new = assessed(personas, 5, 5)
    assert (new.level, new.suggested_strategy, new.matrix_id) == ("high", "transfer", v2.pk)
    # The old risk is reviewed under its own version: still critical, still "avoid".
    services.choose_response(
        old,
        actor=personas["quality"],
        strategy="avoid",
        action_title="放棄高風險範圍",
        action_owner=personas["quality"],
        action_due=date(2030, 1, 1),
    )
    services.review(old, actor=personas["quality"], likelihood=5, impact=5, note="仍然很高")
    old.refresh_from_db()
    assert (old.level, old.suggested_strategy, old.matrix_id) == ("critical", "avoid", v1.pk)
    assert v1.strategy_at(5, 5) == "avoid"  # the old version is never changed


def test_RSK_2_a_matrix_version_with_a_missing_cell_is_refused(personas):
    response = api(personas["management"]).post(
        reverse("api:riskmatrix-list"),
        {
            "effective_from": timezone.localdate().isoformat(),
            "likelihood_labels": ["低", "高"],
            "impact_labels": ["小", "大"],
            "levels": [["low", "medium"], ["high"]],
            "strategies": [["accept", "mitigate"], ["mitigate", "avoid"]],
            "colours": {},
            "review_days": {},
        },
        format="json",
    )
    assert response.status_code == 400
    assert RiskMatrix.objects.count() == 1


def test_RSK_2_exposure_is_probability_times_cost_and_the_heat_map_counts_per_cell(client, personas):
    risk = company_risk(personas)
    services.assess(
        risk,
        actor=personas["quality"],
        likelihood=3,
        impact=4,
        probability=Decimal("25"),
        cost_impact=Decimal("400000"),
        schedule_impact_days=20,
    )
    risk.refresh_from_db()
    assert risk.exposure == Decimal("100000.00")
    cells = api(personas["quality"]).get(reverse("api:risk-heat-map")).json()
    cell = next(c for c in cells if (c["likelihood"], c["impact"]) == (3, 4))
    assert cell["count"] == 1 and cell["level"] == "high"
    client.force_login(personas["quality"])
    page = client.get(reverse("risks:heatmap")).content.decode()
    assert "likelihood=3&amp;impact=4" in page  # the drill-down link of the cell


def test_RSK_2_the_heat_map_runs_the_same_number_of_queries_for_few_and_many_risks(client, personas):
    client.force_login(personas["quality"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("risks:heatmap")).status_code == 200
        return len(queries)

    assessed(personas, 2, 3)
    few = count()
    for index in range(12):
        assessed(personas, 1 + index % 5, 1 + (index * 2) % 5)
    assert count() == few


# --- RSK-3: the response ------------------------------------------------------------------------


def test_RSK_3_another_strategy_than_the_suggestion_needs_a_reason(client, personas):
    risk = assessed(personas, 4, 4)  # avoid
    client.force_login(personas["quality"])
    url = reverse("risks:risk_respond", args=[risk.pk])
    data = {
        "strategy": "mitigate",
        "action_title": "增加人手",
        "action_owner": personas["lead"].pk,
        "action_due": "2030-01-31",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "say why" in response.content.decode()
    response = client.post(url, {**data, "reason": "放棄項目不經濟，先加派人手。"})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.state, risk.strategy) == ("monitored", "mitigate")
    action = risk.actions.get()
    assert action.owner == personas["lead"]
    client.force_login(personas["lead"])
    work = client.get(reverse("home")).content.decode()
    assert "增加人手" in work


def test_RSK_3_accepting_a_risk_needs_an_expiry_and_the_sign_off_of_the_right_level(personas):
    high = assessed(personas, 3, 4)  # high → transfer suggested; accepting needs management
    quality_api, management_api = api(personas["quality"]), api(personas["management"])
    url = reverse("api:risk-respond", args=[high.pk])
    response = quality_api.post(url, {"strategy": "accept", "reason": "成本過高"}, format="json")
    assert response.status_code == 400 and response.json()["errors"].get("acceptance_expires")
    response = quality_api.post(
        url, {"strategy": "accept", "reason": "成本過高", "acceptance_expires": "2030-06-30"}, format="json"
    )
    assert response.json()["state"] == "acceptance_pending"
    # Quality may not sign off a high risk (and not their own); management may.
    assert (
        quality_api.post(reverse("api:risk-sign-off", args=[high.pk]), {}, format="json").status_code == 403
    )
    response = management_api.post(
        reverse("api:risk-sign-off", args=[high.pk]), {"comment": "同意"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "monitored"
    assert response.json()["accepted_by"] == personas["management"].pk

    low = assessed(personas, 1, 2, owner="lead")
    services.choose_response(
        low, actor=personas["lead"], strategy="accept", acceptance_expires=date(2030, 1, 1)
    )
    response = quality_api.post(
        reverse("api:risk-refuse", args=[low.pk]), {"comment": "請補充監控措施"}, format="json"
    )
    assert response.json()["state"] == "assessed"
    low.refresh_from_db()
    services.choose_response(
        low, actor=personas["lead"], strategy="accept", acceptance_expires=date(2030, 1, 1)
    )
    assert quality_api.post(reverse("api:risk-sign-off", args=[low.pk]), {}, format="json").status_code == 200


# --- RSK-1, RSK-4: identification to a closed review, through the API -------------------------


def test_RSK_1_to_RSK_4_through_the_api_from_identification_to_a_closed_review(personas):
    project = make_project(personas)
    lead = api(personas["lead"])
    response = lead.post(
        reverse("api:risk-list"),
        {
            "title": "接口聯調失敗",
            "category": category().pk,
            "engagement": project.engagement_id,
            "cause": "客戶接口文件缺失",
            "event": "聯調反覆失敗",
            "consequence": "返工兩週",
            "owner": personas["lead"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["project"] == project.pk
    assert (
        lead.post(
            reverse("api:risk-assess", args=[pk]), {"likelihood": 4, "impact": 2}, format="json"
        ).json()["suggested_strategy"]
        == "mitigate"
    )
    response = lead.post(
        reverse("api:risk-respond", args=[pk]),
        {
            "strategy": "mitigate",
            "action_title": "準備模擬接口",
            "action_owner": personas["lead"].pk,
            "action_due": "2030-01-31",
        },
        format="json",
    )
    assert response.json()["state"] == "monitored"
    action = ResponseAction.objects.get(risk_id=pk)
    assert (
        lead.post(reverse("api:responseaction-complete", args=[action.pk]), {}, format="json").status_code
        == 200
    )
    response = lead.post(
        reverse("api:risk-review", args=[pk]),
        {"likelihood": 2, "impact": 2, "note": "模擬接口有效", "responses_effective": True},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["level"], body["inherent_level"]) == ("low", "medium")
    assert [row["kind"] for row in body["reviews"]] == ["assessment", "review"]
    response = lead.post(
        reverse("api:risk-close", args=[pk]), {"outcome": "not_realised", "note": "聯調已通過"}, format="json"
    )
    assert response.json()["state"] == "closed"
    assert response.json()["outcome"] == "not_realised"
    # The engagement's timeline shows the risk.
    from onestop.risks.timeline import events

    titles = [event["title"] for event in events(project.engagement, personas["lead"])]
    assert any("identified" in title for title in titles) and any("closed" in title for title in titles)


def test_RSK_4_the_review_cadence_follows_the_level_and_overdue_reviews_are_on_my_work(client, personas):
    critical = assessed(personas, 5, 5)
    medium = assessed(personas, 2, 3)
    today = timezone.localdate()
    assert critical.next_review == today + timedelta(days=7)
    assert medium.next_review == today + timedelta(days=30)
    services.choose_response(
        critical,
        actor=personas["quality"],
        strategy="avoid",
        action_title="調整範圍",
        action_owner=personas["quality"],
        action_due=today + timedelta(days=3),
    )
    with time_machine.travel(timezone.now() + timedelta(days=9)):
        client.force_login(personas["quality"])
        work = client.get(reverse("home")).content.decode()
        assert "Risk review due" in work
        listed = client.get(reverse("risks:risk_list"), {"review_overdue": "true"}).content.decode()
        assert critical.code in listed and medium.code not in listed


# --- privacy ------------------------------------------------------------------------------------


def test_RSK_1_clients_never_see_internal_risks_and_staff_see_project_risks_on_a_need_to_know_basis(
    client, personas
):
    project = make_project(personas)
    risk = services.identify(
        actor=personas["lead"],
        title="現場安全",
        category=category("personnel"),
        cause="車間作業",
        event="人員受傷",
        consequence="停工",
        owner=personas["lead"],
        engagement=project.engagement,
    )
    company = company_risk(personas)
    client_user = personas["client_a"]  # the project's own client
    assert project.engagement.client_id == client_user.client_organization_id
    assert not Risk.objects.visible_to(client_user).exists()
    assert api(client_user).get(reverse("api:risk-detail", args=[risk.pk])).status_code in (403, 404)
    client.force_login(client_user)
    assert client.get(risk.get_absolute_url()).status_code in (403, 404)
    assert client.get(reverse("risks:project_risks", args=[project.pk])).status_code in (403, 404)
    # Staff: the lead sees their project's risk but not a company risk; HR sees neither;
    # quality and management see both.
    assert set(Risk.objects.visible_to(personas["lead"])) == {risk}
    assert not Risk.objects.visible_to(personas["hr"]).exists()
    assert set(Risk.objects.visible_to(personas["quality"])) == {risk, company}
    assert set(Risk.objects.visible_to(personas["management"])) == {risk, company}
    # Only management and quality enter company-level risks.
    response = api(personas["lead"]).post(
        reverse("api:risk-list"),
        {
            "title": "x",
            "category": category().pk,
            "cause": "x",
            "event": "x",
            "consequence": "x",
            "owner": personas["lead"].pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "engagement" in response.json()["errors"]


# --- RSK-1: identification methods ----------------------------------------------------------------


def test_RSK_1_a_questionnaire_answer_becomes_a_risk_and_a_reviewer_raises_one_from_a_plan_review(
    client, personas
):
    session = services.save(
        IdentificationSession(
            method="questionnaire",
            title="問卷",
            held_on=date(2026, 4, 1),
            facilitator=personas["quality"],
            questions="最擔心的風險？",
        ),
        actor=personas["quality"],
    )
    client.force_login(personas["quality"])
    response = client.post(
        reverse("risks:identificationsession_answer", args=[session.pk]),
        {"respondent": personas["lead"].pk, "question": "最擔心的風險？", "answer": "測試環境不足"},
    )
    assert response.status_code == 302
    answer = QuestionnaireAnswer.objects.get()
    assert personas["lead"] in session.participants.all()
    response = client.post(
        reverse("risks:questionnaireanswer_to_risk", args=[answer.pk]),
        {"title": "測試環境不足", "category": category().pk, "owner": personas["lead"].pk},
    )
    assert response.status_code == 302
    risk = Risk.objects.get(session=session)
    assert (risk.method, risk.cause) == ("questionnaire", "測試環境不足")
    answer.refresh_from_db()
    assert answer.risk == risk
    page = client.get(session.get_absolute_url()).content.decode()
    assert risk.code in page


def test_RSK_1_a_reviewer_raises_a_risk_from_their_plan_review_comment(client, personas):
    from onestop.plans.models import PlanReview
    from tests.stages import signed_contract

    engagement = signed_contract(personas, 7).engagement
    version = engagement.plan.effective_version
    reviewer = personas["technician"]
    review = PlanReview.objects.create(
        version=version,
        reviewer=reviewer,
        scores={},
        comments="風險可控性不足：缺少備援人員",
        recommendation="revise",
    )
    client.force_login(reviewer)
    url = reverse("risks:planreview_raise_risk", args=[review.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "缺少備援人員",
            "category": category("personnel").pk,
            "cause": "單人負責",
            "event": "請假",
            "consequence": "延期",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    risk = Risk.objects.get(source_review=review)
    assert (risk.engagement, risk.method) == (engagement, "plan_review")
    other = personas["lead"]
    client.force_login(other)
    assert client.post(
        url, {"title": "x", "category": category().pk, "cause": "x", "event": "x", "consequence": "x"}
    ).status_code in (403, 404)


# --- RSK-5: each indicator ------------------------------------------------------------------------


def _only(kind):
    Indicator.objects.exclude(kind=kind).update(active=False)
    return Indicator.objects.get(kind=kind)


def _progress(personas, behind):
    from onestop.projects.models import ProgressReport, ProgressRow

    project = make_project(personas, 31)
    report = ProgressReport.objects.create(
        project=project, period_start=date(2026, 11, 23), period_end=date(2026, 11, 29), state="submitted"
    )
    milestone = project.milestones.first()
    ProgressRow.objects.create(
        report=report,
        milestone=milestone,
        item=milestone.name,
        planned_percent=60,
        percent_complete=60 - behind,
    )
    return project


def _rectifications(personas, count):
    from onestop.quality.models import Inspection, InspectionItem, RectificationNotice

    project = make_project(personas, 32)
    department = Department.objects.get(code="pmo-r")
    for index in range(count):
        inspection = Inspection.objects.create(
            code=f"QI-T-{index}", project=project, planned_date=date(2026, 11, 1)
        )
        item = InspectionItem.objects.create(inspection=inspection, label="文檔", result="fail")
        RectificationNotice.objects.create(
            code=f"RN-T-{index}",
            item=item,
            inspection=inspection,
            project=project,
            department=department,
            requirement="補齊文檔",
            deadline=timezone.localdate() - timedelta(days=3),
        )
    return project


def _inspections(personas, count):
    from onestop.quality.models import Inspection

    project = make_project(personas, 33)
    for index in range(count):
        Inspection.objects.create(
            code=f"QI-F-{index}",
            project=project,
            planned_date=date(2026, 11, 1),
            state="completed",
            passed=False,
            completed_at=timezone.now() - timedelta(days=2),
        )
    return project


def _acceptance(personas, count):
    from onestop.acceptance.models import AcceptanceRound

    project = make_project(personas, 34)
    for number in range(1, count + 1):
        AcceptanceRound.objects.create(
            project=project, number=number, state="failed", concluded_at=timezone.now() - timedelta(days=5)
        )
    return project


def _receivables(personas, amount):
    from onestop.contracts.models import PaymentInstalment
    from tests.stages import signed_contract

    contract = signed_contract(personas, 35, fee=Decimal(amount) if amount else Decimal("100000.00"))
    if not amount:  # nothing past due: every instalment later
        PaymentInstalment.objects.filter(contract=contract).update(
            due_date=timezone.localdate() + timedelta(days=30)
        )
    else:
        PaymentInstalment.objects.filter(contract=contract).update(
            due_date=timezone.localdate() - timedelta(days=10)
        )
    return contract


def _csat(personas, score):
    from onestop.engagements.models import Channel, Engagement
    from onestop.feedback import services as feedback
    from onestop.feedback.aspects import ASPECTS

    engagement = Engagement.objects.create(
        code="OS-R-00001",
        title="滿意度",
        client=personas["client_a"].client_organization,
        channel=Channel.PHONE,
        stage="confirmed",
    )
    survey = feedback.invite(engagement, actor=personas["cs"])
    feedback.answer(
        survey,
        scores={a.code: score for a in ASPECTS},
        would_recommend=3,
        comment="",
        actor=personas["client_a"],
        via_link=False,
    )
    return survey


def _complaints(personas, count):
    from onestop.feedback import services as feedback
    from onestop.feedback.models import Complaint

    for index in range(count):
        complaint = feedback.file_complaint(
            actor=personas["client_a"], subject=f"延遲{index}", description="報告延遲"
        )
        Complaint.objects.filter(pk=complaint.pk).update(
            state="in_handling", due_at=timezone.now() - timedelta(days=1)
        )


def _critical(personas, count):
    for index in range(count):
        risk = company_risk(personas, index)
        services.assess(risk, actor=personas["quality"], likelihood=5, impact=5)


# kind, build(personas, crossing?) , expected level, roles warned
INDICATOR_CASES = [
    ("schedule_variance", lambda p, over: _progress(p, 25 if over else 2), "orange", {"lead", "management"}),
    (
        "overdue_rectifications",
        lambda p, over: _rectifications(p, 2 if over else 0),
        "yellow",
        {"quality", "lead"},
    ),
    ("failed_inspections", lambda p, over: _inspections(p, 3 if over else 0), "orange", {"quality", "lead"}),
    (
        "failed_acceptance",
        lambda p, over: _acceptance(p, 1 if over else 0),
        "yellow",
        {"lead", "quality", "management"},
    ),
    (
        "overdue_receivables",
        lambda p, over: _receivables(p, "300000.00" if over else None),
        "orange",
        {"finance", "management"},
    ),
    ("low_csat", lambda p, over: _csat(p, 2 if over else 5), "red", {"cs", "quality"}),
    ("overdue_complaints", lambda p, over: _complaints(p, 3 if over else 0), "orange", {"cs", "quality"}),
    (
        "critical_risks_unanswered",
        lambda p, over: _critical(p, 1 if over else 0),
        "orange",
        {"management", "quality"},
    ),
]


def _warned(personas, warning):
    recipients = set(
        Notification.objects.filter(target_id=warning.pk, title__contains=warning.indicator.name).values_list(
            "recipient_id", flat=True
        )
    )
    return {name for name, user in personas.items() if user.pk in recipients}


@pytest.mark.parametrize(
    ("kind", "build", "level", "roles"), INDICATOR_CASES, ids=[c[0] for c in INDICATOR_CASES]
)
def test_RSK_5_an_indicator_over_its_threshold_raises_one_warning_to_its_roles_and_escalates_when_unanswered(
    personas, kind, build, level, roles
):
    indicator = _only(kind)
    build(personas, True)
    indicators.run()
    warning = Warning.objects.get(indicator=indicator)
    assert warning.level == level
    assert warning.records, "the warning links to the records that caused it"
    warned = _warned(personas, warning) - {"customer_service"}
    assert roles <= warned, (roles, warned)
    assert not warned & {"client_a", "client_b", "hr"}

    indicators.run()  # still crossed: no second warning
    assert Warning.objects.filter(indicator=indicator).count() == 1

    with time_machine.travel(timezone.now() + timedelta(hours=indicator.escalate_after_hours + 1)):
        indicators.run()
    warning.refresh_from_db()
    assert warning.escalations == 1
    assert warning.level != level or level == "red"
    assert Notification.objects.filter(
        recipient=personas["management"], target_id=warning.pk, title__contains="Escalated"
    ).exists()
    assert Warning.objects.filter(indicator=indicator).count() == 1


@pytest.mark.parametrize(
    ("kind", "build", "level", "roles"), INDICATOR_CASES, ids=[c[0] for c in INDICATOR_CASES]
)
def test_RSK_5_an_indicator_under_its_threshold_raises_nothing(personas, kind, build, level, roles):
    indicator = _only(kind)
    build(personas, False)
    indicators.run()
    assert not Warning.objects.filter(indicator=indicator).exists()


def test_RSK_5_a_warning_is_acknowledged_handled_and_closed_and_a_new_one_may_follow(client, personas):
    indicator = _only("overdue_complaints")
    _complaints(personas, 2)
    indicators.run()
    warning = Warning.objects.get()
    assert warning.level == "yellow"
    client.force_login(personas["quality"])
    assert client.get(reverse("home")).content.decode().count(warning.code) >= 1
    response = client.post(
        reverse("core:transition", args=["risks.warning", warning.pk, "acknowledge"]), {"comment": "收到"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("core:transition", args=["risks.warning", warning.pk, "handle"]),
        {"comment": "已指派處理人並回覆客戶"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("core:transition", args=["risks.warning", warning.pk, "close"]), {"comment": "結案"}
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.state == "closed"
    indicators.run()  # the condition still holds after the closure: a new warning
    assert Warning.objects.filter(indicator=indicator).count() == 2
    # Worse since: the open warning's level goes up, still one open.
    _complaints(personas, 2)
    indicators.run()
    assert Warning.objects.filter(indicator=indicator, state="open").get().level == "orange"


# --- EXT-1: emergency response ------------------------------------------------------------------


def test_EXT_1_an_emergency_plan_is_activated_from_a_warning_with_actions_and_a_post_incident_review(
    client, personas
):
    _only("overdue_complaints")
    _complaints(personas, 3)
    indicators.run()
    warning = Warning.objects.get()
    plan = EmergencyPlan.objects.create(
        title="客訴應急預案",
        category=category("market"),
        indicator_kind="overdue_complaints",
        steps="聯繫客戶\n指派處理人",
        roles="客服",
        contacts="分機 2101",
    )
    client.force_login(personas["quality"])
    response = client.post(
        reverse("risks:warning_activate", args=[warning.pk]), {"plan": plan.pk, "situation": "三件客訴逾期"}
    )
    assert response.status_code == 302
    activation = EmergencyActivation.objects.get()
    assert activation.warning == warning
    assert (
        client.post(
            reverse("risks:emergencyactivation_record_action", args=[activation.pk]),
            {"description": "主管致電客戶"},
        ).status_code
        == 302
    )
    assert EmergencyActionTaken.objects.filter(activation=activation).count() == 1
    response = api(personas["quality"]).post(
        reverse("api:emergencyactivation-close", args=[activation.pk]),
        {"review": "處理及時", "lessons": "增加客服人手"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "reviewed"
    assert client.post(
        reverse("risks:emergencyactivation_record_action", args=[activation.pk]), {"description": "x"}
    ).status_code in (400, 403, 409)
    page = client.get(activation.get_absolute_url()).content.decode()
    assert "主管致電客戶" in page


def test_EXT_1_a_realised_risk_activates_a_plan(personas):
    risk = assessed(personas, 5, 4)
    plan = EmergencyPlan.objects.create(
        title="重大延期", category=category("management"), steps="開會", roles="PM", contacts="2301"
    )
    response = api(personas["management"]).post(
        reverse("api:risk-activate", args=[risk.pk]), {"plan": plan.pk, "situation": "已發生"}, format="json"
    )
    assert response.status_code == 200
    assert EmergencyActivation.objects.get().risk == risk
    assert (
        api(personas["hr"])
        .post(
            reverse("api:risk-activate", args=[risk.pk]), {"plan": plan.pk, "situation": "x"}, format="json"
        )
        .status_code
        == 404
    )


# --- pages ----------------------------------------------------------------------------------------


def test_RSK_2_the_project_risk_page_and_the_project_page_show_risks_and_warnings(client, personas):
    project = _progress(personas, 25)
    _only("schedule_variance")
    indicators.run()
    risk = services.identify(
        actor=personas["lead"],
        title="延期",
        category=category("management"),
        cause="x",
        event="x",
        consequence="x",
        owner=personas["lead"],
        engagement=project.engagement,
    )
    services.assess(risk, actor=personas["lead"], likelihood=4, impact=4)
    client.force_login(personas["lead"])
    page = client.get(reverse("risks:project_risks", args=[project.pk])).content.decode()
    assert risk.code in page and "Open warnings" in page
    page = client.get(project.get_absolute_url()).content.decode()
    assert reverse("risks:project_risks", args=[project.pk]) in page
    export = client.get(reverse("risks:risk_list"), {"export": "xlsx"})
    assert export.status_code == 200


def test_RSK_1_service_only_risk_transitions_run_through_the_pages(client, personas):
    """assess, respond, propose_acceptance, sign_off, refuse_acceptance, reconsider, close."""
    risk = company_risk(personas, owner="lead")
    client.force_login(personas["lead"])
    assert (
        client.post(reverse("risks:risk_assess", args=[risk.pk]), {"likelihood": 2, "impact": 1}).status_code
        == 302
    )
    assert (
        client.post(
            reverse("risks:risk_respond", args=[risk.pk]),
            {"strategy": "accept", "acceptance_expires": "2030-01-01"},
        ).status_code
        == 302
    )
    client.force_login(personas["quality"])
    assert client.post(reverse("risks:risk_refuse", args=[risk.pk]), {"comment": "補充"}).status_code == 302
    client.force_login(personas["lead"])
    assert (
        client.post(
            reverse("risks:risk_respond", args=[risk.pk]),
            {"strategy": "accept", "acceptance_expires": "2030-01-01"},
        ).status_code
        == 302
    )
    client.force_login(personas["quality"])
    assert client.post(reverse("risks:risk_sign_off", args=[risk.pk]), {"comment": ""}).status_code == 302
    client.force_login(personas["lead"])
    assert (
        client.post(
            reverse("risks:risk_review", args=[risk.pk]), {"likelihood": 3, "impact": 3, "reconsider": "on"}
        ).status_code
        == 302
    )
    risk.refresh_from_db()
    assert risk.state == "assessed" and risk.level == "medium"
    assert (
        client.post(
            reverse("risks:risk_close", args=[risk.pk]), {"outcome": "realised", "note": "已發生"}
        ).status_code
        == 302
    )
    risk.refresh_from_db()
    assert (risk.state, risk.outcome) == ("closed", "realised")
    page = client.get(risk.get_absolute_url()).content.decode()
    assert "Level over time" in page
    assert RiskReview.objects.filter(risk=risk).count() == 2


def test_RSK_5_warnings_and_emergency_activations_are_internal(personas):
    _only("overdue_complaints")
    _complaints(personas, 2)
    indicators.run()
    warning = Warning.objects.get()
    assert api(personas["client_a"]).get(reverse("api:warning-detail", args=[warning.pk])).status_code in (
        403,
        404,
    )
    assert api(personas["hr"]).get(reverse("api:warning-detail", args=[warning.pk])).status_code == 404
    assert api(personas["cs"]).get(reverse("api:warning-detail", args=[warning.pk])).status_code == 200
    assert api(personas["quality"]).post(reverse("api:warning-list"), {}, format="json").status_code in (
        403,
        405,
    )


def test_RSK_5_the_job_is_registered():
    from onestop.risks import tasks

    assert callable(tasks.compute_warnings)
    assert Role.MANAGEMENT in Role.values


def test_RSK_2_the_heat_map_drills_down_by_department_and_project(client, personas):
    department = Department.objects.get(code="pmo-r")
    mine = assessed(personas, 4, 4, owner="lead")  # the lead's department carries it
    other = assessed(personas, 2, 2)
    assert mine.department == department and other.department != department
    quality = api(personas["quality"])
    cells = quality.get(reverse("api:risk-heat-map"), {"department": department.pk}).json()
    assert sum(cell["count"] for cell in cells) == 1
    assert next(c for c in cells if (c["likelihood"], c["impact"]) == (4, 4))["count"] == 1
    listed = quality.get(
        reverse("api:risk-list"), {"department": department.pk, "likelihood": 4, "impact": 4}
    ).json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    client.force_login(personas["quality"])
    page = client.get(reverse("risks:heatmap"), {"department": department.pk}).content.decode()
    assert f"department={department.pk}" in page


def test_RSK_1_the_plan_page_offers_the_reviewer_to_raise_a_risk_from_their_comment(client, personas):
    from onestop.plans.models import PlanReview
    from tests.stages import signed_contract

    engagement = signed_contract(personas, 8).engagement
    engagement.plan.effective_version.reviewers.add(personas["management"])
    review = PlanReview.objects.create(
        version=engagement.plan.effective_version,
        reviewer=personas["management"],
        scores={},
        comments="缺少備援人員",
        recommendation="pass",
    )
    client.force_login(personas["management"])
    page = client.get(engagement.plan.get_absolute_url()).content.decode()
    assert reverse("risks:planreview_raise_risk", args=[review.pk]) in page


# --- RSK-1 / RSK-3: a contract clause transfers a risk; avoiding an intake risk declines it -------


def test_RSK_1_a_transferred_risk_names_its_contract_clause_and_the_contract_page_lists_it(client, personas):
    project = make_project(personas)
    risk = services.assess(
        company_risk(personas, engagement=project.engagement, owner="lead"),
        actor=personas["quality"],
        likelihood=2,
        impact=5,
    )
    lead = api(personas["lead"])
    url = reverse("api:risk-respond", args=[risk.pk])
    body = {
        "strategy": "transfer",
        "reason": "違約責任由分包商承擔",
        "transfer_clause": "liability_clause",
        "action_title": "確認分包合同條款",
        "action_owner": personas["lead"].pk,
        "action_due": "2030-01-31",
    }
    # A clause names only a transfer, and only a clause of the contract.
    refused = lead.post(url, {**body, "strategy": "mitigate", "reason": "x"}, format="json")
    assert refused.status_code == 400 and "transfer_clause" in refused.json()["errors"]
    assert lead.post(url, {**body, "transfer_clause": "nonsense"}, format="json").status_code == 400
    risk.refresh_from_db()
    assert (risk.state, risk.transfer_clause) == ("assessed", "")
    response = lead.post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["transfer_contract"] == project.engagement.contract.pk
    assert response.json()["transfer_clause"] == "liability_clause"
    client.force_login(personas["lead"])
    page = client.get(project.engagement.contract.get_absolute_url()).content.decode()
    assert f'data-transferred-risk="{risk.pk}"' in page
    assert "data-transfer-clause" in client.get(risk.get_absolute_url()).content.decode()
    # Who may not see the risk does not see it on the contract either.
    client.force_login(personas["client_a"])
    contract_page = client.get(project.engagement.contract.get_absolute_url())
    assert f'data-transferred-risk="{risk.pk}"' not in contract_page.content.decode()


def test_RSK_3_avoiding_a_risk_of_an_inquiry_declines_it_as_out_of_scope_with_the_reason_for_the_client(
    client, personas
):
    from onestop.engagements import services as engagements
    from onestop.engagements.models import Channel, Engagement

    engagement = Engagement.objects.create(
        code="OS-R-1",
        title="核電廠控制系統改造",
        client=personas["client_a"].client_organization,
        channel=Channel.PHONE,
    )
    engagements.forward(engagement, actor=personas["cs"], technician=personas["technician"])
    risk = services.assess(
        company_risk(personas, engagement=engagement, owner="technician"),
        actor=personas["quality"],
        likelihood=5,
        impact=5,
    )
    assert risk.suggested_strategy == "avoid"
    client.force_login(personas["technician"])
    form = client.get(risk.get_absolute_url()).content.decode()
    assert 'name="decline_inquiry"' in form and 'name="transfer_clause"' not in form
    url = reverse("api:risk-respond", args=[risk.pk])
    technician = api(personas["technician"])
    body = {"strategy": "avoid", "decline_inquiry": True, "client_suggestions": "建議洽詢具核安資質的廠商"}
    refused = technician.post(url, body, format="json")
    assert refused.status_code == 400 and "client_reason" in refused.json()["errors"]
    engagement.refresh_from_db()
    assert engagement.stage == "assessment"
    response = technician.post(url, {**body, "client_reason": "超出本公司服務資質範圍"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["outcome"]) == ("closed", "not_realised")
    engagement.refresh_from_db()
    assert engagement.stage == "out_of_scope"
    assert engagement.out_of_scope_reason == "超出本公司服務資質範圍"
    assert "同業挖角" not in engagement.out_of_scope_reason  # the risk's internal cause stays inside
    # Once the inquiry has moved on, avoiding a risk no longer declines it.
    later = services.assess(
        company_risk(personas, 1, engagement=engagement, owner="technician"),
        actor=personas["quality"],
        likelihood=5,
        impact=5,
    )
    answer = technician.post(
        reverse("api:risk-respond", args=[later.pk]), {**body, "client_reason": "x"}, format="json"
    )
    assert answer.status_code in (400, 409) and "decline_inquiry" in answer.json()["errors"]
