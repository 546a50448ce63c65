"""Races (issue 10, SPEC X-4): parallel requests for one action give exactly one success and
409s with a clear message, never a 400, a 403 or a 500; on SQLite and PostgreSQL alike.

Each test fires real parallel API requests (``tests.workflow.race``: threads, each with its own
client and database connection) and judges them with ``assert_one_wins``. The generic
transitions get the same test from ``TransitionTestBase``; here are the service actions of the
apps and every signing endpoint. What keeps one winner (docs/architecture.md, "Races"):

- SQLite: every transaction is ``BEGIN IMMEDIATE``, so writers queue one at a time (the busy
  timeout), and the guarded UPDATE of ``perform_transition`` (the state read in its WHERE)
  matches no row for a writer that read the record before the winner wrote;
- PostgreSQL: ``select_for_update`` on the record (the services' ``_locked``, ``signatures.sign``)
  makes the second writer wait and then read the winner's state; the guarded UPDATE catches
  whatever read the record without the lock.

Transactional tests are slow (each ends with a flush and a restore of the data migrations' rows),
so there are two: every app action, every signing endpoint; each loops over its cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_fsm_log.models import StateLog

from onestop.core.models import Signature
from onestop.core.roles import Role
from tests.factories import ClientContactFactory
from tests.stages import stage_personas
from tests.workflow import N, assert_lost, assert_one_wins, late, race

concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def personas(personas, make_user):
    return stage_personas(personas, make_user)


def log_count(obj, transition: str) -> int:
    content_type = ContentType.objects.get_for_model(type(obj))
    return StateLog.objects.filter(content_type=content_type, object_id=obj.pk, transition=transition).count()


def signature_count(obj, role: str | None = None) -> int:
    rows = Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    )
    return rows.filter(role=role).count() if role else rows.count()


def assert_both_succeed(responses, context=None) -> None:
    answers = [(r.status_code, r.json()) for r in responses]
    assert all(200 <= status < 300 for status, _body in answers), (context, answers)


# --- signatures -------------------------------------------------------------------------------


def awaiting_confirmation_signatures(personas, index):
    """An engagement whose agreed terms wait for the client's and the technician's signatures."""
    from onestop.engagements import services
    from tests.test_engagements import TERMS, in_confirmation

    org = personas["client_a"].client_organization
    engagement = in_confirmation(
        personas["cs"], personas["technician"], org, ClientContactFactory(organization=org)
    )
    terms = {**TERMS, "period_start": date(2027, 1, 4), "period_end": date(2027, 6, 30), "fee": Decimal("99")}
    proposal = services.propose(engagement, actor=personas["technician"], **terms)
    services.accept_proposal(proposal, actor=personas["client_a"])
    engagement.refresh_from_db()
    return engagement


def awaiting_contract_signatures(personas, index):
    """An approved contract, management holding a signing authorization."""
    from tests.test_contracts import authorization, drafted, reviewed

    authorization(personas["management"], valid_from=date(2020, 1, 1), valid_to=None)
    return reviewed(personas, drafted(personas, index))


def confirmation_signed_by_both_parties_at_once_completes_exactly_once(personas):
    engagement = awaiting_confirmation_signatures(personas, 0)
    url = reverse("api:engagement-sign", args=[engagement.pk])
    responses = race(
        url,
        None,
        [personas["client_a"], personas["technician"]],
        bodies=[{"role": "client"}, {"role": "technician"}],
    )
    assert_both_succeed(responses)
    assert_lost(late(url, {"role": "client"}, personas["client_a"]))
    engagement.refresh_from_db()
    assert signature_count(engagement, "client") == 1 and signature_count(engagement, "technician") == 1
    assert log_count(engagement, "confirm") == 1, "the form completes exactly once"
    assert engagement.confirmed_at is not None


def confirmation_signed_by_one_party_several_times_at_once_lands_once(personas):
    engagement = awaiting_confirmation_signatures(personas, 1)
    url = reverse("api:engagement-sign", args=[engagement.pk])
    for role, user in (("client", personas["client_a"]), ("technician", personas["technician"])):
        responses = race(url, {"role": role}, [user] * N)
        assert_one_wins(responses, role)
        assert_lost(late(url, {"role": role}, user), role)
        assert signature_count(engagement, role) == 1, role
    # The second role's winner completed the form; a later request finds it complete: 409, not 403.
    assert log_count(engagement, "confirm") == 1


def contract_signed_by_both_parties_at_once_is_signed_exactly_once(personas):
    contract = awaiting_contract_signatures(personas, 0)
    url = reverse("api:contract-sign", args=[contract.pk])
    responses = race(
        url,
        None,
        [personas["management"], personas["client_a"]],
        bodies=[{"role": "company"}, {"role": "client"}],
    )
    assert_both_succeed(responses)
    assert_lost(late(url, {"role": "client"}, personas["client_a"]))
    contract.refresh_from_db()
    assert contract.state == "signed" and contract.signed_at is not None
    assert signature_count(contract, "company") == 1 and signature_count(contract, "client") == 1
    assert log_count(contract, "complete_signing") == 1


def contract_signed_by_one_party_several_times_at_once_lands_once(personas):
    contract = awaiting_contract_signatures(personas, 1)
    url = reverse("api:contract-sign", args=[contract.pk])
    for role, user in (("company", personas["management"]), ("client", personas["client_a"])):
        responses = race(url, {"role": role}, [user] * N)
        assert_one_wins(responses, role)
        assert_lost(late(url, {"role": role}, user), role)
        assert signature_count(contract, role) == 1, role
    assert log_count(contract, "complete_signing") == 1


# --- the apps' service actions -------------------------------------------------------------------


@dataclass
class Case:
    """One transition fired through its app's API action by N parallel requests.

    ``build(personas)`` returns the record in a state the transition starts from (meeting its
    conditions); ``body`` is the action's input; ``actor`` a persona who may run it."""

    transition: str
    action: str  # the API route name, "<basename>-<action>"
    actor: str
    build: Callable
    body: dict | Callable = field(default_factory=dict)  # or body(personas), for ids
    history_rows: int = 1  # history rows one run writes on the record (a service may save twice)
    late_conflicts: bool = True  # False where the target state allows the action again


