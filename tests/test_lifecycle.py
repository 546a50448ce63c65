"""X-1, X-2: the whole engagement lifecycle in one test, every step through the REST API.

inquiry → signed confirmation → reviewed and approved plan → signed contract → project with
progress and an inspection → acceptance fails in round 1 → rectified → passes in round 2 →
settlement returned once by finance → corrected → approved → two partial payments →
engagement closed; the survey answered. The timeline shows every stage.

Only master data an administrator keeps (users, departments, the signing authorization, the
contract template, the QC template) is made with the ORM; each step of the path is a request
as the person who does it. The progress table of the previous week is made with the clock set
to that week (the API makes the table of the current period).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.contracts.models import LEGAL_CHECKLIST, Contract, ContractTemplate, SigningAuthorization
from onestop.core import signatures
from onestop.core.roles import Role
from onestop.engagements import timeline
from onestop.engagements.models import Engagement
from onestop.feedback.aspects import ASPECTS
from onestop.feedback.models import Survey
from onestop.projects.models import Project
from onestop.quality.models import Phase, QCTemplate, QCTemplateCheckpoint
from onestop.settlement import selectors as settlement_selectors
from onestop.settlement.models import Settlement
from tests.factories import PASSWORD, ClientContactFactory, DepartmentFactory
from tests.stages import stage_personas

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CODES = ("rationality", "feasibility", "innovation", "risk_controllability")
FEE = Decimal("450000.00")


pytestmark = pytest.mark.usefixtures("english")  # the titles asserted are the English source strings


@pytest.fixture
def people(personas, make_user):
    """Everyone the path involves; the R&D department (with its head) answers the notice."""
    rnd = DepartmentFactory(name="技術研發部")
    team = {
        **stage_personas(personas, make_user),
        "reviewers": [
            make_user(Role.REVIEWER, username=f"expert.{name}", full_name=full)
            for name, full in (("zhao", "趙明遠"), ("qian", "錢文博"), ("feng", "馮淑芬"))
        ],
        "rnd_head": make_user(Role.TECHNICIAN, username="rnd.head", full_name="研發部長", department=rnd),
    }
    rnd.head = team["rnd_head"]
    rnd.save()
    type(team["technician"]).objects.filter(pk=team["technician"].pk).update(department=rnd)
    team["technician"].department = rnd
    team["rnd"] = rnd
    return team


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content.decode()[:2000])
    return response.json()


# --- master data an administrator keeps -------------------------------------------------------------


def master_data(people):
    """The contract template, management's signing authorization and the QC template."""
    from onestop.contracts import services as contract_services
    from onestop.quality import services as quality_services

    template = ContractTemplate(
        code="service",
        name="技術服務合同範本",
        is_active=True,
        preamble="甲方：{{ client }}\n乙方：{{ company }}",
        service_content_clause="服務內容：{{ service_content }}",
        term_clause="服務期限：{{ period_start|date:'Y-m-d' }}至{{ period_end|date:'Y-m-d' }}",
        fee_clause="合同總價：{{ currency }} {{ total_fee }}",
        quality_clause="質量標準：{{ quality_standard }}",
        acceptance_clause="驗收方式：{{ acceptance_method }}",
        liability_clause="任何一方違約，應承擔違約責任。",
        rights_clause="甲方應按時付款；乙方應按期交付。",
    )
    contract_services.save_template(template, actor=None)
    SigningAuthorization.objects.create(
        representative=people["management"],
        amount_limit=Decimal("500000.00"),
        currency="CNY",
        valid_from=date(2020, 1, 1),
        granted_by="法定代表人",
    )
    template = quality_services.save_template(
        QCTemplate(code="standard", name="標準質量監控計劃", is_active=True), actor=people["quality"]
    )
    QCTemplateCheckpoint.objects.create(
        template=template,
        phase=Phase.RND,
        name="設計評審",
        indicators="設計文檔齊全\n評審記錄完整",
        acceptance_threshold="≥ 95%",
        frequency_days=14,
        responsible_department=people["rnd"],
        sort_order=1,
    )


# --- the stages, each a few requests ------------------------------------------------------------------


