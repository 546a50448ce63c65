"""Acceptance (ACC-1..3): application, preparation, acceptance rounds that loop until one passes.

Service-only transitions tested here through acceptance.services: AcceptanceRound.start,
AcceptanceRound.pass_round, AcceptanceRound.fail_round and AcceptanceProblem.resolve.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from onestop.acceptance import services
from onestop.acceptance.documents import application_form, report_form
from onestop.acceptance.models import (
    AcceptanceCriterion,
    AcceptanceDeliverable,
    AcceptanceProblem,
    AcceptanceResult,
    AcceptanceRound,
    AcceptanceTeamMember,
    ChecklistItem,
    Method,
)
from onestop.acceptance.selectors import passed_round
from onestop.acceptance.signals import acceptance_passed
from onestop.core import comments, signatures
from onestop.core import services as core_services
from onestop.core.exceptions import DomainError
from onestop.core.models import Comment, Visibility
from onestop.notifications.models import Deadline, Notification
from tests.factories import PASSWORD
from tests.generic import ModelTestBase
from tests.stages import make_project, stage_personas


@pytest.fixture
def personas(personas, make_user):
    """The stage personas, reading English (the messages asserted are the source strings)."""
    people = stage_personas(personas, make_user)
    for user in people.values():
        type(user).objects.filter(pk=user.pk).update(language="en")
        user.language = "en"
    return people


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- builders ----------------------------------------------------------------------------------


def completed_project(personas, index=0):
    project = make_project(personas, index, state="completed")
    project.milestones.update(completed_on=date(2026, 6, 28), percent_complete=100)
    return project


def applied(personas, index=0, **kwargs):
    project = completed_project(personas, index)
    return services.apply(
        project,
        actor=personas["lead"],
        self_assessment="各里程碑均已完成，自評合格。",
        deliverables=["需求規格說明書：V1.0", "用戶操作手冊"],
        **kwargs,
    )


def with_team(acceptance_round, personas):
    services.name_team_member(
        acceptance_round, actor=personas["client_a"], user=personas["client_a"], role="驗收組長"
    )
    acceptance_round.refresh_from_db()
    return acceptance_round


def in_acceptance(personas, index=0):
    acceptance_round = with_team(applied(personas, index), personas)
    for item in acceptance_round.checklist.all():
        services.tick(item, actor=personas["client_a"])
    services.start(acceptance_round, actor=personas["client_a"])
    acceptance_round.refresh_from_db()
    return acceptance_round


def record_all(acceptance_round, user, *, passed=True):
    for criterion in acceptance_round.criteria.all():
        services.record_result(
            acceptance_round,
            actor=user,
            criterion=criterion,
            method=Method.SYSTEM_TEST,
            passed=passed,
            note="測試",
        )


def sign_as_client(acceptance_round, user):
    acceptance_round.refresh_from_db()
    return signatures.sign(report_form(), acceptance_round, actor=user, role="client", password=PASSWORD)


# --- generic pages, API and permissions of every model ------------------------------------------


def cached(personas, key, build):
    """Records the input data refers to, built once per test (before the row counts are taken)."""
    if key not in personas:
        personas[key] = build()
    return personas[key]


class RoundCase(ModelTestBase):
    viewer = "cs"
    outsider = "client_b"

    @pytest.fixture(autouse=True)
    def _input_records(self, personas):
        """Build the records the input refers to before the generic tests count rows."""
        self.create_data(personas)
        self.api_create_data(personas)
        self.invalid_data(personas)

    def data_round(self, personas, index):
        return cached(personas, f"round-{index}", lambda: applied(personas, index))


class TestAcceptanceRound(RoundCase):
    model = AcceptanceRound
    manager = "lead"
    deletable = False
    invalid_field = "self_assessment"

    def make_object(self, personas, index=0):
        return applied(personas, index)

    def create_data(self, personas):
        project = cached(personas, "project-90", lambda: completed_project(personas, 90))
        return {"project": project.pk, "self_assessment": "自評合格", "deliverables": "交付清單：一份"}

    def api_create_data(self, personas):
        project = cached(personas, "project-91", lambda: completed_project(personas, 91))
        return {
            "project": project.pk,
            "self_assessment": "自評合格",
            "deliverables": [{"name": "交付清單", "description": "一份", "delivered_on": "2026-06-30"}],
        }

    def update_data(self, obj, personas):
        return {"service_content": "資訊安全評估與整改", "self_assessment": "自評合格，補充說明。"}

    def invalid_data(self, personas):
        project = cached(personas, "project-92", lambda: completed_project(personas, 92))
        return {"project": project.pk, "self_assessment": ""}


class TestAcceptanceDeliverable(RoundCase):
    model = AcceptanceDeliverable
    manager = "lead"

    def make_object(self, personas, index=0):
        return AcceptanceDeliverable.objects.create(round=applied(personas, index), name=f"交付物{index}")

    def create_data(self, personas):
        return {
            "round": self.data_round(personas, 80).pk,
            "name": "測試報告",
            "description": "",
            "delivered_on": "2026-06-30",
        }

    def update_data(self, obj, personas):
        return {
            "round": obj.round_id,
            "name": "測試報告 V2",
            "description": "更新",
            "delivered_on": "2026-06-30",
        }

    def invalid_data(self, personas):
        return {"round": self.data_round(personas, 81).pk, "name": ""}


class TestAcceptanceTeamMember(RoundCase):
    model = AcceptanceTeamMember
    manager = "admin"  # a staff persona: the generic test reads the history page, which clients never see
    invalid_field = "role"

    def make_object(self, personas, index=0):
        return AcceptanceTeamMember.objects.create(
            round=applied(personas, index), user=personas["client_a"], role="組長"
        )

    def create_data(self, personas):
        return {
            "round": self.data_round(personas, 80).pk,
            "user": personas["client_a"].pk,
            "role": "驗收組長",
        }

    def update_data(self, obj, personas):
        return {"round": obj.round_id, "user": obj.user_id, "role": "業務代表"}

    def invalid_data(self, personas):
        return {"round": self.data_round(personas, 81).pk, "user": personas["client_a"].pk, "role": ""}


class TeamRowCase(RoundCase):
    """Rows the client's acceptance team writes: client_a is on the team of every round made here.
    The generic tests act as the system administrator (they read the history pages, which
    clients never see); the team's own rights are proved by the flow tests below."""

    manager = "admin"

    def team_round(self, personas, index, state="applied"):
        if index < 80:  # the records of make_object
            return (
                with_team(applied(personas, index), personas)
                if state == "applied"
                else in_acceptance(personas, index)
            )
        if state == "applied":
            return cached(
                personas, f"team-round-{index}", lambda: with_team(applied(personas, index), personas)
            )
        return cached(personas, f"team-round-{index}", lambda: in_acceptance(personas, index))