def in_state(obj, state):
    """``obj`` with its state column set directly (its own tests prove the path there)."""
    type(obj)._base_manager.filter(pk=obj.pk).update(**{obj.state_field_name: state})
    obj.refresh_from_db()
    return obj


def run_cases(personas, cases) -> None:
    """Each case: one 2xx and N-1 409s, then a late request 409; the transition logged once, the
    record's history grown by what one run writes (so nothing twice)."""
    for case in cases:
        obj = case.build(personas)
        model = type(obj)
        _sources, target = model.transition_graph()[case.transition]
        history_before, log_before = obj.history.count(), log_count(obj, case.transition)
        url = reverse(f"api:{case.action}", args=[obj.pk])
        user = personas[case.actor]
        body = case.body(personas) if callable(case.body) else case.body
        source = obj.current_state
        responses = race(url, body, [user] * N)
        if case.late_conflicts:
            assert_one_wins(responses, case.action)
            assert_lost(late(url, body, user), (case.action, "late"))
            runs = 1
        else:
            runs = assert_one_wins_from(obj, case.transition, source, responses, case.action)
        fresh = model._base_manager.get(pk=obj.pk)
        assert fresh.current_state == target, case.action
        assert log_count(obj, case.transition) == log_before + runs, (case.action, "one log entry a run")
        written = fresh.history.count() - history_before
        assert 1 <= written <= case.history_rows * runs, (case.action, written, "history rows")


def assert_one_wins_from(obj, transition, source, responses, context) -> int:
    """Where the target state allows the action again (a re-assessment, a reassignment), a request
    that starts after the winner committed reads the new state and legitimately runs again: how
    often that happens depends on the machine's load. What must hold whatever the timing: exactly
    one run left the source state (the compare-and-set), every other success ran from the target
    state, every failure is a lost race. Returns how many runs succeeded."""
    won = [r for r in responses if 200 <= r.status_code < 300]
    for response in responses:
        if response not in won:
            assert_lost(response, context)
    logs = StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk, transition=transition
    )
    assert logs.filter(source_state=source).count() == 1, (context, "one run from the source state")
    assert logs.exclude(source_state=source).count() == len(won) - 1, (context, "the rest re-ran")
    return len(won)


# Coordination (PRJ-3, PRJ-4) -------------------------------------------------------------------


def coordination_cases():
    from onestop.coordination import services
    from tests.factories import DepartmentFactory
    from tests.test_coordination import change, issue, project_of, report

    def change_in(state):
        return lambda personas: in_state(change(personas), state)

    def resources(personas):
        department = DepartmentFactory()
        return services.request_resources(
            project_of(personas),
            actor=personas["lead"],
            department=department,
            needed="測試設備",
            quantity="1 台",
            needed_by=date(2026, 5, 1),
        )

    def issue_in(state):
        return lambda personas: in_state(issue(personas, owner=personas["technician"]), state)

    return [
        Case("resolve", "projectissue-resolve", "technician", issue_in("open"), {"resolution": "已更換網關"}),
        Case("close", "projectissue-close", "lead", issue_in("resolved"), {"comment": "確認"}),
        Case("reopen", "projectissue-reopen", "lead", issue_in("resolved"), {"comment": "問題再現"}),
        Case("reopen", "projectissue-reopen", "lead", issue_in("closed"), {"comment": "問題再現"}),
        Case("send", "clientreport-send", "lead", lambda personas: report(personas)),
        Case(
            "submit", "changerequest-submit", "lead", lambda personas: change(personas), {"comment": "請審批"}
        ),
        Case(
            "approve",
            "changerequest-approve",
            "management",
            change_in("submitted"),
            {"comment": "同意"},
            history_rows=2,  # the transition, then the link to the plan version it starts
        ),
        Case("reject", "changerequest-reject", "management", change_in("submitted"), {"comment": "不同意"}),
        Case("approve", "resourcerequest-approve", "management", resources, {"answer": "派一台"}),
        Case("decline", "resourcerequest-decline", "management", resources, {"answer": "沒有設備"}),
    ]


# Complaints (EXT-2) ------------------------------------------------------------------------------


def complaint_cases():
    from tests.test_feedback import filed

    def complaint_in(state):
        def build(personas):
            complaint = filed(personas)
            if state != "filed":
                type(complaint).objects.filter(pk=complaint.pk).update(handler=personas["technician"])
            return in_state(complaint, state)

        return build

    def assign_body(personas):
        return {"handler": personas["technician"].pk, "comment": "請處理"}

    return [
        # From "filed": the requests that read "filed" lose. A later one is a reassignment (in
        # handling → in handling), which the state allows: it succeeds, the last one standing.
        Case(
            "assign",
            "complaint-assign",
            "cs",
            complaint_in("filed"),
            assign_body,
            history_rows=2,
            late_conflicts=False,
        ),
        Case(
            "respond",
            "complaint-respond",
            "technician",
            complaint_in("in_handling"),
            {"response": "已補寄報告"},
        ),
        Case("confirm", "complaint-confirm", "client_a", complaint_in("responded"), {"comment": "滿意"}),
        Case("reopen", "complaint-reopen", "client_a", complaint_in("responded"), {"reason": "仍未收到"}),
        Case(
            "close_unconfirmed",
            "complaint-close-unconfirmed",
            "cs",
            complaint_in("responded"),
            {"note": "客戶未回覆"},
        ),
    ]