def intake(people, dates) -> int:
    """INT-1..3: inquiry → forwarded → assessed in scope → terms agreed → both sign."""
    cs, technician, client_user = people["cs"], people["technician"], people["client_a"]
    org = client_user.client_organization
    contact = ClientContactFactory(organization=org, name="陳建華", email="chen@a.example")
    body = ok(
        api(cs).post(
            "/api/engagements/",
            {
                "client": org.pk,
                "contact": contact.pk,
                "channel": "phone",
                "subject": "產線數據採集",
                "need": "希望把 200 台設備的運行數據集中採集並可視化。",
            },
            format="json",
        ),
        201,
    )
    pk = body["id"]
    assert body["stage"] == "inquiry"
    assert (
        ok(api(cs).post(f"/api/engagements/{pk}/forward/", {"technician": technician.pk}, format="json"))[
            "stage"
        ]
        == "assessment"
    )
    body = ok(
        api(technician).post(
            f"/api/engagements/{pk}/assess/",
            {
                "in_scope": True,
                "service_goals": "集中採集與可視化",
                "technical_requirements": "200 台設備、秒級延遲",
                "requested_deadline": dates["end"].isoformat(),
            },
            format="json",
        )
    )
    assert body["stage"] == "confirmation"
    terms = {
        "service_content": "生產線數據採集平台建設",
        "technical_requirements": "支援 200 台設備，延遲小於 1 秒",
        "period_start": dates["start"].isoformat(),
        "period_end": dates["end"].isoformat(),
        "fee": "480000.00",
        "currency": "CNY",
        "note": "首輪報價",
    }
    ok(api(technician).post(f"/api/engagements/{pk}/propose/", terms, format="json"), 201)
    counter = {**terms, "fee": str(FEE), "note": "預算有限"}
    assert (
        ok(api(client_user).post(f"/api/engagements/{pk}/propose/", counter, format="json"), 201)["round"]
        == 2
    )
    ok(api(technician).post(f"/api/engagements/{pk}/accept/", {"round": 2}, format="json"))
    ok(
        api(technician).post(
            f"/api/engagements/{pk}/sign/", {"role": "technician", "password": PASSWORD}, format="json"
        )
    )
    body = ok(
        api(client_user).post(
            f"/api/engagements/{pk}/sign/", {"role": "client", "password": PASSWORD}, format="json"
        )
    )
    assert body["stage"] == "confirmed"
    return pk


def plan(people, engagement_pk, dates):
    """PLN-1..3: management opens the plan, the lead drafts it, the panel passes it, management approves."""
    lead, management, panel = people["lead"], people["management"], people["reviewers"]
    body = ok(
        api(management).post(
            "/api/plans/", {"engagement": engagement_pk, "project_lead": lead.pk}, format="json"
        ),
        201,
    )
    plan_pk = body["id"]
    version = ok(api(lead).get(f"/api/plan-versions/?plan={plan_pk}"))["results"][0]["id"]
    parts = {
        "technical_route": "OPC UA 網關採集，時序數據庫，Web 看板",
        "implementation_steps": "調研 → 設計 → 開發 → 驗收",
        "quality_measures": "代碼評審；里程碑測試報告",
        "milestones": [
            {"name": "方案設計", "due_date": dates["first_due"].isoformat(), "deliverables": "設計說明書"},
            {"name": "上線驗收", "due_date": dates["end"].isoformat(), "deliverables": "驗收報告"},
        ],
        "budget_lines": [
            {"category": "personnel", "description": "人工", "amount": "300000.00"},
            {"category": "equipment", "description": "網關", "amount": "120000.00"},
        ],
        "staffing": [
            {"user": lead.pk, "role": "項目負責人", "allocation": 60},
            {"user": people["technician"].pk, "role": "工程師", "allocation": 100},
        ],
    }
    ok(api(lead).patch(f"/api/plan-versions/{version}/", parts, format="json"))
    body = ok(
        api(lead).post(
            f"/api/plan-versions/{version}/submit/", {"reviewers": [r.pk for r in panel]}, format="json"
        )
    )
    assert body["state"] == "in_review"
    for reviewer in panel:
        body = ok(
            api(reviewer).post(
                f"/api/plan-versions/{version}/review/",
                {"scores": dict.fromkeys(CODES, 4), "recommendation": "pass", "comments": "可行"},
                format="json",
            )
        )
    assert body["state"] == "passed"
    body = ok(
        api(management).post(f"/api/plan-versions/{version}/approve/", {"comment": "同意"}, format="json")
    )
    assert body["state"] == "approved"