class TestChecklistItem(TeamRowCase):
    model = ChecklistItem
    invalid_field = "text"

    def make_object(self, personas, index=0):
        return ChecklistItem.objects.create(round=self.team_round(personas, index), text=f"檢查項{index}")

    def create_data(self, personas):
        return {"round": self.team_round(personas, 80).pk, "kind": "other", "text": "核對備品", "note": ""}

    def update_data(self, obj, personas):
        return {"round": obj.round_id, "kind": "other", "text": "核對備品與保固卡", "note": "已約定"}

    def invalid_data(self, personas):
        return {"round": self.team_round(personas, 81).pk, "kind": "other", "text": ""}


class TestAcceptanceCriterion(TeamRowCase):
    model = AcceptanceCriterion
    invalid_field = "text"

    def make_object(self, personas, index=0):
        return AcceptanceCriterion.objects.create(
            round=self.team_round(personas, index), number=50, text="可用性 99.9%"
        )

    def create_data(self, personas):
        return {
            "round": self.team_round(personas, 80).pk,
            "number": 60,
            "text": "回應時間小於 2 秒",
            "source": "added",
        }

    def update_data(self, obj, personas):
        return {"round": obj.round_id, "number": obj.number, "text": "回應時間小於 1 秒", "source": "added"}

    def invalid_data(self, personas):
        return {"round": self.team_round(personas, 81).pk, "number": 61, "text": "", "source": "added"}


class TestAcceptanceResult(TeamRowCase):
    model = AcceptanceResult
    invalid_field = "method"

    def make_object(self, personas, index=0):
        acceptance_round = self.team_round(personas, index, "in_acceptance")
        return AcceptanceResult.objects.create(
            round=acceptance_round,
            criterion=acceptance_round.criteria.first(),
            method=Method.USER_TRIAL,
            passed=True,
        )

    def create_data(self, personas):
        acceptance_round = self.team_round(personas, 80, "in_acceptance")
        criterion = acceptance_round.criteria.first()
        return {
            "round": acceptance_round.pk,
            "criterion": criterion.pk,
            "method": "demonstration",
            "passed": True,
        }

    def update_data(self, obj, personas):
        return {
            "round": obj.round_id,
            "criterion": obj.criterion_id,
            "method": obj.method,
            "note": "再測失敗",
        }

    def invalid_data(self, personas):
        acceptance_round = self.team_round(personas, 81, "in_acceptance")
        return {"round": acceptance_round.pk, "criterion": acceptance_round.criteria.first().pk, "method": ""}