# Recruitment and onboarding (HR-2, HR-3) -------------------------------------------------------


def recruitment_cases():
    from datetime import timedelta

    from django.utils import timezone

    from tests.test_recruitment import candidate, hire_ready, programme

    def candidate_in(stage):
        return lambda personas: candidate(personas, 0, stage=stage)

    def task_in(state):
        def build(personas):
            onboarding = programme(personas)
            personas["new_hire"] = onboarding.user  # the actor of "complete"
            return in_state(onboarding.tasks.filter(has_test=False).order_by("order").first(), state)

        return build

    def offer_body(personas):
        return {
            "background_note": "無異常",
            "salary": "15000.00",
            "start_date": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "superior": personas["head"].pk,
        }

    return [
        Case("record_test", "candidate-record-test", "hr", candidate_in("written_test"), {"score": "80"}),
        Case("propose_offer", "candidate-propose-offer", "hr", candidate_in("background"), offer_body),
        Case(
            "hire", "candidate-hire", "hr", lambda personas: hire_ready(personas, 0), {"username": "new.hire"}
        ),
        Case("complete", "onboardingtask-complete", "new_hire", task_in("assigned"), {"note": "已完成"}),
        Case("acknowledge", "onboardingtask-acknowledge", "hr", task_in("completed"), {}),
        Case("redo", "onboardingtask-redo", "hr", task_in("completed"), {"reason": "請重新學習"}),
    ]


# Quality (QA-1..3) -------------------------------------------------------------------------------


def quality_cases():
    from datetime import timedelta

    from django.utils import timezone

    from onestop.quality import services
    from onestop.quality.models import ImprovementAction, QCPlan
    from tests.test_quality import (
        answer_all,
        department,
        failed_item,
        inspection_on,
        project_with_technician,
        template_for,
    )

    # The quality tests' own helpers date things from their fixed day (tests/test_quality.py
    # travels there); these run on the real clock, so their deadlines start from today.
    TODAY = timezone.localdate()

    def notice_for(personas):
        return services.raise_notice(
            failed_item(personas),
            department=department(),
            deadline=TODAY + timedelta(days=7),
            requirement="更新設計文檔並提交複核記錄",
            actor=personas["quality"],
        )

    def plan_in(state):
        def build(personas):
            project = project_with_technician(personas, 700 + QCPlan.objects.count())
            plan = services.create_qc_plan(
                project, actor=personas["quality"], template=template_for(personas)
            )
            return in_state(plan, state)

        return build

    def inspection_in(state):
        def build(personas):
            inspection = inspection_on(personas)
            if state == "in_progress":
                services.start_inspection(inspection, actor=personas["quality"])
                answer_all(inspection, personas["quality"])
            return inspection

        return build

    def notice_in(state):
        def build(personas):
            notice = notice_for(personas)
            if state == "responded":
                services.respond_notice(notice, actor=personas["head"], response="補齊複核記錄")
            return notice

        return build

    def action_in(state):
        def build(personas):
            action = ImprovementAction.objects.create(
                title="文檔同步機制",
                description="變更單關閉前附更新文檔",
                source_category="documentation",
                owner=personas["head"],
                due_date=TODAY + timedelta(days=10),
            )
            return in_state(action, state)

        return build

    return [
        Case("activate", "qcplan-activate", "quality", plan_in("draft"), {"comment": "啟用"}),
        Case("revise", "qcplan-revise", "quality", plan_in("active"), {"comment": "調整檢查點"}),
        Case("start", "inspection-start", "quality", inspection_in("planned")),
        Case("complete", "inspection-complete", "quality", inspection_in("in_progress"), {"summary": "合格"}),
        Case("respond", "rectificationnotice-respond", "head", notice_in("issued"), {"response": "已整改"}),
        Case(
            "close",
            "rectificationnotice-verify",
            "quality",
            notice_in("responded"),
            {"verification": "複核通過"},
        ),
        Case(
            "reopen", "rectificationnotice-reopen", "quality", notice_in("responded"), {"reason": "記錄不全"}
        ),
        Case("mark_done", "improvementaction-done", "head", action_in("open"), {"comment": "完成"}),
        Case(
            "confirm_effective",
            "improvementaction-check",
            "quality",
            action_in("done"),
            {"effective": True, "note": "有效"},
        ),
        Case(
            "mark_not_effective",
            "improvementaction-check",
            "quality",
            action_in("done"),
            {"effective": False, "note": "無效"},
        ),
    ]


# Settlement (FEE-1, FEE-2) -----------------------------------------------------------------------


def settlement_cases():
    from onestop.settlement import services
    from tests.test_settlement import applied, submitted, with_invoice

    def drafted(personas):
        return with_invoice(applied(personas, _next(personas)), personas)

    def returned(personas):
        settlement = submitted(personas, _next(personas))
        return services.return_to_lead(settlement, actor=personas["finance"], comment="發票抬頭有誤")

    def sent(personas):
        return submitted(personas, _next(personas))

    return [
        Case("submit", "settlement-submit", "lead", drafted, {"comment": "請審核"}),
        Case("submit", "settlement-submit", "lead", returned, {"comment": "已更正"}),
        Case("return_to_lead", "settlement-return-to-lead", "finance", sent, {"comment": "發票抬頭有誤"}),
        # Approving is signing the settlement form (one role, finance): one signature, one approval.
        Case("approve", "settlement-approve", "finance", sent, history_rows=2),
    ]


def _next(personas) -> int:
    """A fresh index for the stage builders (each makes its own engagement, contract…)."""
    personas["_index"] = personas.get("_index", 100) + 1
    return personas["_index"]