def contract(people, engagement_pk) -> int:
    """CON-1..3: legal drafts from the confirmation and the plan; both reviews; both sign."""
    legal, boss, client_user = people["legal"], people["management"], people["client_a"]
    template = ContractTemplate.objects.get(is_active=True)
    body = ok(
        api(legal).post(
            reverse("api:contract-list"),
            {"engagement": engagement_pk, "template": template.pk},
            format="json",
        ),
        201,
    )
    pk = body["id"]
    assert Decimal(body["total_fee"]) == FEE
    assert ok(api(legal).get(reverse("api:contract-consistency", args=[pk]))) == []
    ok(api(legal).post(reverse("api:contract-submit", args=[pk]), {}, format="json"))
    checked = [key for key, _label in LEGAL_CHECKLIST]
    ok(
        api(legal).post(
            reverse("api:contract-legal-review", args=[pk]),
            {"checked": checked, "passed": True},
            format="json",
        )
    )
    body = ok(
        api(boss).post(reverse("api:contract-business-review", args=[pk]), {"passed": True}, format="json")
    )
    assert body["state"] == "approved"
    ok(
        api(boss).post(
            reverse("api:contract-sign", args=[pk]), {"role": "company", "password": PASSWORD}, format="json"
        )
    )
    body = ok(
        api(client_user).post(
            reverse("api:contract-sign", args=[pk]), {"role": "client", "password": PASSWORD}, format="json"
        )
    )
    assert body["state"] == "signed"
    return pk


def at_day(day):
    """The clock on ``day`` (for the API that makes the progress table of the current period)."""
    noon = datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(noon, tick=True)


def progress_table(people, project_pk, values_by_item: dict, *, day=None) -> int:
    """PRJ-2: the technician fills the table of the period, the lead submits and reviews it."""
    lead, technician = people["lead"], people["technician"]
    if day is None:
        report = ok(api(technician).post(reverse("api:project-start-report", args=[project_pk])), 201)
    else:
        with at_day(day):
            report = ok(api(technician).post(reverse("api:project-start-report", args=[project_pk])), 201)
    rows = [{"id": row["id"], **values_by_item[row["item"]]} for row in report["rows"]]
    ok(
        api(technician).post(
            reverse("api:progressreport-fill", args=[report["id"]]), {"rows": rows}, format="json"
        )
    )
    ok(api(lead).post(reverse("api:progressreport-submit", args=[report["id"]]), {}, format="json"))
    body = ok(
        api(lead).post(
            reverse("api:progressreport-review", args=[report["id"]]), {"comment": "同意"}, format="json"
        )
    )
    assert body["state"] == "reviewed"
    return report["id"]


def project(people, contract_pk, dates) -> int:
    """PRJ-1/2: opened from the signed contract, kicked off, two weekly progress tables reviewed."""
    lead, technician = people["lead"], people["technician"]
    body = ok(
        api(lead).post(
            reverse("api:project-list"), {"contract": contract_pk, "project_lead": lead.pk}, format="json"
        ),
        201,
    )
    pk = body["id"]
    assert body["state"] == "opened"
    body = ok(
        api(lead).post(
            reverse("api:project-kickoff", args=[pk]),
            {
                "held_on": dates["kickoff"].isoformat(),
                "location": "甲方會議室",
                "attendees": [lead.pk, technician.pk],
                "goals": "完成數據採集平台",
                "tasks_communicated": "調研、設計、開發、驗收",
            },
            format="json",
        )
    )
    assert body["state"] == "in_progress"
    ok(api(technician).post(reverse("api:project-acknowledge-kickoff", args=[pk])))
    # Last week: the design is half done.
    progress_table(
        people,
        pk,
        {
            "方案設計": {
                "percent_complete": 50,
                "actual_start": dates["start"].isoformat(),
                "work_done": "完成訪談",
            },
            "上線驗收": {"percent_complete": 0},
        },
        day=dates["last_week"],
    )
    # This week: both milestones are done.
    progress_table(
        people,
        pk,
        {
            "方案設計": {
                "percent_complete": 100,
                "actual_end": dates["first_done"].isoformat(),
                "work_done": "設計定稿",
            },
            "上線驗收": {
                "percent_complete": 100,
                "actual_end": dates["today"].isoformat(),
                "work_done": "平台上線",
            },
        },
    )
    return pk


