"""Supervision of process compliance (EXT-3): the compliance checks over all engagements, the
findings they raise (one per condition) and their follow-up, audit sampling with a seed, and the
rewards and penalties of people and departments.

The clean engagement is the lifecycle test's (tests/test_lifecycle.py): every step of the path
through the API as the person who does it, closed with the last payment — so a check that finds
anything there is wrong. The violations are then planted on that engagement's own records.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog
from rest_framework.test import APIClient

from onestop.acceptance.models import AcceptanceRound
from onestop.cockpit.models import PolicyVersion
from onestop.contracts.models import Contract
from onestop.core import services as core_services
from onestop.core.models import Signature
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.engagements.models import Channel, Engagement, Proposal
from onestop.notifications.models import Deadline, Notification
from onestop.plans.models import PlanVersion
from onestop.quality.models import RectificationNotice
from onestop.resources.models import DocumentType, TechnicalDocument
from onestop.settlement.models import Payment, Settlement
from onestop.supervision import checks, services
from onestop.supervision.models import AuditSample, AuditSampleItem, CheckRun, Finding, Sanction
from onestop.supervision.states import FindingKind
from tests.factories import DepartmentFactory
from tests.generic import ModelTestBase
from tests.stages import stage_personas
from tests.test_lifecycle import (
    acceptance,
    contract,
    inspection,
    intake,
    master_data,
    plan,
    project,
    settlement,
    survey,
)
from tests.test_lifecycle import api as lifecycle_api
from tests.workflow import TransitionCase, TransitionTestBase


@pytest.fixture
def personas(personas, make_user):
    return stage_personas(personas, make_user)


@pytest.fixture(autouse=True)
def english(english):
    yield


@pytest.fixture
def people(personas, make_user):
    """Everyone the lifecycle's path involves (tests/test_lifecycle.py ``people``)."""
    rnd = DepartmentFactory(name="技術研發部")
    team = {
        **personas,
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


_numbers = itertools.count(1)


def an_engagement(personas, index=0, client="client_a"):
    return Engagement.objects.create(
        code=f"OS-S-{next(_numbers):05d}",
        title=f"稽核測試案件{index}",
        client=personas[client].client_organization,
        channel=Channel.PHONE,
        stage=Engagement.Stage.CONFIRMED,
    )


def clean_closed_engagement(people, capture) -> Engagement:
    """The lifecycle test's path, step by step through the API, to a closed engagement."""
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
    with capture(execute=True):
        engagement_pk = intake(people, dates)
    with capture(execute=True):
        plan(people, engagement_pk, dates)
    with capture(execute=True):
        contract_pk = contract(people, engagement_pk)
    with capture(execute=True):
        project_pk = project(people, contract_pk, dates)
        inspection(people, project_pk, dates)
        lifecycle_api(people["lead"]).post(
            reverse("api:project-complete", args=[project_pk]), {"comment": "完成"}
        )
    with capture(execute=True):
        acceptance(people, project_pk)
    with capture(execute=True):
        settlement(people, contract_pk)
    with capture(execute=True):
        survey(people, engagement_pk)
    engagement = Engagement.objects.get(pk=engagement_pk)
    assert engagement.stage == "closed"
    return engagement


def found(engagement) -> set[tuple[str, str]]:
    return {
        (finding.kind, f"{finding.target_type.model}:{finding.target_id}")
        for finding in Finding.objects.filter(engagement=engagement).select_related("target_type")
    }


def test_EXT_3_each_compliance_check_finds_a_planted_violation_and_nothing_in_a_clean_engagement(
    people,
    django_capture_on_commit_callbacks,
):
    engagement = clean_closed_engagement(people, django_capture_on_commit_callbacks)
    quality, admin = people["quality"], people["admin"]

    run = services.run_checks(actor=quality)
    assert found(engagement) == set(), [f.description for f in Finding.objects.filter(engagement=engagement)]
    assert run.raised == 0 and run.finished_at is not None

    # Plant one violation of each check on the clean engagement's own records.
    now = timezone.now()
    contract_ = Contract.objects.get(engagement=engagement)
    project_ = engagement.project
    deadline = Deadline.objects.create(
        title="答覆客戶", target=engagement, due_at=now - timedelta(days=2), responsible=people["cs"]
    )
    log = StateLog.objects.create(
        by=admin,
        content_type=ContentType.objects.get_for_model(project_),
        object_id=project_.pk,
        transition="complete",
        source_state="in_progress",
        state="completed",
    )
    passed = AcceptanceRound.objects.get(project=project_, state="passed")
    passed.checklist_skip_reason = "客戶要求略過"
    core_services.save(passed, actor=admin)
    Proposal.objects.filter(pk=engagement.agreed_proposal_id).update(round=F("round") + 10)
    Contract.objects.filter(pk=contract_.pk).update(version=F("version") + 1)
    Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(AcceptanceRound), object_id=passed.pk, role="client"
    ).update(role="witness")
    approved = Settlement.objects.get(contract=contract_, state="approved")
    Settlement.objects.filter(pk=approved.pk).update(version=F("version") + 1)
    notice = RectificationNotice.objects.get(project=project_)
    RectificationNotice.objects.filter(pk=notice.pk).update(verification="")
    Payment.objects.create(
        contract=contract_,
        direction=Payment.Direction.RECEIVED,
        paid_on=timezone.localdate(),
        amount=Decimal("1000.00"),
        method="bank_transfer",
        recorded_by=people["finance"],
    )
    document = TechnicalDocument.objects.create(
        code="DOC-T-1",
        project=project_,
        engagement=engagement,
        doc_type=DocumentType.objects.create(code="report", name="報告"),
        title="調研報告",
        author=people["lead"],
        retention_until=timezone.localdate() - timedelta(days=checks.RETENTION_GRACE_DAYS + 1),
    )
    version = PlanVersion.objects.get(plan__engagement=engagement, state="approved")
    PolicyVersion.objects.create(
        number=99,
        effective_from=date(2000, 1, 1),
        values={"plans.min_panel_size": 5},
        reason="更嚴格的評審",
        approved_at=now,
    )

    run = services.run_checks(actor=quality)
    expected = {
        (FindingKind.OVERDUE, f"deadline:{deadline.pk}"),
        (FindingKind.OVERRIDE, f"statelog:{log.pk}"),
        (FindingKind.OVERRIDE, f"acceptanceround:{passed.pk}"),
        (FindingKind.UNSIGNED, f"engagement:{engagement.pk}"),
        (FindingKind.UNSIGNED, f"contract:{contract_.pk}"),
        (FindingKind.UNSIGNED, f"acceptanceround:{passed.pk}"),
        (FindingKind.UNSIGNED, f"settlement:{approved.pk}"),
        (FindingKind.UNVERIFIED, f"rectificationnotice:{notice.pk}"),
        (FindingKind.OVERPAID, f"contract:{contract_.pk}"),
        (FindingKind.RETENTION, f"technicaldocument:{document.pk}"),
        (FindingKind.PANEL, f"planversion:{version.pk}"),
    }
    assert found(engagement) == expected
    assert run.raised == len(expected)
    assert run.counts[FindingKind.UNSIGNED] == {"raised": 4, "open": 4}
    late = Finding.objects.get(kind=FindingKind.OVERDUE)
    assert late.assignee == people["cs"] and "答覆客戶" in late.description and late.record_url
    assert Notification.objects.filter(recipient=people["cs"], target_id=late.pk).exists()
    panel = Finding.objects.get(kind=FindingKind.PANEL)
    assert "3" in panel.description and "5" in panel.description

    # Run again: the same conditions raise nothing while their findings are open.
    again = services.run_checks(actor=None)
    assert again.raised == 0 and Finding.objects.count() == len(expected)

    # Closed findings: a condition that can be put right (the deadline still open) comes back as
    # a new finding pointing at the closed one; a historical fact (the administrator's step) not.
    for finding in Finding.objects.filter(kind__in=[FindingKind.OVERDUE, FindingKind.OVERRIDE]):
        Finding.objects.filter(pk=finding.pk).update(state="closed", closed_at=now)
    third = services.run_checks(actor=None)
    assert third.raised == 1
    recurring = Finding.objects.get(kind=FindingKind.OVERDUE, state="open")
    assert recurring.previous == late and recurring.key == late.key