# Contracts (CON-1..3) ----------------------------------------------------------------------------


def contract_cases():
    from onestop.contracts import services
    from onestop.contracts.models import Contract
    from tests.stages import signed_contract
    from tests.test_contracts import LEGAL_CHECKLIST, drafted

    everything = [key for key, _label in LEGAL_CHECKLIST]

    def draft(personas):
        return drafted(personas, _next(personas))

    def in_review(personas, *, business_passed=False):
        contract = drafted(personas, _next(personas))
        services.submit(contract, actor=personas["legal"])
        if business_passed:
            services.business_review(contract, actor=personas["management"], passed=True)
        contract.refresh_from_db()
        return contract

    def returned(personas):
        contract = in_review(personas)
        services.return_to_drafter(contract, actor=personas["legal"], comment="條款需修改")
        return Contract.objects.get(pk=contract.pk)

    def signed(personas):
        return signed_contract(personas, _next(personas))

    return [
        Case("submit", "contract-submit", "legal", draft, {"comment": "送審"}),
        # The legal review that passes last approves the contract.
        Case(
            "approve",
            "contract-legal-review",
            "legal",
            lambda personas: in_review(personas, business_passed=True),
            {"checked": everything, "passed": True},
            history_rows=2,  # the review, then the approval
        ),
        Case(
            "return_to_drafter",
            "contract-legal-review",
            "legal",
            in_review,
            {"checked": [], "passed": False, "comment": "條款需修改"},
            history_rows=2,
        ),
        Case("revise", "contract-revise", "legal", returned, {"comment": "修改條款"}),
        Case(
            "archive",
            "contract-archive",
            "archive",
            signed,
            {"archive_number": "A-2026-001", "location": "檔案室 3 號櫃"},
            history_rows=2,
        ),
    ]


# Engagements (INT-1..3) --------------------------------------------------------------------------


def engagement_cases():
    from onestop.engagements import services
    from tests.test_engagements import new_engagement

    def inquiry(personas):
        org = personas["client_a"].client_organization
        return new_engagement(personas["cs"], org, ClientContactFactory(organization=org))

    def assessing(personas):
        engagement = inquiry(personas)
        services.forward(engagement, actor=personas["cs"], technician=personas["technician"])
        engagement.refresh_from_db()
        return engagement

    in_scope = {"in_scope": True, "service_goals": "集中採集與可視化", "technical_requirements": "200 台設備"}
    out_of_scope = {"in_scope": False, "reason": "不在服務範圍", "suggestions": "請洽設備廠商"}
    return [
        Case(
            "forward",
            "engagement-forward",
            "cs",
            inquiry,
            lambda personas: {"technician": personas["technician"].pk},
        ),
        Case("accept_scope", "engagement-assess", "technician", assessing, in_scope, history_rows=3),
        Case("decline", "engagement-assess", "technician", assessing, out_of_scope, history_rows=3),
        Case("withdraw", "engagement-withdraw", "cs", inquiry, {"comment": "客戶取消"}),
        Case("withdraw", "engagement-withdraw", "cs", assessing, {"comment": "客戶取消"}),
        Case(
            "withdraw",
            "engagement-withdraw",
            "cs",
            lambda personas: awaiting_confirmation_signatures(personas, 0),
            {"comment": "客戶取消"},
        ),
    ]


# Plans (PLN-1..3) --------------------------------------------------------------------------------


def plan_cases():
    from onestop.plans import services
    from tests.test_plans import CODES, confirmed_engagement, ready_version

    def draft(personas):
        engagement = confirmed_engagement(
            personas["client_a"].client_organization, personas["technician"], _next(personas)
        )
        plan = services.create_plan(engagement, actor=personas["management"], project_lead=personas["lead"])
        return ready_version(plan, personas)

    def reviewers_body(personas):
        return {"reviewers": [r.pk for r in personas["reviewers"]]}

    def all_but_one_reviewed(personas):
        version = draft(personas)
        services.submit_version(version, actor=personas["lead"], reviewers=personas["reviewers"])
        for reviewer in personas["reviewers"][:-1]:
            services.submit_review(
                version, actor=reviewer, scores=dict.fromkeys(CODES, 4), recommendation="pass"
            )
        version.refresh_from_db()
        return version

    def passed(personas):
        version = all_but_one_reviewed(personas)
        services.submit_review(
            version, actor=personas["reviewers"][-1], scores=dict.fromkeys(CODES, 4), recommendation="pass"
        )
        version.refresh_from_db()
        return version

    last_review = {"scores": dict.fromkeys(CODES, 4), "recommendation": "pass"}
    revise_review = {
        "scores": dict.fromkeys(CODES, 1),
        "recommendation": "revise",
        "comments": "技術路線不清",
    }
    return [
        Case("submit", "planversion-submit", "lead", draft, reviewers_body),
        # The panel's last review decides: the same reviewer sending it N times decides once.
        Case("conclude_pass", "planversion-review", "last_reviewer", all_but_one_reviewed, last_review),
        Case("conclude_revise", "planversion-review", "last_reviewer", all_but_one_reviewed, revise_review),
        Case("approve", "planversion-approve", "management", passed, {"comment": "同意"}),
        Case("reject", "planversion-reject", "management", passed, {"comment": "預算過高"}),
    ]


# Projects (PRJ-1, PRJ-2) -------------------------------------------------------------------------