def inspection(people, project_pk, dates):
    """QA-1/2: the QC plan from the template, an inspection with a failed item, a notice answered
    by the responsible department and verified by quality."""
    quality, head = people["quality"], people["rnd_head"]
    qc_plan = ok(api(quality).post("/api/qc-plans/", {"project": project_pk}, format="json"), 201)
    assert (
        ok(api(quality).post(f"/api/qc-plans/{qc_plan['id']}/activate/", {}, format="json"))["state"]
        == "active"
    )
    checkpoint = ok(api(quality).get(f"/api/qc-checkpoints/?plan={qc_plan['id']}"))["results"][0]["id"]
    body = ok(
        api(quality).post(
            "/api/inspections/",
            {
                "project": project_pk,
                "checkpoint": checkpoint,
                "planned_date": dates["today"].isoformat(),
                "inspector": quality.pk,
                "kind": "spot",
            },
            format="json",
        ),
        201,
    )
    pk, items = body["id"], body["items"]
    ok(api(quality).post(f"/api/inspections/{pk}/start/", {}, format="json"))
    failed = items[0]["id"]
    for item in items:
        answer = {"result": "pass", "evidence": "現場核查"}
        if item["id"] == failed:
            answer = {
                "result": "fail",
                "evidence": "設計文檔",
                "category": "documentation",
                "cause": "method",
                "note": "文檔未更新",
            }
        ok(api(quality).patch(f"/api/inspection-items/{item['id']}/", answer, format="json"))
    body = ok(api(quality).post(f"/api/inspections/{pk}/complete/", {"summary": "一項不合格"}, format="json"))
    assert body["state"] == "completed" and body["passed"] is False
    notice = ok(
        api(quality).post(
            "/api/rectification-notices/",
            {
                "item": failed,
                "department": people["rnd"].pk,
                "requirement": "更新設計文檔並提交複核記錄",
                "deadline": (dates["today"] + timedelta(days=7)).isoformat(),
            },
            format="json",
        ),
        201,
    )
    ok(
        api(head).post(
            f"/api/rectification-notices/{notice['id']}/respond/",
            {"response": "已更新設計文檔"},
            format="json",
        )
    )
    body = ok(
        api(quality).post(
            f"/api/rectification-notices/{notice['id']}/verify/", {"verification": "已核實"}, format="json"
        )
    )
    assert body["state"] == "closed"


def acceptance(people, project_pk) -> tuple[int, int]:
    """ACC-1..3: round 1 fails with a problem, the lead rectifies it, round 2 passes when the client signs."""
    lead, portal = api(people["lead"]), api(people["client_a"])
    body = ok(
        lead.post(
            reverse("api:acceptanceround-list"),
            {
                "project": project_pk,
                "self_assessment": "各里程碑均已完成，自評合格。",
                "deliverables": [{"name": "設計說明書"}, {"name": "用戶操作手冊"}],
            },
            format="json",
        ),
        201,
    )
    first = body["id"]

    def url(pk, name):
        return reverse(f"api:acceptanceround-{name}", args=[pk])

    ok(portal.post(url(first, "team"), {"user": people["client_a"].pk, "role": "驗收組長"}, format="json"))
    items = ok(portal.get(f"{reverse('api:checklistitem-list')}?round={first}"))["results"]
    assert items
    for item in items:
        ok(portal.post(reverse("api:checklistitem-tick", args=[item["id"]]), {"done": True}, format="json"))
    assert ok(portal.post(url(first, "start"), {}, format="json"))["state"] == "in_acceptance"
    criteria = ok(portal.get(f"{reverse('api:acceptancecriterion-list')}?round={first}"))["results"]
    assert criteria
    for index, criterion in enumerate(criteria):
        body = {"criterion": criterion["id"], "method": "system_test", "passed": index != 0, "note": "測試"}
        ok(portal.post(url(first, "results"), body, format="json"))
    ok(
        portal.post(
            url(first, "problems"), {"description": "報表過慢", "requirement": "2 秒內出報表"}, format="json"
        )
    )
    assert (
        ok(portal.post(url(first, "report"), {"conclusion": "fail", "summary": "本輪不合格"}, format="json"))[
            "state"
        ]
        == "failed"
    )
    problem = ok(lead.get(f"{reverse('api:acceptanceproblem-list')}?round={first}"))["results"][0]["id"]
    assert (
        ok(
            lead.post(
                reverse("api:acceptanceproblem-resolve", args=[problem]),
                {"fix": "查詢已優化至 1.2 秒"},
                format="json",
            )
        )["state"]
        == "done"
    )
    body = ok(lead.post(url(first, "next-round"), {}, format="json"), 201)
    second = body["id"]
    assert body["number"] == 2
    ok(portal.post(url(second, "skip-checklist"), {"reason": "與第一輪相同"}, format="json"))
    ok(portal.post(url(second, "start"), {}, format="json"))
    for criterion in ok(portal.get(f"{reverse('api:acceptancecriterion-list')}?round={second}"))["results"]:
        body = {"criterion": criterion["id"], "method": "user_trial", "passed": True}
        ok(portal.post(url(second, "results"), body, format="json"))
    ok(portal.post(url(second, "report"), {"conclusion": "pass", "summary": "驗收合格"}, format="json"))
    sign = {
        "record_type": "acceptance.acceptanceround",
        "object_id": second,
        "document": "acceptance_report",
        "role": "client",
        "password": PASSWORD,
    }
    ok(portal.post(reverse("api:signature-list"), sign, format="json"), 201)
    assert ok(portal.get(reverse("api:acceptanceround-detail", args=[second])))["state"] == "passed"
    return first, second


