"""Recruitment and onboarding (SPEC HR-1, HR-2, HR-3 onboarding): hiring needs approved by
management, postings per channel, candidates through every stage to the hire, which creates the
staff account and the onboarding programme; candidate data only for HR and the hiring panel.

The service-only transitions run here through their pages and API actions: Candidate.record_test,
Candidate.propose_offer, Candidate.hire, OnboardingTask.complete, OnboardingTask.acknowledge,
OnboardingTask.redo (tests/test_meta_workflow.py).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.accounts.models import Department, User
from onestop.core.roles import Role
from onestop.recruitment import services
from onestop.recruitment.models import (
    Candidate,
    HiringNeed,
    Interview,
    Onboarding,
    OnboardingPart,
    Posting,
)
from tests.factories import DepartmentFactory, PositionFactory, UserFactory
from tests.generic import ModelTestBase
from tests.workflow import TransitionCase, TransitionTestBase

CRITERIA = ["專業技能", "溝通表達"]
NUMBERS = itertools.count(1)  # record numbers unique within a test, whatever index a helper gets


@pytest.fixture
def personas(personas, make_user):
    """The shared personas plus the people of a hiring: a department head who asks (the hiring
    manager), an interviewer of that department, a colleague with no part in it, the head of
    another department, and management."""
    department = DepartmentFactory(code="rnd-t", name="技術研發部")
    other = DepartmentFactory(code="qa-t", name="質量管理部")
    head = make_user(Role.TECHNICIAN, username="head", full_name="研發部長", department=department)
    other_head = make_user(Role.QUALITY, username="otherhead", full_name="質量部長", department=other)
    Department.objects.filter(pk=department.pk).update(head=head)
    Department.objects.filter(pk=other.pk).update(head=other_head)
    return {
        **personas,
        "management": make_user(Role.MANAGEMENT, username="mgmt.t", full_name="總經理"),
        "head": head,
        "other_head": other_head,
        "interviewer": make_user(Role.TECHNICIAN, username="iv", full_name="面試官甲", department=department),
        "staff": make_user(Role.TECHNICIAN, username="staff", full_name="同事乙", department=department),
    }


def department(personas):
    return personas["head"].department


def position(personas):
    return PositionFactory(name="軟件工程師", department=department(personas))


def need(personas, index=0, state="approved", **fields) -> HiringNeed:
    dept = department(personas)
    record = HiringNeed.objects.create(
        code=f"RN-T-{next(NUMBERS):05d}",
        position=fields.pop("position", None) or position_for(dept),
        department=dept,
        headcount=2,
        skills="Python 4\nDjango 3",
        criteria="\n".join(CRITERIA),
        reason=HiringNeed.Reason.BUSINESS_PLAN,
        target_date=date(2026, 12, 31),
        hiring_manager=personas["head"],
        requested_by=personas["hr"],
        **fields,
    )
    HiringNeed.objects.filter(pk=record.pk).update(state=state)
    record.refresh_from_db()
    return record


def position_for(dept):
    return dept.positions.first() or PositionFactory(name="軟件工程師", department=dept)


def candidate(personas, index=0, stage="screening", opening=None, **fields) -> Candidate:
    opening = opening or need(personas, 500 + index)
    record = Candidate.objects.create(
        code=f"CA-T-{next(NUMBERS):05d}",
        need=opening,
        full_name=fields.pop("full_name", f"應聘者{index}"),
        phone="138-0000-0000",
        email=f"cand{index}@example.com",
        source=fields.pop("source", "job_board"),
        **fields,
    )
    if stage != "screening":
        Candidate.objects.filter(pk=record.pk).update(stage=stage)
        record.refresh_from_db()
    return record


def scored_interview(personas, cand, interviewer="interviewer", round_=1) -> Interview:
    return Interview.objects.create(
        candidate=cand,
        round=round_,
        interviewer=personas[interviewer],
        scheduled_at=timezone.now(),
        scores=[{"criterion": c, "score": 4, "comment": "良好"} for c in CRITERIA],
        average=Decimal("4.00"),
        recommendation="hire",
        scored_at=timezone.now(),
    )


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def hire_ready(personas, index=0) -> Candidate:
    cand = candidate(personas, index, stage="accepted")
    Candidate.objects.filter(pk=cand.pk).update(
        offer_salary=Decimal("15000"),
        offer_start_date=timezone.localdate() + timedelta(days=7),
        offer_superior=personas["head"],
    )
    cand.refresh_from_db()
    return cand


def programme(personas, user=None) -> Onboarding:
    user = user or UserFactory(department=department(personas), full_name="新同事")
    return services.assign_onboarding(
        user=user, superior=personas["head"], start_date=timezone.localdate(), actor=personas["hr"]
    )


# --- generic pages and API per model -----------------------------------------------------------


class TestHiringNeed(ModelTestBase):
    model = HiringNeed
    api_basename = "hiringneed"
    manager = "hr"
    viewer = "management"
    no_view = "staff"
    outsider = "other_head"
    deletable = False
    invalid_field = "position"

    def make_object(self, personas, index=0):
        return need(personas, index, state="draft")

    def create_data(self, personas):
        return {
            "position": position_for(department(personas)).pk,
            "department": department(personas).pk,
            "headcount": 1,
            "education": "bachelor",
            "years_experience": 2,
            "skills": "Python 3",
            "criteria": "專業技能\n溝通表達",
            "reason": "business_plan",
            "target_date": "2026-12-31",
            "hiring_manager": personas["head"].pk,
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "headcount": 3}

    def api_update_data(self, obj, personas):
        return {"headcount": 3}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "position": "", "skills": "Python 9"}


class TestPosting(ModelTestBase):
    model = Posting
    api_basename = "posting"
    manager = "hr"
    viewer = "management"
    no_view = "staff"
    outsider = "other_head"
    invalid_field = "need"

    def make_object(self, personas, index=0):
        return Posting.objects.create(
            need=need(personas, index),
            channel="job_board",
            title=f"工程師{index}",
            published_on=date(2026, 11, 1),
        )

    def create_data(self, personas):
        return {
            "need": need(personas, 900 + Posting.objects.count()).pk,
            "channel": "campus",
            "title": "2027 屆軟件工程師",
            "where": "蘇州大學",
            "published_on": "2026-11-01",
            "closes_on": "2026-11-30",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "need": obj.need_id, "title": "軟件工程師（校招）"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "need": need(personas, 990, state="draft").pk}


class TestCandidate(ModelTestBase):
    model = Candidate
    api_basename = "candidate"
    manager = "hr"
    viewer = "head"
    no_view = "staff"
    outsider = "other_head"
    deletable = False
    invalid_field = "full_name"

    def make_object(self, personas, index=0):
        return candidate(personas, index)

    def create_data(self, personas):
        return {
            "need": need(personas, 800 + Candidate.objects.count()).pk,
            "full_name": "李明",
            "phone": "139-1234-5678",
            "education": "bachelor",
            "years_experience": 3,
            "source": "company_site",
            "applied_on": "2026-11-20",
        }

    def update_data(self, obj, personas):
        data = {**self.create_data(personas), "phone": "139-8888-0000"}
        data.pop("need")
        return data

    def invalid_data(self, personas):
        return {**self.create_data(personas), "full_name": ""}


class TestInterview(ModelTestBase):
    model = Interview
    api_basename = "interview"
    manager = "hr"
    viewer = "head"
    no_view = "staff"
    outsider = "other_head"
    invalid_field = "candidate"

    def make_object(self, personas, index=0):
        return Interview.objects.create(
            candidate=candidate(personas, index, stage="interview"),
            interviewer=personas["interviewer"],
            scheduled_at=timezone.now(),
        )

    def create_data(self, personas):
        return {
            "candidate": candidate(personas, 700 + Interview.objects.count()).pk,
            "round": 1,
            "interviewer": personas["interviewer"].pk,
            "scheduled_at": "2026-12-10T10:00",
            "place": "三樓會議室",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "candidate": obj.candidate_id, "place": "視頻面試"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "candidate": candidate(personas, 790, stage="rejected").pk}


class TestOnboardingPart(ModelTestBase):
    model = OnboardingPart
    api_basename = "onboardingpart"
    manager = "hr"
    viewer = "staff"
    no_view = "client_a"
    invalid_field = "pass_score"

    def make_object(self, personas, index=0):
        return OnboardingPart.objects.create(topic="culture", title=f"企業文化{index}", order=10 + index)

    def create_data(self, personas):
        return {"topic": "technical", "title": "代碼評審規範", "order": 6, "due_days": 14, "is_active": "on"}

    def api_create_data(self, personas):
        return {**self.create_data(personas), "is_active": True}

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "title": "代碼評審與測試規範"}

    def api_update_data(self, obj, personas):
        return {"title": "代碼評審與測試規範"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "has_test": "true", "pass_score": ""}


class TestOnboarding(ModelTestBase):
    model = Onboarding
    api_basename = "onboarding"
    manager = "hr"
    viewer = "management"
    no_view = "client_a"
    outsider = "staff"
    deletable = False
    invalid_field = "user"

    def make_object(self, personas, index=0):
        return programme(personas)

    def create_data(self, personas):
        return {
            "user": UserFactory(department=department(personas)).pk,
            "superior": personas["head"].pk,
            "start_date": "2026-12-01",
        }

    def update_data(self, obj, personas):
        return {"superior": personas["head"].pk, "start_date": "2026-12-08"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "user": ""}


# --- transitions with only a comment: the generic tests (and their races) ------------------------


class GenericOnly(TransitionTestBase):
    def test_declared_transitions_match_the_model(self):
        """The generic transitions are declared here; the service-only ones run in this module's
        flow tests and in tests/test_races.py."""
        graph = self.model.transition_graph()
        actual = {
            name: (set(graph[name][0]), graph[name][1]) for name in self.model.generic_transition_names()
        }
        declared = {case.name: (set(case.sources), case.target) for case in self.transitions}
        assert declared == actual


class TestHiringNeedTransitions(GenericOnly):
    model = HiringNeed
    api_basename = "hiringneed"
    outsider = "other_head"
    transitions = [
        TransitionCase("submit", {"draft", "returned"}, "submitted", actor="hr", forbidden="management"),
        TransitionCase("approve", {"submitted"}, "approved", actor="management", forbidden="hr"),
        TransitionCase("send_back", {"submitted"}, "returned", actor="management", forbidden="hr"),
        TransitionCase("close", {"approved"}, "closed", actor="hr", forbidden="management"),
    ]

    def make_object(self, personas):
        return need(personas, HiringNeed.objects.count() + 1, state="draft")


class TestCandidateTransitions(GenericOnly):
    model = Candidate
    api_basename = "candidate"
    outsider = "other_head"
    in_process = {"screening", "interview", "written_test", "background", "offer_proposed"}
    transitions = [
        TransitionCase("pass_screening", {"screening"}, "interview", actor="hr", forbidden="head"),
        TransitionCase("pass_interviews", {"interview"}, "written_test", actor="hr", forbidden="head"),
        TransitionCase("approve_offer", {"offer_proposed"}, "offer_made", actor="management", forbidden="hr"),
        TransitionCase("return_offer", {"offer_proposed"}, "background", actor="management", forbidden="hr"),
        TransitionCase("accept_offer", {"offer_made"}, "accepted", actor="hr", forbidden="head"),
        TransitionCase("decline_offer", {"offer_made"}, "declined", actor="hr", forbidden="head"),
        TransitionCase("reject", in_process, "rejected", actor="hr", forbidden="head"),
    ]

    def make_object(self, personas):
        cand = candidate(personas, Candidate.objects.count() + 1)
        scored_interview(personas, cand)
        return cand

    def make_object_in(self, personas, state):
        obj = super().make_object_in(personas, state)
        if state in ("offer_proposed", "offer_made", "accepted", "hired", "declined"):
            Candidate.objects.filter(pk=obj.pk).update(offer_salary=Decimal("15000"))
            obj.refresh_from_db()
        return obj

    def test_each_transition_is_refused_from_other_states(self, client, personas):
        """As the generic test, except that management does not see a candidate before an offer
        is put to it (HR-2 privacy): there the offer's approval answers 404, not 409."""
        for case in self.transitions:
            user = personas[case.actor]
            client.force_login(user)
            for state in self.all_states:
                if state in case.sources:
                    continue
                obj = self.make_object_in(personas, state)
                before = self.snapshot(obj)
                seen = Candidate.objects.visible_to(user).filter(pk=obj.pk).exists()
                response = self.api(user).post(self.api_url(obj, case.name), self.body(case), format="json")
                assert response.status_code == (409 if seen else 404), (case.name, state, response.json())
                if seen:
                    assert response.json()["code"] == "not_possible_now"
                response = client.post(self.ui_url(obj, case.name), self.body(case))
                assert response.status_code == (409 if seen else 404), (case.name, state)
                assert self.snapshot(obj) == before, (case.name, state, "something changed")
                assert seen or case.actor == "management", (case.name, state)