def project_cases():
    from onestop.projects import services
    from onestop.projects.models import KickoffMeeting
    from tests.stages import make_project
    from tests.test_projects import kicked_off, opened

    def kickoff_body(personas):
        return {
            "held_on": "2026-01-05",
            "location": "甲方會議室",
            "attendees": [personas["lead"].pk, personas["technician"].pk],
            "goals": "完成評估",
            "tasks_communicated": "調研、測試、報告",
        }

    def milestones_done(personas):
        project = make_project(personas, _next(personas))
        project.milestones.update(completed_on=date(2026, 6, 28), percent_complete=100)
        return project

    def report_in(state):
        def build(personas):
            report = services.start_report(kicked_off(personas), actor=personas["lead"], day=date(2026, 2, 4))
            if state == "submitted":
                services.submit_report(report, actor=personas["lead"])
            return report

        return build

    def kickoff(personas):
        project = opened(personas)
        personas["_kickoffs"] = lambda: KickoffMeeting.objects.filter(project=project).count()
        return project

    return [
        Case("kick_off", "project-kickoff", "lead", kickoff, kickoff_body, history_rows=2),
        Case("complete", "project-complete", "lead", milestones_done, {"comment": "全部完成"}),
        Case("submit", "progressreport-submit", "lead", report_in("draft"), {"comment": "本週進度"}),
        Case("review", "progressreport-review", "lead", report_in("submitted"), {"comment": "OK"}),
        Case(
            "return_for_correction",
            "progressreport-return-for-correction",
            "lead",
            report_in("submitted"),
            {"comment": "數據有誤"},
        ),
    ]


# Acceptance (ACC-1..3) ---------------------------------------------------------------------------


def acceptance_cases():
    from onestop.acceptance import services
    from tests.test_acceptance import applied, in_acceptance, with_team

    def ready_to_start(personas):
        acceptance_round = with_team(applied(personas, _next(personas)), personas)
        services.skip_checklist(acceptance_round, actor=personas["client_a"], reason="雙方同意略過")
        acceptance_round.refresh_from_db()
        return acceptance_round

    def with_problem(personas):
        acceptance_round = in_acceptance(personas, _next(personas))
        services.add_problem(
            acceptance_round, actor=personas["client_a"], description="報表過慢", requirement="2 秒內"
        )
        acceptance_round.refresh_from_db()
        return acceptance_round

    def open_problem(personas):
        acceptance_round = with_problem(personas)
        services.fill_report(
            acceptance_round, actor=personas["client_a"], conclusion="fail", summary="本輪不合格"
        )
        return acceptance_round.problems.get()

    return [
        Case("start", "acceptanceround-start", "client_a", ready_to_start, {"comment": "開始驗收"}),
        Case(
            "fail_round",
            "acceptanceround-report",
            "client_a",
            with_problem,
            {"conclusion": "fail", "summary": "本輪不合格"},
            history_rows=2,  # the report, then the transition
        ),
        Case("resolve", "acceptanceproblem-resolve", "lead", open_problem, {"fix": "查詢已優化至 1.2 秒"}),
    ]


def pass_report_awaiting_signatures(personas):
    from onestop.acceptance import services
    from tests.test_acceptance import completed_project, in_acceptance, record_all

    acceptance_round = in_acceptance(personas, _next(personas))
    record_all(acceptance_round, personas["client_a"])
    services.fill_report(acceptance_round, actor=personas["client_a"], conclusion="pass", summary="全部合格")
    assert completed_project  # the project is completed: the client's signature also accepts it
    acceptance_round.refresh_from_db()
    return acceptance_round


def signing(record, document: str, role: str) -> dict:
    return {
        "record_type": record._meta.label_lower,
        "object_id": record.pk,
        "document": document,
        "role": role,
    }


def acceptance_report_signed_by_both_parties_and_by_one_party_at_once(personas):
    """The client's signature on a “pass” report passes the round and accepts the project —
    once, whoever signs at the same moment (POST /api/signatures/)."""
    url = reverse("api:signature-list")
    both = pass_report_awaiting_signatures(personas)
    responses = race(
        url,
        None,
        [personas["client_a"], personas["lead"]],
        bodies=[
            signing(both, "acceptance_report", "client"),
            signing(both, "acceptance_report", "project_lead"),
        ],
    )
    assert_both_succeed(responses)
    assert signature_count(both) == 2
    assert log_count(both, "pass_round") == 1 and log_count(both.project, "record_acceptance") == 1

    again = pass_report_awaiting_signatures(personas)
    for role, user in (("client", personas["client_a"]), ("project_lead", personas["lead"])):
        body = signing(again, "acceptance_report", role)
        assert_one_wins(race(url, body, [user] * N), role)
        assert_lost(late(url, body, user), role)
        assert signature_count(again, role) == 1, role
    assert log_count(again, "pass_round") == 1 and log_count(again.project, "record_acceptance") == 1


def one_party_forms_signed_several_times_at_once_land_once(personas):
    """The forms one party signs: the acceptance application (the lead) and the settlement
    (finance, through the signatures API as well as the approve action raced above)."""
    from tests.test_settlement import submitted

    url = reverse("api:signature-list")
    acceptance_round = pass_report_awaiting_signatures(personas)
    settlement = submitted(personas, _next(personas))
    for record, document, role, user in (
        (acceptance_round, "acceptance_application", "project_lead", personas["lead"]),
        (settlement, "settlement", "finance", personas["finance"]),
    ):
        body = signing(record, document, role)
        assert_one_wins(race(url, body, [user] * N), document)
        assert_lost(late(url, body, user), document)
        assert signature_count(record, role) == 1, document
    assert log_count(settlement, "approve") == 1


# Risks (RSK-1..4, EXT-1) -------------------------------------------------------------------------