@pytest.mark.django_db
def test_EXT_3_a_finding_is_handled_by_its_assignee_and_verified_by_quality_through_http(client, personas):
    lead, quality = personas["lead"], personas["quality"]
    engagement = an_engagement(personas)
    body = api(quality).post(
        reverse("api:finding-list"),
        {"engagement": engagement.pk, "kind": "audit", "description": "缺少會議紀錄", "assignee": lead.pk},
        format="json",
    )
    assert body.status_code == 201, body.json()
    pk = body.json()["id"]
    finding = Finding.objects.get(pk=pk)
    assert finding.code.startswith("SVF-") and finding.due_date > timezone.localdate()
    # The assignee sees it (list, page, My work); someone else on the staff does not; a client never.
    assert [row["id"] for row in api(lead).get(reverse("api:finding-list")).json()["results"]] == [pk]
    assert api(personas["technician"]).get(reverse("api:finding-detail", args=[pk])).status_code == 404
    assert api(personas["client_a"]).get(reverse("api:finding-detail", args=[pk])).status_code in (403, 404)
    client.force_login(lead)
    assert finding.get_absolute_url() in client.get(reverse("home")).content.decode()
    # The cockpit's tile counts it open, and overdue once past its due date, with the drill-down.
    Finding.objects.filter(pk=pk).update(due_date=timezone.localdate() - timedelta(days=1))
    period = {"start": "2026-01-01", "end": timezone.localdate().isoformat()}
    data = api(personas["management"]).get("/api/cockpit/tiles/supervision/", period).json()
    assert {f["key"]: f["value"] for f in data["kpis"]} == {"open": 1, "overdue": 1, "resolved": 0}
    drill = api(personas["management"]).get(
        "/api/cockpit/tiles/supervision/drill/open/", {**period, "value": "overdue"}
    )
    assert drill.status_code == 200 and len(drill.json()["results"]) == 1
    # The assignee may not verify their own work; quality may not verify before it is resolved.
    assert api(lead).post(reverse("api:finding-verify", args=[pk]), {}, format="json").status_code == 409
    assert api(lead).post(reverse("api:finding-resolve", args=[pk]), {}, format="json").status_code == 400
    resolved = api(lead).post(
        reverse("api:finding-resolve", args=[pk]), {"comment": "已補會議紀錄"}, format="json"
    )
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    assert api(lead).post(reverse("api:finding-verify", args=[pk]), {}, format="json").status_code == 403
    client.force_login(quality)
    response = client.post(reverse("core:transition", args=["supervision.finding", pk, "verify"]), {})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.state == "closed" and finding.closed_by == quality and finding.resolution == "已補會議紀錄"
    assert Notification.objects.filter(recipient=lead, target_id=pk, title__contains="closed").exists()