def invoice(people, pk, number, amount):
    upload = SimpleUploadedFile(f"{number}.pdf", PDF, content_type="application/pdf")
    return api(people["lead"]).post(
        reverse("api:settlement-invoice", args=[pk]),
        {
            "invoice_number": number,
            "invoice_date": timezone.localdate().isoformat(),
            "invoice_amount": amount,
            "file": upload,
        },
        format="multipart",
    )


def settlement(people, contract_pk) -> int:
    """FEE-1..3: applied, returned once by finance, corrected, approved, paid in two parts."""
    lead, finance = api(people["lead"]), api(people["finance"])
    body = ok(lead.post(reverse("api:settlement-list"), {"contract": contract_pk}, format="json"), 201)
    pk = body["id"]
    assert Decimal(body["amount"]) == FEE
    ok(invoice(people, pk, "INV-0001", "440000.00"))  # a typing error in the amount
    ok(lead.post(reverse("api:settlement-submit", args=[pk]), {}, format="json"))
    calculation = ok(finance.get(reverse("api:settlement-calculation", args=[pk])))
    assert Decimal(calculation["invoice_difference"]) != 0
    body = ok(
        finance.post(
            reverse("api:settlement-return-to-lead", args=[pk]),
            {"comment": "發票金額與結算金額不符，請更正。"},
            format="json",
        )
    )
    assert body["state"] == "returned"
    ok(invoice(people, pk, "INV-0002", str(FEE)))
    ok(lead.post(reverse("api:settlement-submit", args=[pk]), {"comment": "已更正發票"}, format="json"))
    body = ok(finance.post(reverse("api:settlement-approve", args=[pk]), {"password": PASSWORD}))
    assert body["state"] == "approved"
    for amount, reference in (("200000.00", "BANK-001"), ("250000.00", "BANK-002")):
        ok(
            finance.post(
                reverse("api:payment-list"),
                {
                    "contract": contract_pk,
                    "settlement": pk,
                    "direction": "received",
                    "paid_on": timezone.localdate().isoformat(),
                    "amount": amount,
                    "method": "bank_transfer",
                    "reference": reference,
                },
                format="json",
            ),
            201,
        )
    return pk


def survey(people, engagement_pk):
    """EXT-2: the client answers the survey it was invited to when acceptance passed."""
    survey = Survey.objects.get(engagement_id=engagement_pk)
    answer = {aspect.field: 5 for aspect in ASPECTS}
    answer.update(would_recommend=9, comment="服務專業，交付及時。")
    ok(api(people["client_a"]).post(reverse("api:survey-answer", args=[survey.pk]), answer, format="json"))


# --- the test ------------------------------------------------------------------------------------------