def risk_cases():
    from onestop.risks import defaults
    from onestop.risks import services as risks
    from onestop.risks.models import EmergencyPlan, RiskCategory

    def identified(personas, likelihood=None, impact=None):
        defaults.ensure()  # the policy's categories (a transactional test starts without them)
        risks.current_matrix()
        personas.setdefault("last_risk", 0)
        personas["last_risk"] += 1
        risk = risks.identify(
            actor=personas["quality"],
            title=f"核心人員流失{personas['last_risk']}",
            category=RiskCategory.objects.get(code="personnel"),
            cause="同業挖角",
            event="關鍵工程師離職",
            consequence="項目延期",
            owner=personas["lead"],
        )
        if likelihood is None:
            return risk
        return risks.assess(risk, actor=personas["quality"], likelihood=likelihood, impact=impact)

    def acceptance_pending(personas):
        risk = identified(personas, 1, 2)  # low: accepting is the suggestion, quality signs it off
        return risks.choose_response(
            risk, actor=personas["lead"], strategy="accept", acceptance_expires=date(2030, 1, 1)
        )

    def monitored(personas):
        risk = identified(personas, 4, 2)  # mitigate suggested
        return risks.choose_response(
            risk,
            actor=personas["lead"],
            strategy="mitigate",
            action_title="交接文件",
            action_owner=personas["lead"],
            action_due=date(2030, 1, 31),
        )

    def activated(personas):
        risk = identified(personas, 5, 4)
        plan = EmergencyPlan.objects.create(
            title="重大延期", category=risk.category, steps="開會", roles="PM", contacts="2301"
        )
        return risks.activate(plan, actor=personas["management"], situation="已發生", risk=risk)

    def mitigate_body(personas):
        return {
            "strategy": "mitigate",
            "action_title": "準備備援人員",
            "action_owner": personas["lead"].pk,
            "action_due": "2030-01-31",
        }

    return [
        # Assessing again is a re-assessment (assessed → assessed): a late request succeeds.
        Case("assess", "risk-assess", "quality", identified, {"likelihood": 4, "impact": 4}, 2, False),
        Case("respond", "risk-respond", "lead", lambda p: identified(p, 4, 2), mitigate_body, 2),
        Case(
            "propose_acceptance",
            "risk-respond",
            "lead",
            lambda p: identified(p, 1, 2),
            {"strategy": "accept", "acceptance_expires": "2030-06-30"},
        ),
        Case("sign_off", "risk-sign-off", "quality", acceptance_pending, {"comment": "同意"}),
        Case(
            "refuse_acceptance", "risk-refuse", "quality", acceptance_pending, {"comment": "請補充監控措施"}
        ),
        # A late review is a plain review of the reconsidered (assessed) risk, which is allowed.
        Case(
            "reconsider",
            "risk-review",
            "lead",
            monitored,
            {"likelihood": 5, "impact": 5, "reconsider": True, "note": "情勢惡化"},
            2,
            False,
        ),
        Case("close", "risk-close", "lead", monitored, {"outcome": "not_realised", "note": "已交接完成"}, 2),
        Case(
            "close_with_review", "emergencyactivation-close", "management", activated, {"review": "處理及時"}
        ),
    ]


# Resources: documents, knowledge, equipment (RES-1..3) -------------------------------------------