@pytest.mark.django_db
def test_EXT_3_the_same_seed_and_criteria_draw_the_same_sample_and_a_result_raises_a_finding(personas):
    management = personas["management"]
    for index in range(12):
        an_engagement(personas, index)
    criteria = {"size": 4, "seed": 20261204, "stage": "confirmed"}
    first = api(management).post(reverse("api:auditsample-list"), criteria, format="json")
    second = api(management).post(reverse("api:auditsample-list"), criteria, format="json")
    assert first.status_code == second.status_code == 201, first.json()
    assert first.json()["selection"] == second.json()["selection"] and len(first.json()["selection"]) == 4
    assert first.json()["replay_matches"] is True
    other = api(management).post(reverse("api:auditsample-list"), {**criteria, "seed": 7}, format="json")
    assert other.json()["selection"] != first.json()["selection"]
    too_many = api(management).post(reverse("api:auditsample-list"), {**criteria, "size": 13}, format="json")
    assert too_many.status_code == 400 and "size" in too_many.json()["errors"]
    sample = AuditSample.objects.get(pk=first.json()["id"])
    assert [item.engagement_id for item in sample.items.order_by("position")] == sample.selection
    item = sample.items.order_by("position").first()
    refused = api(management).post(
        reverse("api:auditsampleitem-record-result", args=[item.pk]), {"result": "finding"}, format="json"
    )
    assert refused.status_code == 400 and not Finding.objects.exists()
    body = api(management).post(
        reverse("api:auditsampleitem-record-result", args=[item.pk]),
        {"result": "finding", "note": "合同未歸檔", "assignee": personas["legal"].pk},
        format="json",
    )
    assert body.status_code == 200, body.json()
    item.refresh_from_db()
    assert item.result == "finding" and item.finding.assignee == personas["legal"]
    assert item.finding.engagement_id == item.engagement_id and item.finding.kind == "audit"
    assert api(personas["lead"]).get(reverse("api:auditsample-list")).status_code == 403