class TestAcceptanceProblem(TeamRowCase):
    model = AcceptanceProblem
    invalid_field = "requirement"

    def make_object(self, personas, index=0):
        return AcceptanceProblem.objects.create(
            round=self.team_round(personas, index, "in_acceptance"),
            description=f"問題{index}",
            requirement="整改",
        )

    def create_data(self, personas):
        acceptance_round = self.team_round(personas, 80, "in_acceptance")
        return {"round": acceptance_round.pk, "description": "報表過慢", "requirement": "優化到 2 秒內"}

    def update_data(self, obj, personas):
        return {
            "round": obj.round_id,
            "description": "報表過慢（高峰）",
            "requirement": "優化到 1 秒內",
            "due_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        }

    def invalid_data(self, personas):
        acceptance_round = self.team_round(personas, 81, "in_acceptance")
        return {"round": acceptance_round.pk, "description": "報表過慢", "requirement": ""}


# --- ACC-1: application ----------------------------------------------------------------------------


def test_ACC_1_no_application_before_the_milestones_are_complete(personas):
    project = make_project(personas, 0, state="completed")  # its milestones are not complete
    with pytest.raises(DomainError, match="Every milestone must be complete"):
        services.apply(project, actor=personas["lead"], self_assessment="自評")
    running = make_project(personas, 1, state="in_progress")
    running.milestones.update(completed_on=date(2026, 6, 1), percent_complete=100)
    with pytest.raises(DomainError, match="only when the project is complete"):
        services.apply(running, actor=personas["lead"], self_assessment="自評")
    assert not AcceptanceRound.objects.exists()
    project.milestones.update(completed_on=date(2026, 6, 28), percent_complete=100)
    acceptance_round = services.apply(project, actor=personas["lead"], self_assessment="自評合格")
    assert (acceptance_round.number, acceptance_round.state) == (1, "applied")


def test_ACC_1_only_the_project_lead_or_management_applies(personas):
    project = completed_project(personas)
    for who in ("cs", "technician", "client_a"):
        with pytest.raises(PermissionDenied):
            services.apply(project, actor=personas[who], self_assessment="自評")
    assert (
        services.apply(project, actor=personas["management"], self_assessment="自評").applied_by
        == personas["management"]
    )


def test_ACC_1_a_milestone_round_only_for_a_milestone_tied_to_an_instalment(personas):
    project = make_project(personas, 0, state="in_progress")
    first, second = project.milestones.order_by("planned_date")
    instalment = project.contract.instalments.order_by("number").first()
    type(instalment).objects.filter(pk=instalment.pk).update(milestone=first.name)
    type(instalment).objects.filter(contract=project.contract).exclude(pk=instalment.pk).update(milestone="")
    with pytest.raises(DomainError, match="not complete"):
        services.apply(project, actor=personas["lead"], milestone=first, self_assessment="自評")
    project.milestones.update(completed_on=date(2026, 3, 1), percent_complete=100)
    first.refresh_from_db()
    second.refresh_from_db()
    with pytest.raises(DomainError, match="ties no payment instalment"):
        services.apply(project, actor=personas["lead"], milestone=second, self_assessment="自評")
    acceptance_round = services.apply(
        project, actor=personas["lead"], milestone=first, self_assessment="自評"
    )
    assert acceptance_round.milestone == first
    assert [row["name"] for row in acceptance_round.implementation_status] == [first.name]
    with pytest.raises(DomainError, match="already open"):
        services.apply(project, actor=personas["lead"], milestone=first, self_assessment="再申請")


def test_ACC_1_the_application_carries_its_fields_prints_and_reaches_the_client(personas, client):
    acceptance_round = applied(personas)
    project = acceptance_round.project
    assert acceptance_round.service_content == project.contract.scope_items.strip()
    assert [row["percent_complete"] for row in acceptance_round.implementation_status] == [100, 100]
    assert list(acceptance_round.deliverables.values_list("name", "description")) == [
        ("需求規格說明書", "V1.0"),
        ("用戶操作手冊", ""),
    ]
    assert acceptance_round.checklist.count() == 3
    expected = len(
        [
            x
            for x in (
                project.contract.quality_standard + "\n" + project.contract.acceptance_method
            ).splitlines()
            if x.strip()
        ]
    )
    assert acceptance_round.criteria.count() == expected > 0
    assert Notification.objects.filter(recipient=personas["client_a"], target_id=acceptance_round.pk).exists()
    assert not Notification.objects.filter(recipient=personas["client_b"]).exists()
    content = application_form().render(acceptance_round)
    assert project.name in content and "自評合格" in content and "需求規格說明書" in content
    client.force_login(personas["client_a"])
    label = "acceptance.acceptanceround"
    response = client.get(
        reverse("core:document_pdf", args=[label, acceptance_round.pk, "acceptance_application"])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # The project lead signs the application; it is then frozen.
    with pytest.raises(PermissionDenied):
        signatures.sign(
            application_form(),
            acceptance_round,
            actor=personas["client_a"],
            role="project_lead",
            password=PASSWORD,
        )
    signatures.sign(
        application_form(), acceptance_round, actor=personas["lead"], role="project_lead", password=PASSWORD
    )
    with pytest.raises(DomainError, match="has been signed"):
        services.edit_application(acceptance_round, actor=personas["lead"], self_assessment="改寫")
    with pytest.raises(DomainError, match="can no longer change"):
        core_services.save(AcceptanceDeliverable(round=acceptance_round, name="補交"), actor=personas["lead"])


# --- ACC-2: preparation -----------------------------------------------------------------------------


def test_ACC_2_the_acceptance_starts_only_with_a_team_and_a_done_or_skipped_checklist(personas):
    acceptance_round = applied(personas)
    client_a = personas["client_a"]
    with pytest.raises(DomainError, match="Name the acceptance team"):
        services.start(acceptance_round, actor=personas["lead"])
    with pytest.raises(PermissionDenied):
        services.name_team_member(
            acceptance_round, actor=personas["client_b"], user=personas["client_b"], role="x"
        )
    with pytest.raises(DomainError):
        services.name_team_member(acceptance_round, actor=client_a, user=personas["client_b"], role="組員")
    with_team(acceptance_round, personas)
    services.add_checklist_item(acceptance_round, actor=client_a, text="核對備品清單")
    with pytest.raises(DomainError, match="Tick every item"):
        services.start(acceptance_round, actor=client_a)
    items = list(acceptance_round.checklist.all())
    assert len(items) == 4
    for item in items[:-1]:
        services.tick(item, actor=client_a)
    services.skip_checklist(acceptance_round, actor=client_a, reason="備品於現場核對")
    services.start(acceptance_round, actor=client_a)
    acceptance_round.refresh_from_db()
    assert acceptance_round.state == "in_acceptance" and acceptance_round.started_at
    with pytest.raises(PermissionDenied):
        services.add_checklist_item(acceptance_round, actor=client_a, text="遲到的項目")


def test_ACC_2_the_help_thread_hides_staff_internal_notes_from_the_client(personas, client):
    acceptance_round = applied(personas)
    comments.add_comment(acceptance_round, actor=personas["client_a"], body="請問測試環境帳號？")
    comments.add_comment(
        acceptance_round,
        actor=personas["lead"],
        body="帳號已寄出，請查收。",
        channel=Comment.Channel.PORTAL,
        visibility=Visibility.SHARED,
    )
    comments.add_comment(acceptance_round, actor=personas["lead"], body="內部：客戶測試環境未就緒")
    client.force_login(personas["client_a"])
    page = client.get(acceptance_round.get_absolute_url()).content.decode()
    assert "請問測試環境帳號？" in page and "帳號已寄出" in page
    assert "內部：客戶測試環境未就緒" not in page
    client.force_login(personas["lead"])
    assert "內部：客戶測試環境未就緒" in client.get(acceptance_round.get_absolute_url()).content.decode()


# --- ACC-3: acceptance, failing and passing rounds ------------------------------------------------


def test_ACC_3_round_1_fails_with_problems_and_round_2_passes_when_the_client_signs(
    personas, django_capture_on_commit_callbacks
):
    client_a, lead = personas["client_a"], personas["lead"]
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    acceptance_passed.connect(listener)
    try:
        first = in_acceptance(personas)
        criteria = list(first.criteria.all())
        record_all(first, client_a)
        services.record_result(
            first, actor=client_a, criterion=criteria[0], method=Method.USER_TRIAL, passed=False
        )
        with pytest.raises(DomainError, match="cannot pass"):
            services.fill_report(first, actor=client_a, conclusion="pass", summary="合格")
        with pytest.raises(DomainError, match="at least one problem"):
            services.fill_report(first, actor=client_a, conclusion="fail", summary="不合格")
        first.refresh_from_db()
        assert first.state == "in_acceptance" and first.report_conclusion == ""
        services.add_problem(first, actor=client_a, description="報表過慢", requirement="2 秒內")
        services.add_problem(first, actor=client_a, description="手冊缺章節", requirement="補充權限章節")
        services.fill_report(first, actor=client_a, conclusion="fail", summary="本輪不合格")
        first.refresh_from_db()
        assert first.state == "failed"
        problems = list(first.problems.order_by("pk"))
        assert {p.owner for p in problems} == {lead} and all(p.due_date for p in problems)
        problem_type = ContentType.objects.get_for_model(AcceptanceProblem)
        assert Deadline.objects.filter(target_type=problem_type, closed_at__isnull=True).count() == 2
        with pytest.raises(PermissionDenied):
            signatures.sign(report_form(), first, actor=client_a, role="client", password=PASSWORD)

        services.resolve_problem(problems[1], actor=lead, fix="已補充第 7 章")
        problems[1].refresh_from_db()
        assert problems[1].state == "done" and problems[1].done_by == lead
        assert not lead.has_perm(
            "acceptance.change_acceptanceproblem", problems[1]
        )  # a fixed problem is closed
        with pytest.raises(DomainError):
            services.resolve_problem(problems[1], actor=lead, fix="再次")
        with pytest.raises(DomainError, match="rectified before the next round"):
            services.start_next_round(first, actor=lead)
        with pytest.raises(DomainError, match="Rectify every problem"):
            services.apply(first.project, actor=lead, self_assessment="再申請")
        with pytest.raises(PermissionDenied):
            services.resolve_problem(problems[0], actor=personas["technician"], fix="擅自關閉")
        services.resolve_problem(problems[0], actor=lead, fix="查詢已優化至 1.2 秒")
        assert not Deadline.objects.filter(target_type=problem_type, closed_at__isnull=True).exists()

        second = services.start_next_round(first, actor=lead)
        assert (second.number, second.state, second.previous_round) == (2, "applied", first)
        assert list(second.team.values_list("user", "role")) == [(client_a.pk, "驗收組長")]
        assert second.criteria.count() == len(criteria) and second.deliverables.count() == 2
        assert "查詢已優化至 1.2 秒" in second.self_assessment
        with pytest.raises(DomainError, match="later round"):
            services.start_next_round(first, actor=lead)

        for item in second.checklist.all():
            services.tick(item, actor=client_a)
        services.start(second, actor=client_a)
        second.refresh_from_db()
        record_all(second, client_a)
        services.fill_report(second, actor=client_a, conclusion="pass", summary="驗收合格")
        second.refresh_from_db()
        assert second.state == "in_acceptance"
        assert passed_round(second.project) is None
        with pytest.raises(PermissionDenied):
            signatures.sign(
                report_form(), second, actor=personas["client_b"], role="client", password=PASSWORD
            )
        with django_capture_on_commit_callbacks(execute=True):
            signature = sign_as_client(second, client_a)
            assert received == []  # only after the commit
        second.refresh_from_db()
        assert second.state == "passed" and second.concluded_at
        assert passed_round(second.project) == second
        assert passed_round(second.project, second.project.milestones.first()) == second
        assert len(received) == 1 and received[0]["round"] == second and received[0]["actor"] == client_a
        assert signatures.verify(signature).valid
        assert signatures.verify(signature).current_matches
        # The project lead may countersign the same, unchanged report.
        signatures.sign(report_form(), second, actor=lead, role="project_lead", password=PASSWORD)
        assert signatures.is_fully_signed(report_form(), second)
        assert list(
            AcceptanceRound.objects.filter(project=second.project).values_list("number", "state")
        ) == [
            (1, "failed"),
            (2, "passed"),
        ]
        with pytest.raises(DomainError):
            services.apply(second.project, actor=lead, self_assessment="再申請")
        if hasattr(second.project, "record_acceptance"):
            second.project.refresh_from_db()
            assert second.project.state == "accepted"
    finally:
        acceptance_passed.disconnect(listener)


def test_ACC_3_a_signed_pass_report_cannot_be_withdrawn_or_changed(personas):
    acceptance_round = in_acceptance(personas)
    client_a = personas["client_a"]
    record_all(acceptance_round, client_a)
    services.fill_report(acceptance_round, actor=client_a, conclusion="pass", summary="合格")
    services.withdraw_report(acceptance_round, actor=client_a)
    acceptance_round.refresh_from_db()
    assert acceptance_round.report_conclusion == ""
    services.fill_report(acceptance_round, actor=client_a, conclusion="pass", summary="合格")
    # The project lead countersigns first; the client's signature then passes the round.
    acceptance_round.refresh_from_db()
    signatures.sign(
        report_form(), acceptance_round, actor=personas["lead"], role="project_lead", password=PASSWORD
    )
    with pytest.raises(DomainError, match="has been signed"):
        services.withdraw_report(acceptance_round, actor=client_a)
    sign_as_client(acceptance_round, client_a)
    acceptance_round.refresh_from_db()
    assert acceptance_round.state == "passed"
    with pytest.raises(DomainError):
        services.record_result(
            acceptance_round,
            actor=client_a,
            criterion=acceptance_round.criteria.first(),
            method=Method.DEMONSTRATION,
            passed=True,
        )


def test_ACC_3_only_the_clients_acceptance_team_records_results(personas, make_user, org_a):
    from onestop.core.roles import Role

    acceptance_round = in_acceptance(personas)
    colleague = make_user(Role.CLIENT, username="client.a2", client_organization=org_a)
    criterion = acceptance_round.criteria.first()
    for outsider in (colleague, personas["lead"], personas["client_b"]):
        with pytest.raises(PermissionDenied):
            services.record_result(
                acceptance_round, actor=outsider, criterion=criterion, method="system_test", passed=True
            )
    with pytest.raises(DomainError, match="Choose an acceptance method"):
        services.record_result(
            acceptance_round, actor=personas["client_a"], criterion=criterion, method="x", passed=True
        )


def test_ACC_3_starting_twice_at_once_gives_one_start_and_a_clear_refusal(personas):
    acceptance_round = with_team(applied(personas), personas)
    services.skip_checklist(acceptance_round, actor=personas["client_a"], reason="雙方同意略過")
    stale = AcceptanceRound.objects.get(pk=acceptance_round.pk)
    services.start(acceptance_round, actor=personas["client_a"])
    with pytest.raises(DomainError):
        services.start(stale, actor=personas["lead"])
    assert AcceptanceRound.objects.get(pk=acceptance_round.pk).state == "in_acceptance"


# --- pages, portal, API ------------------------------------------------------------------------------


def test_ACC_3_a_client_of_another_organisation_gets_404_everywhere(personas, client):
    acceptance_round = in_acceptance(personas)
    problem = services.add_problem(
        acceptance_round, actor=personas["client_a"], description="問題", requirement="整改"
    )
    client.force_login(personas["client_b"])
    label = "acceptance.acceptanceround"
    for url in (
        acceptance_round.get_absolute_url(),
        problem.get_absolute_url(),
        reverse("core:document_pdf", args=[label, acceptance_round.pk, "acceptance_report"]),
        reverse("core:document_pdf", args=[label, acceptance_round.pk, "acceptance_application"]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("acceptance:acceptanceround_start", args=[acceptance_round.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("acceptance:acceptanceround_report", args=[acceptance_round.pk]), {}).status_code
        == 404
    )
    api = APIClient()
    api.force_authenticate(personas["client_b"])
    assert api.get(reverse("api:acceptanceround-detail", args=[acceptance_round.pk])).status_code == 404
    assert api.post(reverse("api:acceptanceround-start", args=[acceptance_round.pk]), {}).status_code == 404
    assert api.get(reverse("api:acceptanceround-list")).json()["results"] == []
    listing = client.get(reverse("acceptance:acceptanceround_list")).content.decode()
    assert acceptance_round.get_absolute_url() not in listing


def test_ACC_2_the_client_runs_its_round_through_the_portal_pages(personas, client):
    acceptance_round = applied(personas)
    client_a = personas["client_a"]
    client.force_login(client_a)
    page = client.get(acceptance_round.get_absolute_url())
    assert page.status_code == 200
    response = client.post(
        reverse("acceptance:acceptanceround_team", args=[acceptance_round.pk]),
        {"user": client_a.pk, "role": "組長"},
    )
    assert response.status_code == 302
    bad = client.post(
        reverse("acceptance:acceptanceround_team", args=[acceptance_round.pk]),
        {"user": client_a.pk, "role": ""},
    )
    assert bad.status_code == 400
    for item in acceptance_round.checklist.all():
        assert (
            client.post(
                reverse("acceptance:acceptanceround_checklist_tick", args=[acceptance_round.pk, item.pk])
            ).status_code
            == 302
        )
    assert (
        client.post(reverse("acceptance:acceptanceround_start", args=[acceptance_round.pk])).status_code
        == 302
    )
    criteria = list(acceptance_round.criteria.all())
    data = {f"r-{c.pk}-system_test": "pass" for c in criteria}
    data[f"n-{criteria[0].pk}-system_test"] = "全部通過"
    assert (
        client.post(
            reverse("acceptance:acceptanceround_results", args=[acceptance_round.pk]), data
        ).status_code
        == 302
    )
    assert AcceptanceResult.objects.filter(round=acceptance_round).count() == len(criteria)
    refused = client.post(
        reverse("acceptance:acceptanceround_report", args=[acceptance_round.pk]),
        {"conclusion": "fail", "summary": "x"},
    )
    assert refused.status_code == 400 and "at least one problem" in refused.content.decode()
    response = client.post(
        reverse("acceptance:acceptanceround_report", args=[acceptance_round.pk]),
        {"conclusion": "pass", "summary": "合格"},
    )
    assert response.status_code == 302
    page = client.get(acceptance_round.get_absolute_url()).content.decode()
    assert 'data-sign="client"' in page
    sign_url = reverse(
        "core:document_sign", args=["acceptance.acceptanceround", acceptance_round.pk, "acceptance_report"]
    )
    assert client.post(sign_url, {"role": "client", "password": PASSWORD}).status_code == 302
    acceptance_round.refresh_from_db()
    assert acceptance_round.state == "passed"
    page = client.get(acceptance_round.get_absolute_url()).content.decode()
    signature = signatures.signatures_for(acceptance_round, report_form()).get()
    assert signature.sha256[:16] in page
    pdf = client.get(
        reverse(
            "core:document_pdf", args=["acceptance.acceptanceround", acceptance_round.pk, "acceptance_report"]
        )
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_ACC_3_the_whole_loop_runs_through_the_api(personas):
    lead, client_a = personas["lead"], personas["client_a"]
    project = completed_project(personas)
    staff, portal = APIClient(), APIClient()
    staff.force_authenticate(lead)
    portal.force_authenticate(client_a)
    response = staff.post(
        reverse("api:acceptanceround-list"),
        {"project": project.pk, "self_assessment": "自評合格"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    url = lambda name: reverse(f"api:acceptanceround-{name}", args=[pk])  # noqa: E731
    assert staff.post(url("start"), {}, format="json").status_code == 400  # no team yet
    assert portal.post(url("start"), {}, format="json").status_code == 403  # not on the team
    assert portal.post(url("team"), {"user": client_a.pk, "role": "組長"}, format="json").status_code == 200
    assert portal.post(url("skip-checklist"), {"reason": "雙方同意"}, format="json").status_code == 200
    assert portal.post(url("start"), {}, format="json").json()["state"] == "in_acceptance"
    criteria = list(AcceptanceCriterion.objects.filter(round_id=pk))
    for criterion in criteria:
        body = {"criterion": criterion.pk, "method": "document_review", "passed": criterion != criteria[0]}
        assert portal.post(url("results"), body, format="json").status_code == 200
    assert (
        portal.post(
            url("problems"), {"description": "缺文件", "requirement": "補交"}, format="json"
        ).status_code
        == 200
    )
    response = portal.post(url("report"), {"conclusion": "fail", "summary": "不合格"}, format="json")
    assert response.json()["state"] == "failed"
    problem = AcceptanceProblem.objects.get(round_id=pk)
    assert staff.post(url("next-round"), {}, format="json").status_code == 400
    response = staff.post(
        reverse("api:acceptanceproblem-resolve", args=[problem.pk]), {"fix": "已補交"}, format="json"
    )
    assert response.json()["state"] == "done"
    response = staff.post(url("next-round"), {}, format="json")
    assert response.status_code == 201 and response.json()["number"] == 2
    second = response.json()["id"]
    url = lambda name: reverse(f"api:acceptanceround-{name}", args=[second])  # noqa: E731
    assert portal.post(url("skip-checklist"), {"reason": "第二輪"}, format="json").status_code == 200
    assert portal.post(url("start"), {}, format="json").status_code == 200
    for criterion in AcceptanceCriterion.objects.filter(round_id=second):
        portal.post(
            url("results"),
            {"criterion": criterion.pk, "method": "system_test", "passed": True},
            format="json",
        )
    assert (
        portal.post(url("report"), {"conclusion": "pass", "summary": "合格"}, format="json").status_code
        == 200
    )
    body = {
        "record_type": "acceptance.acceptanceround",
        "object_id": second,
        "document": "acceptance_report",
        "role": "client",
        "password": PASSWORD,
    }
    assert portal.post(reverse("api:signature-list"), body, format="json").status_code == 201
    assert portal.get(reverse("api:acceptanceround-detail", args=[second])).json()["state"] == "passed"


# --- timeline, my work, query counts -------------------------------------------------------------------


def test_X_1_the_timeline_shows_the_application_state_changes_signature_and_problems(personas):
    from onestop.acceptance.timeline import events

    acceptance_round = in_acceptance(personas)
    client_a = personas["client_a"]
    record_all(acceptance_round, client_a)
    services.add_problem(acceptance_round, actor=client_a, description="問題甲", requirement="整改甲")
    services.fill_report(acceptance_round, actor=client_a, conclusion="fail", summary="不合格")
    problem = acceptance_round.problems.get()
    services.resolve_problem(problem, actor=personas["lead"], fix="已整改")
    second = services.start_next_round(acceptance_round, actor=personas["lead"])
    services.skip_checklist(second, actor=client_a, reason="同上輪")
    services.start(second, actor=client_a)
    second.refresh_from_db()
    record_all(second, client_a)
    services.fill_report(second, actor=client_a, conclusion="pass", summary="合格")
    signature = sign_as_client(second, client_a)
    engagement = acceptance_round.project.engagement
    with CaptureQueriesContext(connection) as queries:
        found = events(engagement, personas["lead"])
    titles = " | ".join(e["title"] for e in found)
    assert titles.count("Acceptance applied for") == 2
    assert "Problem raised" in titles and "Problem rectified" in titles
    assert any(signature.sha256 in e.get("detail", "") for e in found)
    assert len([e for e in found if e["title"].endswith("Passed")]) == 1
    assert len(queries) <= 6
    assert events(engagement, personas["client_b"]) == []


def test_ACC_my_work_lists_preparation_signing_rectification_and_projects_to_apply_for(personas):
    from onestop.acceptance.work import acceptance_waiting

    waiting = completed_project(personas, 5)
    acceptance_round = applied(personas)
    assert [i.kind for i in acceptance_waiting(personas["client_a"])] == ["Name the acceptance team"]
    assert [i.title for i in acceptance_waiting(personas["lead"])] == [str(waiting)]
    with_team(acceptance_round, personas)
    services.skip_checklist(acceptance_round, actor=personas["client_a"], reason="略過")
    services.start(acceptance_round, actor=personas["client_a"])
    assert [i.kind for i in acceptance_waiting(personas["client_a"])] == ["Record the acceptance results"]
    assert acceptance_waiting(personas["client_b"]) == []
    services.add_problem(acceptance_round, actor=personas["client_a"], description="問題", requirement="整改")
    services.fill_report(acceptance_round, actor=personas["client_a"], conclusion="fail", summary="不合格")
    assert "Rectification" in [i.kind for i in acceptance_waiting(personas["lead"])]


def test_ACC_the_round_page_and_list_run_a_fixed_number_of_queries(personas, client):
    small = in_acceptance(personas, 0)
    big = in_acceptance(personas, 1)
    client_a = personas["client_a"]
    record_all(small, client_a)
    for index in range(8):
        AcceptanceCriterion.objects.create(round=big, number=100 + index, text=f"追加標準{index}")
        AcceptanceDeliverable.objects.create(round=big, name=f"交付物{index}")
    for method in Method.values:
        for criterion in big.criteria.all():
            services.record_result(big, actor=client_a, criterion=criterion, method=method, passed=True)
    for index in range(5):
        services.add_problem(big, actor=client_a, description=f"問題{index}", requirement="整改")

    def count(user, url):
        client.force_login(user)
        client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for user in (client_a, personas["lead"]):
        assert count(user, small.get_absolute_url()) == count(user, big.get_absolute_url())


def test_ACC_a_refused_round_action_shows_the_whole_round_page_again_with_the_input_kept(personas, client):
    acceptance_round = in_acceptance(personas)
    client.force_login(personas["client_a"])
    # “Fail” needs a listed problem: the round page again (team, results, report), the text kept.
    response = client.post(
        reverse("acceptance:acceptanceround_report", args=[acceptance_round.pk]),
        {"conclusion": "fail", "summary": "報表性能不達標"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "at least one problem" in page
    assert 'id="team"' in page and 'id="results"' in page and "報表性能不達標" in page
    acceptance_round.refresh_from_db()
    assert acceptance_round.state == "in_acceptance" and not acceptance_round.report_conclusion
    # A problem of another organisation's round is not there at all.
    problem = services.add_problem(
        acceptance_round, actor=personas["client_a"], description="問題", requirement="整改"
    )
    client.force_login(personas["client_b"])
    for name in ("resolve", "assign"):
        url = reverse(f"acceptance:acceptanceproblem_{name}", args=[problem.pk])
        assert client.post(url, {"fix": "x"}).status_code == 404


def test_ACC_2_the_start_button_is_disabled_with_the_missing_condition_beside_it(personas, client):
    acceptance_round = applied(personas, 61)
    client.force_login(personas["client_a"])
    page = client.get(acceptance_round.get_absolute_url()).content.decode()
    assert " disabled" in re.search(r'<button[^>]*data-action="start"[^>]*>', page).group(0)
    assert "Name the acceptance team first." in page
    with_team(acceptance_round, personas)
    page = client.get(acceptance_round.get_absolute_url()).content.decode()
    assert " disabled" in re.search(r'<button[^>]*data-action="start"[^>]*>', page).group(0)
    assert "Tick every item of the preparation checklist, or skip it with a reason." in page