def resource_cases():
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from onestop.resources import services as resources
    from onestop.resources.models import DocumentType, Equipment, TechnicalDocument
    from tests.stages import make_project

    checklist = ["結構完整", "數據準確"]

    def document(personas):
        """A document of the lead's project with its first version (a draft)."""
        if "_resource_project" not in personas:
            personas["_resource_project"] = make_project(personas, 70)
        doc_type, _ = DocumentType.objects.get_or_create(
            code="race-report",
            defaults={"name": "測試報告", "checklist": "\n".join(checklist), "retention_years": 5},
        )
        return resources.create_document(
            actor=personas["lead"],
            project=personas["_resource_project"],
            doc_type=doc_type,
            title="系統測試報告",
            file=SimpleUploadedFile("report.txt", "第一版".encode(), content_type="text/plain"),
            change_note="初版",
        )

    def version_in(state):
        def build(personas):
            return in_state(document(personas).versions.get(), state)

        return build

    def expired(state):
        def build(personas):
            version = document(personas).versions.get()
            resources.submit_version(
                version,
                actor=personas["lead"],
                reviewer=personas["last_reviewer"],
                approver=personas["management"],
            )
            version.refresh_from_db()
            resources.review_version(
                version, actor=personas["last_reviewer"], checklist=dict.fromkeys(checklist, True)
            )
            version.refresh_from_db()
            resources.approve_version(version, actor=personas["management"])
            found = TechnicalDocument.objects.get(pk=version.document_id)
            TechnicalDocument.objects.filter(pk=found.pk).update(
                retention_until=timezone.localdate() - timedelta(days=1)
            )
            return in_state(found, state)

        return build

    def submit_body(personas):
        return {"reviewer": personas["last_reviewer"].pk, "approver": personas["management"].pk}

    def article_in(state):
        def build(personas):
            article = resources.write_article(
                actor=personas["technician"], kind="article", title="備份策略", body="3-2-1 原則"
            )
            return in_state(article, state)

        return build

    def item_in(state):
        def build(personas):
            item = resources.request_equipment(
                actor=personas["technician"], name="數位萬用電表", category="instrument", purpose="量測",
                estimated_price=Decimal("8000"), daily_rate=Decimal("200"),
            )  # fmt: skip
            return in_state(item, state)

        return build

    def checked_out(personas):
        item = item_in("in_stock")(personas)
        resources.check_out(
            item, actor=personas["archive"], person=personas["technician"], due_back_on=timezone.localdate()
        )
        return Equipment.objects.get(pk=item.pk)

    def checkout_body(personas):
        return {"person": personas["technician"].pk, "due_back_on": timezone.localdate().isoformat()}

    reason = {"comment": "依規定辦理"}
    return [
        Case("submit", "documentversion-submit", "lead", version_in("draft"), submit_body),
        Case(
            "review",
            "documentversion-review",
            "last_reviewer",
            lambda p: in_state(expired("kept")(p).versions.get(), "in_review"),
            {"checklist": dict.fromkeys(checklist, True)},
        ),
        Case(
            "return_to_author",
            "documentversion-return-to-author",
            "last_reviewer",
            lambda p: in_state(expired("kept")(p).versions.get(), "in_review"),
            reason,
        ),
        Case(
            "approve",
            "documentversion-approve",
            "management",
            lambda p: in_state(expired("kept")(p).versions.get(), "reviewed"),
            {},
        ),
        Case("request_disposal", "technicaldocument-request-disposal", "archive", expired("kept"), reason),
        Case(
            "approve_disposal",
            "technicaldocument-approve-disposal",
            "management",
            expired("disposal_requested"),
            reason,
        ),
        Case(
            "keep_longer",
            "technicaldocument-keep-longer",
            "management",
            expired("disposal_requested"),
            reason,
        ),
        Case("submit", "article-submit", "technician", article_in("draft"), {}),
        Case("return_article", "article-return-article", "quality", article_in("in_review"), reason),
        Case("publish", "article-publish", "quality", article_in("in_review"), {}),
        Case("revise", "article-revise", "technician", article_in("published"), {}),
        Case("archive", "article-archive", "quality", article_in("published"), reason),
        Case("approve_purchase", "equipment-approve-purchase", "management", item_in("requested"), {}),
        Case("reject_purchase", "equipment-reject-purchase", "management", item_in("requested"), reason),
        Case(
            "order",
            "equipment-order",
            "archive",
            item_in("approved"),
            {"supplier": "光通科技", "price": "7800"},
        ),
        Case("arrive", "equipment-arrive", "archive", item_in("ordered"), {}),
        Case("accept", "equipment-accept", "archive", item_in("inspection"), {"note": "功能正常"}),
        Case("fail_inspection", "equipment-fail-inspection", "archive", item_in("inspection"), reason),
        Case("check_out", "equipment-check-out", "archive", item_in("in_stock"), checkout_body),
        Case("return_item", "equipment-return-item", "archive", checked_out, {"condition_note": "正常"}),
        Case("start_maintenance", "equipment-start-maintenance", "archive", item_in("in_stock"), {}),
        # The record carries the state the keeper saw: pressed twice, it is written once.
        Case(
            "finish_maintenance",
            "equipment-maintenance",
            "archive",
            item_in("maintenance"),
            {"kind": "maintenance", "description": "清潔校正", "expected_state": "maintenance"},
            2,
        ),
        Case("request_scrap", "equipment-request-scrap", "archive", item_in("in_stock"), reason),
        Case("approve_scrap", "equipment-approve-scrap", "management", item_in("scrap_requested"), reason),
        Case("refuse_scrap", "equipment-refuse-scrap", "management", item_in("scrap_requested"), reason),
    ]


# People: appraisal, results, improvement plans, training (HR-3, HR-5..HR-8) -----------------------


def people_cases():
    from onestop.accounts.models import Department, Position, User
    from onestop.people import services as people
    from onestop.people.models import (
        Appraisal,
        Course,
        Enrolment,
        Indicator,
        IndicatorTemplate,
        TrainingSession,
    )

    def organisation(personas):
        """The PMO of tests/test_people.py (an employee, their superior, HR) and a complete
        appraisal template for the employee's position, once."""
        if "employee" not in personas:
            pmo = Department.objects.create(code="pmo-t", name="項目管理部")
            head = personas["_make_user"](
                Role.PROJECT_LEAD, username="pmo.head", full_name="項目部長", department=pmo
            )
            Department.objects.filter(pk=pmo.pk).update(head=head)
            position = Position.objects.create(name="項目經理", department=pmo)
            User.objects.filter(pk=personas["lead"].pk).update(department=pmo, position=position)
            personas["lead"].refresh_from_db()
            personas.update(employee=personas["lead"], pmo_head=head, position=position)
            template = IndicatorTemplate.objects.create(
                position=personas["position"], title="項目經理考核指標"
            )
            for order, name in enumerate(("專業能力", "團隊協作")):
                Indicator.objects.create(
                    template=template,
                    category="ability",
                    name=name,
                    weight=50,
                    target="≥ 90%",
                    sort_order=order,
                )
            personas["_cycles"] = 0
        personas["_cycles"] += 1
        return personas["_cycles"]

    def cycle(personas, **options):
        number = organisation(personas)
        return people.open_cycle(
            actor=personas["hr"], kind="month", year=2000 + number, number=1, self_assessment=True, **options
        )

    def appraisal_in(state):
        def build(personas):
            appraisal = Appraisal.objects.get(cycle=cycle(personas), employee=personas["employee"])
            personas["_appraisal"] = appraisal
            return in_state(appraisal, state)

        return build

    def scores_body(personas):
        rows = personas["_appraisal"].scores.values_list("pk", flat=True)
        return {"scores": {str(pk): {"score": 85, "comment": "穩定"} for pk in rows}, "submit": True}

    def result_action(personas):
        appraisal = appraisal_in("acknowledged")(personas)
        return people.propose_action(
            actor=personas["hr"], appraisal=appraisal, kind="commendation", reason="項目提前交付"
        )

    def improvement_plan(personas):
        organisation(personas)
        return people.start_plan(
            actor=personas["pmo_head"],
            employee=personas["employee"],
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 6, 30),
            goals="里程碑按時率 ≥ 90%",
        )

    def enrolled(personas):
        organisation(personas)
        course = Course.objects.create(title="安全保密規範", kind="internal", hours=4)
        session = TrainingSession.objects.create(
            course=course, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 2), trainer="法務甲", capacity=5
        )
        enrolment = Enrolment.objects.create(session=session, employee=personas["employee"])
        return in_state(enrolment, "enrolled")

    return [
        Case(
            "submit_self",
            "appraisal-self-assess",
            "employee",
            appraisal_in("self"),
            {"scores": {}, "comment": "自評"},
        ),
        Case("submit_scores", "appraisal-score", "pmo_head", appraisal_in("scoring"), scores_body, 2),
        Case("acknowledge", "appraisal-acknowledge", "employee", appraisal_in("review"), {"comment": "同意"}),
        Case("appeal", "appraisal-appeal", "employee", appraisal_in("review"), {"reason": "分數未計入加班"}),
        Case("close", "appraisal-close", "hr", appraisal_in("acknowledged"), {}, 2),
        Case("close", "cycle-close", "hr", lambda personas: cycle(personas, people=[]), {}),
        Case("approve", "resultaction-approve", "management", result_action, {"comment": "同意"}),
        Case(
            "conclude",
            "improvementplan-conclude",
            "pmo_head",
            improvement_plan,
            {"outcome": "met", "note": "達成"},
        ),
        Case("complete", "enrolment-record", "hr", enrolled, {"passed": True, "score": "90"}),
    ]