@pytest.mark.django_db
def test_EXT_3_rewards_and_penalties_are_proposed_by_supervisors_and_approved_by_another_manager(personas):
    quality, management, technician = personas["quality"], personas["management"], personas["technician"]
    data = {"kind": "penalty", "person": technician.pk, "reason": "逾期未整改", "amount": "500.00"}
    assert api(technician).post(reverse("api:sanction-list"), data, format="json").status_code == 403
    assert api(personas["client_a"]).get(reverse("api:sanction-list")).status_code == 403
    both = api(quality).post(
        reverse("api:sanction-list"),
        {**data, "department": personas["lead"].department_id or 1},
        format="json",
    )
    assert both.status_code == 400
    body = api(quality).post(reverse("api:sanction-list"), data, format="json")
    assert body.status_code == 201, body.json()
    pk = body.json()["id"]
    assert api(quality).post(reverse("api:sanction-approve", args=[pk]), {}, format="json").status_code == 403
    # The person sees their own record; HR sees every one; another member of staff none.
    assert [row["id"] for row in api(technician).get(reverse("api:sanction-list")).json()["results"]] == [pk]
    assert api(personas["hr"]).get(reverse("api:sanction-detail", args=[pk])).status_code == 200
    assert api(personas["lead"]).get(reverse("api:sanction-detail", args=[pk])).status_code == 404
    approved = api(management).post(reverse("api:sanction-approve", args=[pk]), {}, format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert Sanction.objects.get(pk=pk).decided_by == management
    own = Sanction.objects.create(
        code="JC-T-1", kind="reward", person=technician, reason="優秀", proposed_by=management
    )
    assert (
        api(management).post(reverse("api:sanction-approve", args=[own.pk]), {}, format="json").status_code
        == 403
    )


@pytest.mark.django_db
def test_EXT_3_HR_9_a_persons_page_shows_their_rewards_and_penalties_to_those_who_may_see_them(
    client, personas
):
    technician, management = personas["technician"], personas["management"]
    penalty = Sanction.objects.create(
        code="JC-T-2", kind="penalty", person=technician, reason="逾期未整改", proposed_by=personas["quality"]
    )
    other = Sanction.objects.create(
        code="JC-T-3", kind="reward", person=management, reason="優秀", proposed_by=technician
    )
    page_of = technician.get_absolute_url()
    for viewer in (technician, personas["hr"], management):  # the person, HR, a supervisor
        client.force_login(viewer)
        html = client.get(page_of).content.decode()
        assert 'id="person-sanctions"' in html and penalty.code in html and other.code not in html
        assert f"?person={technician.pk}" in html  # the list of them all
    client.force_login(personas["lead"])  # may open the page, not the record
    html = client.get(page_of).content.decode()
    assert (
        client.get(page_of).status_code == 200
        and penalty.code not in html
        and 'id="person-sanctions"' not in html
    )


# --- the generic tests of every model and transition --------------------------------------------------


class TestCheckRun(ModelTestBase):
    model = CheckRun
    api_basename = "checkrun"
    manager = "quality"
    no_view = "technician"
    deletable = False
    invalid_field = "note"

    def make_object(self, personas, index=0):
        return CheckRun.objects.create(
            code=f"SVR-T-{index:04d}", started_by=personas["quality"], note=f"第{index}次"
        )

    def create_data(self, personas):
        return {"note": "季度稽核"}

    def update_data(self, obj, personas):
        return {"note": "季度稽核（補充）"}

    def invalid_data(self, personas):
        return {"note": "x" * 5001}


def _finding(personas, index=0, state="open"):
    return Finding.objects.create(
        code=next_code("SVF"),
        engagement=an_engagement(personas, index),
        kind="audit",
        description=f"缺少紀錄{index}",
        assignee=personas["lead"],
        due_date=date(2030, 1, 31),
        raised_by=personas["quality"],
        state=state,
    )


class TestFinding(ModelTestBase):
    model = Finding
    api_basename = "finding"
    manager = "management"
    no_view = "client_a"
    outsider = "technician"
    deletable = False
    invalid_field = "description"

    def make_object(self, personas, index=0):
        return _finding(personas, index)

    def create_data(self, personas):
        engagement = Engagement.objects.first() or an_engagement(personas, 99)
        return {
            "kind": "audit",
            "engagement": engagement.pk,
            "description": "未按時歸檔",
            "assignee": personas["lead"].pk,
            "due_date": "2030-03-31",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "description": "未按時歸檔（補充）"}

    def api_update_data(self, obj, personas):
        return {"description": "未按時歸檔（補充）"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "description": ""}


class TestAuditSample(ModelTestBase):
    model = AuditSample
    api_basename = "auditsample"
    manager = "quality"
    no_view = "technician"
    deletable = False
    invalid_field = "size"

    def make_object(self, personas, index=0):
        return AuditSample.objects.create(
            code=f"SVA-T-{index:04d}", size=1, seed=index, drawn_by=personas["quality"]
        )

    def create_data(self, personas):
        an_engagement(personas, 77)
        return {"size": 1, "seed": 42, "note": "年度抽查"}

    def update_data(self, obj, personas):
        return {"note": "年度抽查（補充）"}

    def invalid_data(self, personas):
        return {"size": 0, "note": "x"}


class TestAuditSampleItem(ModelTestBase):
    model = AuditSampleItem
    api_basename = "auditsampleitem"
    manager = "quality"
    no_view = "technician"
    deletable = False
    invalid_field = "engagement"

    def make_object(self, personas, index=0):
        sample = AuditSample.objects.first() or AuditSample.objects.create(code="SVA-T-9", size=1, seed=1)
        return AuditSampleItem.objects.create(
            sample=sample, engagement=an_engagement(personas, index), position=index
        )

    def create_data(self, personas):
        sample = AuditSample.objects.first() or AuditSample.objects.create(code="SVA-T-9", size=1, seed=1)
        return {"sample": sample.pk, "engagement": an_engagement(personas, 88).pk, "note": "另選一件"}

    def update_data(self, obj, personas):
        return {"result": "compliant", "note": "符合規定"}

    def api_update_data(self, obj, personas):
        return {"note": "符合規定"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "engagement": ""}


class TestSanction(ModelTestBase):
    model = Sanction
    api_basename = "sanction"
    manager = "quality"
    viewer = "hr"
    no_view = "client_a"
    outsider = "lead"
    deletable = False
    invalid_field = "reason"

    def make_object(self, personas, index=0):
        return Sanction.objects.create(
            code=next_code("JC"),
            kind="commendation",
            person=personas["technician"],
            reason=f"表現優秀{index}",
            proposed_by=personas["quality"],
        )

    def create_data(self, personas):
        return {
            "kind": "reward",
            "person": personas["technician"].pk,
            "reason": "客戶表揚",
            "effective_on": "2026-12-01",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "reason": "客戶書面表揚"}

    def api_update_data(self, obj, personas):
        return {"reason": "客戶書面表揚"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "reason": ""}


class TestFindingTransitions(TransitionTestBase):
    model = Finding
    api_basename = "finding"
    outsider = "technician"
    transitions = [
        TransitionCase("start", {"open"}, "in_progress", actor="lead"),
        TransitionCase("resolve", {"open", "in_progress"}, "resolved", actor="lead"),
        TransitionCase("verify", {"resolved"}, "closed", actor="quality", forbidden="lead"),
        TransitionCase("send_back", {"resolved"}, "in_progress", actor="quality", forbidden="lead"),
        TransitionCase("dismiss", {"open", "in_progress"}, "dismissed", actor="quality", forbidden="lead"),
    ]

    def make_object(self, personas):
        return _finding(personas)


class TestSanctionTransitions(TransitionTestBase):
    model = Sanction
    api_basename = "sanction"
    outsider = "lead"
    transitions = [
        TransitionCase("approve", {"proposed"}, "approved", actor="management", forbidden="quality"),
        TransitionCase("reject", {"proposed"}, "rejected", actor="management", forbidden="hr"),
    ]

    def make_object(self, personas):
        return Sanction.objects.create(
            code=next_code("JC"),
            kind="warning",
            person=personas["technician"],
            reason="多次逾期",
            proposed_by=personas["quality"],
        )


@pytest.mark.django_db
def test_EXT_3_the_demo_data_has_a_run_findings_in_each_state_a_sample_a_reward_and_a_penalty(personas):
    from onestop.supervision import demo

    for index in range(4):
        an_engagement(personas, index)
    Deadline.objects.create(
        title="答覆客戶",
        target=Engagement.objects.first(),
        due_at=timezone.now() - timedelta(days=3),
        responsible=personas["cs"],
    )
    demo.load()
    assert CheckRun.objects.count() == 2
    states = set(Finding.objects.values_list("state", flat=True))
    assert {"in_progress", "resolved"} <= states
    sample = AuditSample.objects.get()
    assert sample.replay_matches and sample.items.exclude(result="pending").count() == 2
    assert set(Sanction.objects.values_list("kind", "state")) == {
        ("reward", "approved"),
        ("warning", "proposed"),
    }