# --- the whole way, through the API (HR-1, HR-2, HR-3) -------------------------------------------


def test_HR_1_HR_2_HR_3_a_need_approved_is_posted_and_a_candidate_goes_through_every_stage_to_the_hire_and_onboarding(
    personas,
):
    hr, boss, head, interviewer = (
        personas["hr"],
        personas["management"],
        personas["head"],
        personas["interviewer"],
    )
    dept = department(personas)
    # HR-1: the need, written by the department head, approved by management.
    body = {
        "position": position_for(dept).pk,
        "department": dept.pk,
        "headcount": 1,
        "skills": "Python 4\nPLC 編程 3",
        "criteria": "\n".join(CRITERIA),
        "reason": "replacement",
        "replaces": personas["staff"].pk,
        "target_date": "2026-12-31",
    }
    response = api(head).post(reverse("api:hiringneed-list"), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "draft" and data["hiring_manager"] == head.pk
    assert data["skill_levels"] == [["Python", 4], ["PLC 編程", 3]]
    opening = HiringNeed.objects.get(pk=data["id"])
    assert (
        api(head).post(reverse("api:hiringneed-submit", args=[opening.pk]), {}, format="json").status_code
        == 200
    )
    assert (
        api(hr).post(reverse("api:hiringneed-approve", args=[opening.pk]), {}, format="json").status_code
        == 403
    )
    response = api(boss).post(
        reverse("api:hiringneed-approve", args=[opening.pk]), {"comment": "同意"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "approved"

    # HR-2: posted on a job board; the candidate applies through it.
    response = api(hr).post(
        reverse("api:posting-list"),
        {"need": opening.pk, "channel": "job_board", "title": "軟件工程師", "published_on": "2026-11-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    posting = response.json()["id"]
    response = api(hr).post(
        reverse("api:candidate-list"),
        {
            "need": opening.pk,
            "full_name": "陳思遠",
            "email": "chen.sy@example.com",
            "source": "job_board",
            "posting": posting,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    cand = Candidate.objects.get(pk=response.json()["id"])
    assert (cand.stage, cand.code[:3]) == ("screening", "CA-")
    url = lambda name: reverse(f"api:candidate-{name}", args=[cand.pk])  # noqa: E731
    assert api(hr).post(url("pass_screening"), {"comment": "簡歷符合"}, format="json").status_code == 200

    # Interviews: the interviewer scores each criterion with a comment, once.
    response = api(hr).post(
        reverse("api:interview-list"),
        {"candidate": cand.pk, "round": 1, "interviewer": interviewer.pk, "scheduled_at": "2026-12-10T10:00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    interview = response.json()["id"]
    score_url = reverse("api:interview-score", args=[interview])
    assert api(hr).post(url("pass_interviews"), {}, format="json").status_code == 400  # nobody scored yet
    half = {"scores": [{"criterion": CRITERIA[0], "score": 5, "comment": "紮實"}], "recommendation": "hire"}
    response = api(interviewer).post(score_url, half, format="json")
    assert response.status_code == 400 and "溝通表達" in response.json()["detail"]
    full = {
        "scores": [{"criterion": c, "score": 4, "comment": "表現良好"} for c in CRITERIA],
        "recommendation": "hire",
    }
    assert api(head).post(score_url, full, format="json").status_code == 403  # not their interview
    response = api(interviewer).post(score_url, full, format="json")
    assert response.status_code == 200 and response.json()["average"] == "4.00"
    assert api(interviewer).post(score_url, full, format="json").status_code == 400  # once
    assert api(hr).post(url("pass_interviews"), {}, format="json").status_code == 200

    # Written test, background check and offer, approved by management.
    assert api(hr).post(url("record-test"), {"score": "120"}, format="json").status_code == 400
    response = api(hr).post(url("record-test"), {"score": "86.5", "note": "演算法題全對"}, format="json")
    assert response.status_code == 200 and response.json()["stage"] == "background"
    start = (timezone.localdate() + timedelta(days=10)).isoformat()
    offer = {
        "background_note": "前僱主核實無誤",
        "salary": "15800.00",
        "start_date": start,
        "superior": head.pk,
        "terms": "試用期三個月",
    }
    response = api(hr).post(url("propose-offer"), offer, format="json")
    assert response.status_code == 200 and response.json()["stage"] == "offer_proposed"
    assert api(boss).post(url("approve_offer"), {}, format="json").status_code == 200
    assert api(hr).post(url("accept_offer"), {"comment": "書面接受"}, format="json").status_code == 200

    # The hire: the account exists with the opening's department and position, the programme too.
    response = api(hr).post(url("hire"), {"username": "staff"}, format="json")
    assert response.status_code == 400 and "username" in response.json()["errors"]  # taken
    response = api(hr).post(url("hire"), {"username": "chen.sy", "employee_no": "E2026031"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "hired"
    user = User.objects.get(username="chen.sy")
    assert (user.full_name, user.department, user.position, user.employee_no) == (
        "陳思遠",
        dept,
        opening.position,
        "E2026031",
    )
    assert timezone.localdate(user.date_joined).isoformat() == start and not user.has_usable_password()
    onboarding = Onboarding.objects.get(user=user)
    assert (onboarding.superior, onboarding.candidate, onboarding.start_date.isoformat()) == (
        head,
        cand,
        start,
    )
    tasks = list(onboarding.tasks.order_by("order"))
    assert [t.topic for t in tasks] == ["overview", "culture", "service_process", "technical", "security"]

    # HR-3: the new hire completes each part (with the test score where it has a test); the
    # superior or HR acknowledges; a failed test is sent back to redo.
    for task in tasks:
        body = {"note": "已學習"}
        if task.has_test:
            assert (
                api(user)
                .post(reverse("api:onboardingtask-complete", args=[task.pk]), body, format="json")
                .status_code
                == 400
            )
            body["score"] = "60" if task.topic == "security" else "95"
        response = api(user).post(reverse("api:onboardingtask-complete", args=[task.pk]), body, format="json")
        assert response.status_code == 200, response.json()
        assert (
            api(user)
            .post(reverse("api:onboardingtask-acknowledge", args=[task.pk]), {}, format="json")
            .status_code
            == 403
        )
        ack = api(head if task.order % 2 else hr).post(
            reverse("api:onboardingtask-acknowledge", args=[task.pk]), {}, format="json"
        )
        if task.topic == "security":
            assert ack.status_code == 400 and ack.json()["code"] == "condition_unmet"
            redo = api(hr).post(
                reverse("api:onboardingtask-redo", args=[task.pk]),
                {"reason": "請重新學習保密協議"},
                format="json",
            )
            assert redo.status_code == 200 and redo.json()["state"] == "assigned"
            body["score"] = "96"
            assert (
                api(user)
                .post(reverse("api:onboardingtask-complete", args=[task.pk]), body, format="json")
                .status_code
                == 200
            )
            ack = api(hr).post(reverse("api:onboardingtask-acknowledge", args=[task.pk]), {}, format="json")
        assert ack.status_code == 200, ack.json()
    onboarding.refresh_from_db()
    assert onboarding.completed_at is not None
    assert api(user).get(reverse("api:onboarding-detail", args=[onboarding.pk])).json()["completed_at"]


def test_HR_1_the_need_form_suggests_the_staffing_gap_of_running_projects_and_says_its_rule(
    client, personas, make_user
):
    from tests.stages import make_project, stage_personas

    people = stage_personas(personas, make_user)
    engineer, manager = position(personas), PositionFactory(name="項目經理")
    first, second = UserFactory(position=engineer), UserFactory(position=engineer)
    lead_a, lead_b = UserFactory(position=manager), UserFactory(position=manager)
    project = make_project(people, 0)
    project.members.create(user=first, role="開發", allocation=100)
    project.members.create(user=second, role="測試", allocation=80)
    project.members.create(user=lead_a, role="項目經理", allocation=50)
    gap = {row["position"]: row for row in services.staffing_gap()}
    assert engineer not in gap  # 180 % asked of two engineers: covered
    other = make_project(people, 1)
    other.members.create(user=first, role="開發", allocation=100)
    other.members.create(user=second, role="開發", allocation=100)
    other.members.create(user=lead_b, role="項目經理", allocation=100)
    gap = {row["position"]: row for row in services.staffing_gap()}
    row = gap[engineer]  # 380 % asked of two engineers (200 %): short of two people
    assert (row["demand"], row["capacity"], row["gap_people"]) == (380, 200, 2)
    assert set(row["where"]) == {project.code, other.code}
    assert manager not in gap  # 150 % of two project managers
    client.force_login(personas["hr"])
    page = client.get(reverse("recruitment:hiringneed_add")).content.decode()
    assert 'id="staffing-gap"' in page and engineer.name in page and project.code in page
    response = api(personas["hr"]).get(reverse("api:hiringneed-staffing-gap"))
    assert response.status_code == 200
    assert [r["gap_people"] for r in response.json() if r["position"] == engineer.pk] == [2]
    assert api(personas["staff"]).get(reverse("api:hiringneed-staffing-gap")).status_code == 403


def test_HR_1_a_need_for_a_project_gap_names_the_project_and_a_replacement_the_leaver(personas):
    body = {
        "position": position_for(department(personas)).pk,
        "department": department(personas).pk,
        "criteria": "專業技能",
        "target_date": "2026-12-31",
    }
    response = api(personas["hr"]).post(
        reverse("api:hiringneed-list"), {**body, "reason": "project_gap"}, format="json"
    )
    assert response.status_code == 400 and "project" in response.json()["errors"]
    response = api(personas["hr"]).post(
        reverse("api:hiringneed-list"), {**body, "reason": "replacement"}, format="json"
    )
    assert response.status_code == 400 and "replaces" in response.json()["errors"]
    response = api(personas["hr"]).post(
        reverse("api:hiringneed-list"),
        {**body, "reason": "business_plan", "skills": "Python 7"},
        format="json",
    )
    assert response.status_code == 400 and "skills" in response.json()["errors"]


def test_HR_1_a_returned_need_goes_back_to_its_writer_and_is_submitted_again(client, personas):
    opening = need(personas, 1, state="submitted")
    response = api(personas["management"]).post(
        reverse("api:hiringneed-send_back", args=[opening.pk]), {}, format="json"
    )
    assert response.status_code == 400 and "comment" in response.json()["errors"]  # a reason is asked
    response = api(personas["management"]).post(
        reverse("api:hiringneed-send_back", args=[opening.pk]), {"comment": "請補充項目依據"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "returned"
    client.force_login(personas["head"])
    home = client.get(reverse("home")).content.decode()
    assert opening.code in home


def test_HR_2_candidates_are_recorded_for_approved_needs_only_and_a_referral_names_its_referrer(personas):
    draft = need(personas, 1, state="draft")
    body = {"need": draft.pk, "full_name": "張三", "phone": "1", "source": "company_site"}
    response = api(personas["hr"]).post(reverse("api:candidate-list"), body, format="json")
    assert response.status_code == 400 and "need" in response.json()["errors"]
    opening = need(personas, 2)
    response = api(personas["hr"]).post(
        reverse("api:candidate-list"), {**body, "need": opening.pk, "source": "referral"}, format="json"
    )
    assert response.status_code == 400 and "referrer" in response.json()["errors"]
    response = api(personas["hr"]).post(
        reverse("api:candidate-list"), {**body, "need": opening.pk, "phone": ""}, format="json"
    )
    assert response.status_code == 400 and "phone" in response.json()["errors"]


def test_HR_2_not_selected_at_any_stage_with_a_reason_kept_on_the_candidate(client, personas):
    for index, stage in enumerate(["screening", "interview", "written_test", "background", "offer_proposed"]):
        cand = candidate(personas, 10 + index, stage=stage)
        response = api(personas["hr"]).post(
            reverse("api:candidate-reject", args=[cand.pk]), {}, format="json"
        )
        assert response.status_code == 400, stage
        response = api(personas["hr"]).post(
            reverse("api:candidate-reject", args=[cand.pk]), {"comment": "經驗不足"}, format="json"
        )
        assert response.status_code == 200, (stage, response.json())
        cand.refresh_from_db()
        assert (cand.stage, cand.closed_at_stage, cand.outcome_reason) == ("rejected", stage, "經驗不足")
    client.force_login(personas["hr"])
    assert "經驗不足" in client.get(cand.get_absolute_url()).content.decode()


def test_HR_2_time_in_stage_and_source_to_hire_figures_on_the_openings_page(client, personas):
    opening = need(personas, 1)
    hired = candidate(personas, 1, opening=opening, source="referral")
    other = candidate(personas, 2, opening=opening, source="job_board")
    scored_interview(personas, hired)
    hr = personas["hr"]
    from onestop.core.workflow import perform_transition

    perform_transition(hired, "pass_screening", actor=hr)
    perform_transition(hired, "pass_interviews", actor=hr)
    perform_transition(other, "reject", actor=hr, comment="不符合")
    figures = services.figures(opening)
    by_source = {row["source"]: row for row in figures["sources"]}
    assert (by_source["referral"]["candidates"], by_source["referral"]["interviewed"]) == (1, 1)
    assert by_source["job_board"]["interviewed"] == 0
    assert {row["stage"] for row in figures["stages"]} >= {"screening", "interview", "written_test"}
    client.force_login(hr)
    page = client.get(opening.get_absolute_url()).content.decode()
    assert 'id="figures"' in page and hired.full_name in page
    client.force_login(personas["head"])  # the hiring manager sees the candidates, not the figures
    page = client.get(opening.get_absolute_url()).content.decode()
    assert hired.full_name in page and 'id="figures"' not in page


def test_HR_2_the_pages_take_each_step_with_its_form(client, personas):
    hr = personas["hr"]
    client.force_login(hr)
    cand = candidate(personas, 1, stage="written_test")
    page = client.get(cand.get_absolute_url()).content.decode()
    assert "record_test" in page or "record-test" in page
    response = client.post(reverse("recruitment:candidate_record_test", args=[cand.pk]), {"score": "abc"})
    assert response.status_code == 400
    response = client.post(reverse("recruitment:candidate_record_test", args=[cand.pk]), {"score": "77"})
    assert response.status_code == 302
    cand.refresh_from_db()
    assert (cand.stage, cand.test_score) == ("background", Decimal("77.0"))
    start = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        reverse("recruitment:candidate_propose_offer", args=[cand.pk]),
        {
            "background_note": "無異常",
            "salary": "12000",
            "start_date": start,
            "superior": personas["head"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cand = hire_ready(personas, 2)
    response = client.post(reverse("recruitment:candidate_hire", args=[cand.pk]), {"username": "new.one"})
    assert response.status_code == 302
    assert Onboarding.objects.filter(user__username="new.one", candidate=cand).exists()
    # The interviewer's scoring form on the interview page.
    interview = Interview.objects.create(
        candidate=candidate(personas, 3, stage="interview"),
        interviewer=personas["interviewer"],
        scheduled_at=timezone.now(),
    )
    client.force_login(personas["interviewer"])
    page = client.get(interview.get_absolute_url()).content.decode()
    assert "score_0" in page and "comment_1" in page
    data = {"score_0": "5", "comment_0": "很好", "score_1": "4", "comment_1": "", "recommendation": "hire"}
    assert client.post(reverse("recruitment:interview_score", args=[interview.pk]), data).status_code == 400
    data["comment_1"] = "清楚"
    assert client.post(reverse("recruitment:interview_score", args=[interview.pk]), data).status_code == 302
    interview.refresh_from_db()
    assert [s["score"] for s in interview.scores] == [5, 4] and interview.average == Decimal("4.50")


def test_HR_3_onboarding_parts_are_completed_by_the_new_hire_and_acknowledged_on_the_page(client, personas):
    onboarding = programme(personas)
    user = onboarding.user
    task = onboarding.tasks.order_by("order").first()
    client.force_login(user)
    page = client.get(onboarding.get_absolute_url()).content.decode()
    assert reverse("recruitment:onboardingtask_complete", args=[task.pk]) in page
    home = client.get(reverse("home")).content.decode()
    assert task.title in home  # "My work": parts to complete
    assert (
        client.post(
            reverse("recruitment:onboardingtask_complete", args=[task.pk]), {"note": "完成"}
        ).status_code
        == 302
    )
    client.force_login(personas["head"])
    assert task.title in client.get(reverse("home")).content.decode()  # to acknowledge
    assert (
        client.post(reverse("recruitment:onboardingtask_acknowledge", args=[task.pk]), {}).status_code == 302
    )
    task.refresh_from_db()
    assert (task.state, task.acknowledged_by) == ("acknowledged", personas["head"])
    client.force_login(personas["staff"])  # a colleague neither sees the programme nor acts on it
    assert client.get(onboarding.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("recruitment:onboardingtask_redo", args=[task.pk]), {"reason": "x"}).status_code
        == 404
    )


def test_HR_3_a_programme_is_assigned_once_per_person(personas):
    onboarding = programme(personas)
    response = api(personas["hr"]).post(
        reverse("api:onboarding-list"),
        {"user": onboarding.user_id, "superior": personas["head"].pk, "start_date": "2026-12-01"},
        format="json",
    )
    assert response.status_code == 400


# --- My work ---------------------------------------------------------------------------------------


def test_HR_1_HR_2_my_work_names_who_holds_each_step(client, personas):
    submitted = need(personas, 1, state="submitted")
    offer = candidate(personas, 1, stage="offer_proposed")
    screening = candidate(personas, 2)
    interview = Interview.objects.create(
        candidate=candidate(personas, 3, stage="interview"),
        interviewer=personas["interviewer"],
        scheduled_at=timezone.now(),
    )
    expected = {
        "management": [submitted.code, offer.full_name],
        "hr": [screening.full_name],
        "interviewer": [interview.candidate.full_name],
    }
    for persona, texts in expected.items():
        client.force_login(personas[persona])
        home = client.get(reverse("home")).content.decode()
        for text in texts:
            assert text in home, (persona, text)
    client.force_login(personas["staff"])
    home = client.get(reverse("home")).content.decode()
    assert offer.full_name not in home and screening.full_name not in home


# --- privacy: each role × each kind of record ------------------------------------------------------

KINDS = ["need", "posting", "candidate", "offer", "interview", "onboarding", "task"]
ALL = set(KINDS)
# Who sees what: seen → 200; otherwise, in the API, 404 where the person may open the kind's
# list at all (the record does not exist for them) and 403 where they may not; a page is 404.
SEES = {
    "hr": ALL,
    "management": {"need", "posting", "offer", "onboarding", "task"},  # candidates from the offer on
    "head": ALL,  # the hiring manager, head of the new hire's department
    "interviewer": {"need", "posting", "candidate", "offer", "interview"},  # the panel of that opening
    "other_head": set(),
    "staff": set(),
    "new_hire": {"onboarding", "task"},
    "admin": set(),  # a system administrator does not read candidate data
    "client_a": set(),
}
OPENS = {  # the kinds whose pages the person may open (403 otherwise)
    "hr": ALL,
    "management": ALL,
    "head": ALL,
    "interviewer": ALL,
    "other_head": ALL,
    "staff": {"onboarding", "task"},
    "new_hire": {"onboarding", "task"},
    "admin": {"need", "posting", "candidate", "offer", "interview", "onboarding", "task"},
    "client_a": set(),
}
ROUTES = {
    "need": "hiringneed",
    "posting": "posting",
    "candidate": "candidate",
    "offer": "candidate",
    "interview": "interview",
    "onboarding": "onboarding",
    "task": "onboardingtask",
}


def test_HR_2_privacy_matrix_each_role_sees_each_kind_of_record_or_gets_404(client, personas):
    opening = need(personas, 1)
    posting = Posting.objects.create(
        need=opening, channel="campus", title="校園招聘", published_on=date(2026, 11, 1)
    )
    cand = candidate(personas, 1, opening=opening, full_name="私密應聘者")
    offer = candidate(personas, 2, opening=opening, stage="offer_made", full_name="錄用候選人")
    interview = Interview.objects.create(
        candidate=cand, interviewer=personas["interviewer"], scheduled_at=timezone.now()
    )
    new_hire = UserFactory(department=department(personas), full_name="新同事")
    onboarding = programme(personas, new_hire)
    task = onboarding.tasks.first()
    records = {
        "need": opening,
        "posting": posting,
        "candidate": cand,
        "offer": offer,
        "interview": interview,
        "onboarding": onboarding,
        "task": task,
    }
    people = {**personas, "new_hire": new_hire}
    wrong = []
    for who, sees in SEES.items():
        user = people[who]
        client.force_login(user)
        for kind, record in records.items():
            expected = 200 if kind in sees else (404 if kind in OPENS[who] else 403)
            answer = api(user).get(reverse(f"api:{ROUTES[kind]}-detail", args=[record.pk])).status_code
            if answer != expected:
                wrong.append((who, kind, "api", answer, expected))
            if kind != "task":  # a page answers 404 for a record out of reach, with or without the right
                page = client.get(record.get_absolute_url()).status_code
                if page != (200 if kind in sees else 404):
                    wrong.append((who, kind, "page", page, expected))
            listed = api(user).get(reverse(f"api:{ROUTES[kind]}-list"), {"page_size": 200})
            ids = [row["id"] for row in listed.json().get("results", [])] if listed.status_code == 200 else []
            if (record.pk in ids) != (kind in sees):
                wrong.append((who, kind, "list", record.pk in ids, kind in sees))
        # The search finds the candidates only for whom may see them.
        found = client.get(reverse("search"), {"q": cand.code}).content.decode()
        if ("私密應聘者" in found) != ("candidate" in sees):
            wrong.append((who, "candidate", "search"))
    assert wrong == [], "\n".join(map(str, wrong))


def test_HR_2_candidate_data_is_not_in_other_apps_or_the_client_portal(client, personas):
    cand = candidate(personas, 1, full_name="私密應聘者")
    client.force_login(personas["client_a"])
    assert client.get(reverse("recruitment:candidate_board")).status_code == 403
    assert client.get(reverse("recruitment:candidate_list")).status_code == 403
    assert "私密應聘者" not in client.get(reverse("home")).content.decode()
    assert api(personas["client_a"]).get(reverse("api:candidate-list")).status_code == 403
    client.force_login(personas["staff"])
    assert client.get(reverse("recruitment:candidate_move", args=[cand.pk, "interview"])).status_code == 404


# --- the board -------------------------------------------------------------------------------------


def test_HR_2_the_board_shows_a_column_per_stage_and_moves_a_card_only_where_allowed(client, personas):
    cand = candidate(personas, 1)
    waiting = candidate(personas, 2, stage="interview")  # nobody scored: cannot move on
    client.force_login(personas["hr"])
    page = client.get(reverse("recruitment:candidate_board")).content.decode()
    for stage in (
        "screening",
        "interview",
        "written_test",
        "background",
        "offer_proposed",
        "offer_made",
        "accepted",
        "hired",
    ):
        assert f'data-stage="{stage}"' in page, stage
    assert f'id="card-{cand.pk}" data-pk="{cand.pk}" draggable="true"' in page
    assert f'id="card-{waiting.pk}" data-pk="{waiting.pk}" draggable="false"' in page
    url = reverse("recruitment:candidate_move", args=[cand.pk, "interview"])
    assert client.get(url + "?partial=1").status_code == 200
    assert client.post(reverse("recruitment:candidate_move", args=[cand.pk, "hired"])).status_code == 400
    assert (
        client.post(reverse("recruitment:candidate_move", args=[waiting.pk, "written_test"])).status_code
        == 403
    )
    response = client.post(url, {"comment": "簡歷通過"})
    assert response.status_code == 302
    cand.refresh_from_db()
    assert cand.stage == "interview"
    # A step with input opens its form: the written test asks for the score.
    test_taker = candidate(personas, 3, stage="written_test")
    url = reverse("recruitment:candidate_move", args=[test_taker.pk, "background"])
    assert 'name="score"' in client.get(url).content.decode()
    assert client.post(url, {"score": ""}).status_code == 400
    assert client.post(url, {"score": "88"}).status_code == 302
    # Management sees only the offer columns' cards and moves only the offer to approve.
    offer = candidate(personas, 4, stage="offer_proposed")
    client.force_login(personas["management"])
    page = client.get(reverse("recruitment:candidate_board")).content.decode()
    assert (
        f'id="card-{offer.pk}" data-pk="{offer.pk}" draggable="true"' in page
        and f'id="card-{cand.pk}"' not in page
    )


def test_HR_2_the_board_and_the_list_run_a_fixed_number_of_queries(client, personas):
    client.force_login(personas["hr"])
    opening = need(personas, 1)
    stages = [
        "screening",
        "interview",
        "written_test",
        "background",
        "offer_proposed",
        "offer_made",
        "accepted",
        "rejected",
    ]

    def add(count, offset):
        for index in range(count):
            candidate(personas, offset + index, stage=stages[index % len(stages)], opening=opening)

    def count():
        with CaptureQueriesContext(connection) as board:
            assert client.get(reverse("recruitment:candidate_board")).status_code == 200
        with CaptureQueriesContext(connection) as page:
            assert client.get(opening.get_absolute_url()).status_code == 200
        return len(board), len(page)

    add(8, 0)
    count()
    few = count()
    add(40, 100)
    many = count()
    if many != few:
        with CaptureQueriesContext(connection) as page:
            client.get(opening.get_absolute_url())
        print("\n".join(q["sql"][:300] for q in page.captured_queries))
    assert many == few