# --- what guards a race on each database ---------------------------------------------------------


def test_X_4_what_keeps_one_winner_is_there_on_this_database():
    """``select_for_update`` is a no-op on SQLite; there every transaction takes the write lock at
    its start (BEGIN IMMEDIATE) and a waiting writer queues (busy timeout) instead of failing."""
    from django.db import connection

    if connection.vendor == "sqlite":
        assert not connection.features.has_select_for_update
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert connection.settings_dict["OPTIONS"]["timeout"] >= 5
    else:
        assert connection.features.has_select_for_update


# --- every transition is raced -----------------------------------------------------------------

# Transitions a signature makes (the last party's, or the one that decides), raced above
# through the signing endpoints.
RACED_BY_SIGNING = {
    "engagements.Engagement.confirm",
    "contracts.Contract.complete_signing",
    "acceptance.AcceptanceRound.pass_round",
    "projects.Project.record_acceptance",
    "settlement.Settlement.approve",
}
# Transitions no request asks for: a service runs them inside another action's transaction
# (closing an engagement when its last settlement or payment lands; implementing a change
# request when the plan version it started takes effect, i.e. the plan approval raced above).
NO_REQUEST_OF_THEIR_OWN = {"engagements.Engagement.close", "coordination.ChangeRequest.implement"}


def test_every_transition_is_raced_by_parallel_requests():
    from django.apps import apps

    from tests.test_meta_workflow import all_subclasses, load_test_modules, workflow_models
    from tests.workflow import TransitionTestBase

    load_test_modules()
    by_name = {model._meta.model_name: model._meta.label for model in workflow_models()}
    raced = set(RACED_BY_SIGNING)
    for cases in ALL_CASES:
        raced |= {f"{by_name[case.action.split('-')[0]]}.{case.transition}" for case in cases()}
    for sub in all_subclasses(TransitionTestBase):  # the generic transitions race there
        if sub.model is not None:
            raced |= {f"{sub.model._meta.label}.{case.name}" for case in sub.transitions}
    every = {
        f"{model._meta.label}.{name}" for model in workflow_models() for name in model.transition_names()
    }
    assert every - raced == NO_REQUEST_OF_THEIR_OWN, sorted(every - raced - NO_REQUEST_OF_THEIR_OWN)
    assert raced <= every, sorted(raced - every)
    assert apps.ready


# --- the tests: few, because each transactional test costs a flush and a restore ------------


ALL_CASES = (
    coordination_cases,
    complaint_cases,
    quality_cases,
    settlement_cases,
    contract_cases,
    engagement_cases,
    plan_cases,
    project_cases,
    acceptance_cases,
    recruitment_cases,
    risk_cases,
    resource_cases,
    people_cases,  # last: its organisation moves the lead into a department of its own
)


@concurrent
def test_X_4_every_app_action_fired_at_once_succeeds_once_and_the_others_get_409(personas, make_user):
    """Every transition an app's API action runs, from each source state worth its own case."""
    from onestop.accounts.models import Department

    department = Department.objects.create(code="rnd-q", name="技術研發部")  # quality's notices go here
    head = make_user(Role.TECHNICIAN, username="rnd.head", full_name="研發部長", department=department)
    Department.objects.filter(pk=department.pk).update(head=head)
    reviewers = [make_user(Role.REVIEWER, username=f"expert.{name}") for name in ("zhao", "qian", "feng")]
    personas = {**personas, "head": head, "reviewers": reviewers, "last_reviewer": reviewers[-1]}
    personas["_make_user"] = make_user
    for cases in ALL_CASES:
        run_cases(personas, cases())
    assert personas["_kickoffs"]() == 1, "one kickoff meeting, not one per request"


@concurrent
def test_X_4_every_form_signed_at_once_lands_each_signature_once_and_completes_once(personas):
    """Every signing endpoint: both parties at once (both land, the form completes once) and one
    party N times at once (one lands, the others 409, a late one 409)."""
    confirmation_signed_by_both_parties_at_once_completes_exactly_once(personas)
    confirmation_signed_by_one_party_several_times_at_once_lands_once(personas)
    contract_signed_by_both_parties_at_once_is_signed_exactly_once(personas)
    contract_signed_by_one_party_several_times_at_once_lands_once(personas)
    acceptance_report_signed_by_both_parties_and_by_one_party_at_once(personas)
    one_party_forms_signed_several_times_at_once_land_once(personas)