def test_X_1_X_2_the_whole_engagement_lifecycle_through_the_api(people, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    dates = {
        "today": today,
        "start": monday - timedelta(days=21),
        "kickoff": monday - timedelta(days=14),
        "last_week": monday - timedelta(days=5),
        "first_due": monday - timedelta(days=3),
        "first_done": monday - timedelta(days=1),
        "end": today + timedelta(days=60),
    }
    master_data(people)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_pk = intake(people, dates)
    with django_capture_on_commit_callbacks(execute=True):
        plan(people, engagement_pk, dates)
    with django_capture_on_commit_callbacks(execute=True):
        contract_pk = contract(people, engagement_pk)
    with django_capture_on_commit_callbacks(execute=True):
        project_pk = project(people, contract_pk, dates)
        inspection(people, project_pk, dates)
        body = ok(
            api(people["lead"]).post(
                reverse("api:project-complete", args=[project_pk]), {"comment": "實施完成"}, format="json"
            )
        )
        assert body["state"] == "completed"
    with django_capture_on_commit_callbacks(execute=True):
        first_round, second_round = acceptance(people, project_pk)
    with django_capture_on_commit_callbacks(execute=True):
        settlement_pk = settlement(people, contract_pk)
    with django_capture_on_commit_callbacks(execute=True):
        survey(people, engagement_pk)

    # the engagement closed with the last payment; the books balance.
    engagement = Engagement.objects.get(pk=engagement_pk)
    assert engagement.stage == "closed" and engagement.closed_at is not None
    contract_ = Contract.objects.get(pk=contract_pk)
    account = settlement_selectors.balance(contract_)
    assert account.balance == 0 and account.outstanding == 0
    assert settlement_selectors.is_settled(engagement)
    assert Settlement.objects.get(pk=settlement_pk).returned_count == 1
    assert Project.objects.get(pk=project_pk).state == "accepted"
    rounds = list(
        Project.objects.get(pk=project_pk)
        .acceptance_rounds.order_by("number")
        .values_list("pk", "number", "state")
    )
    assert rounds == [(first_round, 1, "failed"), (second_round, 2, "passed")]
    answered = Survey.objects.get(engagement=engagement)
    assert answered.answered_at is not None and answered.would_recommend == 9
    assert answered.answered_by == people["client_a"]
    assert signatures.signatures_for(contract_).count() == 2

    # the timeline has every stage with its start, the finished ones with an end, ending closed.
    staff = people["management"]
    spans, events = timeline.build(engagement, staff)
    by_stage = {span.stage: span for span in spans}
    stages = [
        "inquiry",
        "assessment",
        "confirmation",
        "plan",
        "contract",
        "implementation",
        "acceptance",
        "settlement",
        "closed",
    ]
    assert [span.stage for span in spans] == stages
    for stage in stages:
        assert by_stage[stage].started is not None, stage
        assert by_stage[stage].ended is not None, stage
        assert by_stage[stage].started <= by_stage[stage].ended, stage
    starts = [by_stage[stage].started for stage in stages]
    assert starts == sorted(starts)
    titles = " | ".join(event.title for event in events)
    kinds = {event.kind for event in events}
    assert {
        "inquiry",
        "proposal",
        "agreement",
        "signature",
        "plan",
        "plan_review",
        "plan_approval",
        "contract",
        "project",
        "milestone",
        "progress",
        "inspection",
        "rectification",
        "rectification_response",
        "rectification_closed",
        "acceptance",
        "settlement",
        "payment",
        "feedback",
    } <= kinds
    code = Contract.objects.get(pk=contract_pk).code
    project_code = Project.objects.get(pk=project_pk).code
    for expected in (
        "Inquiry by",
        f"Contract {code} version",
        "Plan approval of",
        f"Project {project_code} opened",
        "Kickoff meeting of",
        "reviewed",  # the progress tables
        "Inspection",
        "Rectification",
        "Problem raised in",
        "Problem rectified",
        "Acceptance report of",
        "applied for",
        "Client invited to the satisfaction survey",
        "Satisfaction survey answered",
    ):
        assert expected in titles, expected
    signed = [event.title for event in events if event.kind == "signature"]
    assert any("confirmation form" in title and "Client" in title for title in signed), signed  # confirmation
    assert any("confirmation form" in title and "Technician" in title for title in signed), signed
    assert len([title for title in signed if title.startswith(f"Contract {code} version")]) == 2
    assert any(title.startswith("Acceptance report of") for title in signed), signed
    assert titles.count("Acceptance applied for") == 2
    assert titles.count("Progress table") >= 4  # two tables, each submitted and reviewed
    assert len([e for e in events if e.kind == "payment"]) == 2
    assert any(e.kind == "settlement" and "SHA-256" in e.detail for e in events)  # finance's signature

    # The engagement page shows the same: every stage with its start, the badge "closed".
    browser = Client()
    browser.force_login(staff)
    page = browser.get(engagement.get_absolute_url()).content.decode()
    assert 'data-stage="closed"' in page
    for stage in stages:
        assert f'data-span="{stage}"' in page, stage
    assert "data-upcoming" not in page
    for kind in ("plan_approval", "progress", "inspection", "acceptance", "payment", "feedback"):
        assert f'data-kind="{kind}"' in page, kind
