"""Customer satisfaction surveys and complaints (EXT-2; X-1, X-3, X-6, X-7, X-8).

The complaint transitions are all service-only (feedback.services): assign, respond, confirm,
reopen and close_unconfirmed are run below through the pages and the API.
"""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.core import policy
from onestop.core.comments import add_comment
from onestop.core.exceptions import DomainError
from onestop.core.models import Visibility
from onestop.engagements.models import Channel, Engagement
from onestop.feedback import results, services
from onestop.feedback.aspects import ASPECTS
from onestop.feedback.models import Complaint, Survey
from onestop.notifications.models import Deadline, Notification
from onestop.notifications.services import process_deadlines
from tests.factories import DepartmentFactory
from tests.generic import ModelTestBase
from tests.stages import in_english, make_project, stage_personas


@pytest.fixture
def personas(personas, make_user):
    return in_english(stage_personas(personas, make_user))


@pytest.fixture(autouse=True)
def english(english):
    """English messages everywhere (see tests/conftest.py), also for API calls."""
    yield


def engagement(personas, index=0, client="client_a"):
    return Engagement.objects.create(
        code=f"OS-F-{index:05d}",
        title=f"滿意度測試案件{index}",
        client=personas[client].client_organization,
        channel=Channel.PHONE,
        stage=Engagement.Stage.CONFIRMED,
    )


def invited(personas, index=0, client="client_a", **fields):
    survey = services.invite(engagement(personas, index, client), actor=personas["cs"])
    if fields:
        Survey.objects.filter(pk=survey.pk).update(**fields)
        survey.refresh_from_db()
    return survey


def scores(*values):
    values = values or (5,) * len(ASPECTS)
    return {aspect.code: value for aspect, value in zip(ASPECTS, values, strict=True)}


def answer_data(values=(5, 4, 5, 4, 5), recommend=9, comment="服務很好"):
    data = {aspect.field: value for aspect, value in zip(ASPECTS, values, strict=True)}
    return {**data, "would_recommend": recommend, "comment": comment}


def filed(personas, index=0, client="client_a", **kwargs):
    return services.file_complaint(
        actor=personas[client], subject=f"報告延遲{index}", description="驗收報告延遲兩週才收到。", **kwargs
    )


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- generic pages and API per model ----------------------------------------------------------


class TestSurvey(ModelTestBase):
    model = Survey
    api_basename = "survey"
    manager = "cs"
    viewer = "client_a"
    outsider = "client_b"
    deletable = False
    invalid_field = "engagement"

    def make_object(self, personas, index=0):
        return invited(personas, index + 100)

    def create_data(self, personas):
        return {
            "engagement": engagement(personas, 900 + Survey.objects.count()).pk,
            "respond_by": "2030-01-31",
        }

    def update_data(self, obj, personas):
        return {"respond_by": "2030-02-28"}

    def invalid_data(self, personas):
        return {"engagement": "", "respond_by": "not a date"}


class TestComplaint(ModelTestBase):
    model = Complaint
    api_basename = "complaint"
    manager = "cs"
    # the roles that see every complaint (customer service, quality, management) may also
    # file or edit one, and finance no longer sees complaints; a handler's view is tested below.
    viewer = None
    outsider = "client_b"
    deletable = False
    invalid_field = "subject"

    def make_object(self, personas, index=0):
        return filed(personas, index)

    def create_data(self, personas):
        return {
            "client": personas["client_a"].client_organization_id,
            "channel": "phone",
            "subject": "電話投訴：現場人員遲到",
            "description": "客戶來電反映現場工程師兩次遲到。",
        }

    def update_data(self, obj, personas):
        return {
            "subject": "電話投訴：現場人員遲到（更正）",
            "description": "客戶來電反映現場工程師三次遲到。",
            "engagement": "",
        }

    def api_update_data(self, obj, personas):
        return {"subject": "電話投訴：現場人員遲到（更正）"}

    def invalid_data(self, personas):
        return {
            "client": personas["client_a"].client_organization_id,
            "channel": "phone",
            "subject": "",
            "description": "x",
        }


# --- the invitation -----------------------------------------------------------------------------


def passed_round(project, milestone=None, number=1):
    from onestop.acceptance.models import AcceptanceRound

    acceptance_round = AcceptanceRound.objects.create(project=project, number=number, milestone=milestone)
    AcceptanceRound.objects.filter(pk=acceptance_round.pk).update(state="passed", concluded_at=timezone.now())
    acceptance_round.refresh_from_db()
    return acceptance_round


def test_EXT_2_a_passed_whole_project_acceptance_invites_the_client_once(
    personas, django_capture_on_commit_callbacks
):
    from onestop.acceptance.signals import acceptance_passed

    department = DepartmentFactory(name="項目管理部")
    lead = personas["lead"]
    type(lead).objects.filter(pk=lead.pk).update(department=department)
    project = make_project(personas, 1)
    milestone = project.milestones.first()
    with django_capture_on_commit_callbacks(execute=True):
        acceptance_passed.send(
            sender=None, round=passed_round(project, milestone), actor=personas["management"]
        )
    assert not Survey.objects.exists(), "a milestone's acceptance does not end the service"

    whole = passed_round(project, number=2)
    with django_capture_on_commit_callbacks(execute=True):
        acceptance_passed.send(sender=None, round=whole, actor=personas["management"])
        acceptance_passed.send(sender=None, round=whole, actor=personas["management"])
    survey = Survey.objects.get()
    assert (survey.engagement, survey.project, survey.project_lead_id, survey.department) == (
        project.engagement,
        project,
        lead.pk,
        department,
    )
    invitations = Notification.objects.filter(recipient=personas["client_a"])
    assert invitations.count() == 1
    assert f"/surveys/{survey.pk}/answer/?t=" in invitations.get().url
    assert not Notification.objects.filter(recipient=personas["client_b"]).exists()
    (message,) = [m for m in mail.outbox if personas["client_a"].email in m.to]
    assert f"/surveys/{survey.pk}/answer/?t=" in message.body


def test_EXT_2_inviting_twice_is_refused_clearly(personas):
    survey = invited(personas)
    with pytest.raises(DomainError, match="already invited"):
        services.invite(survey.engagement, actor=personas["cs"])
    response = api(personas["cs"]).post(
        reverse("api:survey-list"), {"engagement": survey.engagement.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]
    assert Survey.objects.count() == 1


def test_EXT_2_an_unanswered_survey_is_reminded_once_after_a_week(personas):
    survey = invited(personas)
    assert services.remind_unanswered() == 0
    later = timezone.now() + timedelta(days=services.SURVEY_REMIND_AFTER_DAYS, hours=1)
    assert services.remind_unanswered(now=later) == 1
    assert services.remind_unanswered(now=later + timedelta(days=1)) == 0
    titles = list(Notification.objects.filter(recipient=personas["client_a"]).values_list("title", flat=True))
    assert len(titles) == 2
    assert sum(title.startswith("Reminder") for title in titles) == 1
    answered = invited(personas, 1)
    services.answer(answered, scores=scores(), would_recommend=10, actor=personas["client_a"])
    survey.refresh_from_db()
    assert services.remind_unanswered(now=later + timedelta(days=30)) == 0


# --- answering --------------------------------------------------------------------------------


def test_EXT_2_answers_out_of_range_are_refused_with_clear_messages(client, personas):
    survey = invited(personas)
    with pytest.raises(ValidationError) as error:
        services.answer(survey, scores=scores(6, 0, 3, 3, 3), would_recommend=11, actor=personas["client_a"])
    errors = error.value.message_dict
    assert errors["score_service_quality"] == ["“Service quality” takes a whole number from 1 to 5."]
    assert errors["score_timeliness"] == ["“Timeliness” takes a whole number from 1 to 5."]
    assert errors["would_recommend"] == ["“Would recommend” takes a whole number from 0 to 10."]
    with pytest.raises(ValidationError, match=r"Rate “Communication and responsiveness” from 1 to 5\."):
        services.answer(survey, scores={"service_quality": 3}, would_recommend=5, actor=personas["client_a"])

    client.force_login(personas["client_a"])
    url = reverse("feedback:survey_answer", args=[survey.pk])
    data = answer_data()
    del data["score_value"]
    data["would_recommend"] = 12
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Rate “Value for money” from 1 to 5." in page
    assert "“Would recommend” takes a whole number from 0 to 10." in page

    response = api(personas["client_a"]).post(
        reverse("api:survey-answer", args=[survey.pk]), answer_data((5, 5, 5, 5, 9), 10), format="json"
    )
    assert response.status_code == 400
    assert "score_value" in response.json()["errors"]
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_EXT_2_a_survey_is_answered_once_and_a_second_answer_is_refused(client, personas):
    survey = invited(personas)
    client.force_login(personas["client_a"])
    url = reverse("feedback:survey_answer", args=[survey.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, answer_data((5, 4, 5, 4, 3), 9, "很專業"))
    assert response.status_code == 200
    assert "Thank you for your answer" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.score_service_quality, survey.score_value, survey.would_recommend) == (5, 3, 9)
    assert (survey.answered_by, survey.answered_via, survey.comment) == (
        personas["client_a"],
        "portal",
        "很專業",
    )
    assert survey.history.filter(history_user=personas["client_a"]).exists()

    response = client.post(url, answer_data((1, 1, 1, 1, 1), 0))
    assert response.status_code == 400
    assert "already answered" in response.content.decode()
    response = api(personas["client_a"]).post(
        reverse("api:survey-answer", args=[survey.pk]), answer_data((1, 1, 1, 1, 1), 0), format="json"
    )
    assert response.status_code == 400
    assert "already answered" in response.json()["detail"]
    with pytest.raises(DomainError, match="cannot be changed"):
        services.answer(survey, scores=scores(1, 1, 1, 1, 1), would_recommend=0, actor=personas["client_a"])
    survey.refresh_from_db()
    assert (survey.score_service_quality, survey.would_recommend) == (5, 9)


def test_EXT_2_only_the_clients_users_answer_and_staff_cannot_answer_for_them(client, personas):
    survey = invited(personas)
    assert (
        api(personas["cs"])
        .post(reverse("api:survey-answer", args=[survey.pk]), answer_data(), format="json")
        .status_code
        == 403
    )
    assert (
        api(personas["client_b"])
        .post(reverse("api:survey-answer", args=[survey.pk]), answer_data(), format="json")
        .status_code
        == 404
    )
    client.force_login(personas["client_b"])
    assert client.get(reverse("feedback:survey_answer", args=[survey.pk])).status_code == 404
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_EXT_2_the_e_mailed_link_answers_its_own_survey_only_and_expires(client, personas, monkeypatch):
    survey = invited(personas)
    other = invited(personas, 1)
    token = services.survey_token(survey)
    # No log-in needed with the link.
    own = reverse("feedback:survey_answer", args=[survey.pk])
    assert client.get(own, {"t": token}).status_code == 200
    # The same token on another survey's address, a tampered token: refused, nothing saved.
    response = client.post(reverse("feedback:survey_answer", args=[other.pk]), {**answer_data(), "t": token})
    assert response.status_code == 403
    assert "not valid" in response.content.decode()
    assert client.post(own, {**answer_data(), "t": token[:-2] + "xx"}).status_code == 403
    # A new nonce revokes the links already sent.
    Survey.objects.filter(pk=other.pk).update(token_nonce="revoked")
    other.refresh_from_db()
    assert (
        client.get(
            reverse("feedback:survey_answer", args=[other.pk]), {"t": services.survey_token(other)}
        ).status_code
        == 200
    )
    assert client.get(reverse("feedback:survey_answer", args=[other.pk]), {"t": token}).status_code == 403
    other.refresh_from_db()
    assert other.answered_at is None
    # Expired after SURVEY_LINK_DAYS.
    real = time.time
    monkeypatch.setattr(
        "django.core.signing.time.time", lambda: real() + (services.SURVEY_LINK_DAYS + 1) * 86400
    )
    response = client.get(own, {"t": token})
    assert response.status_code == 403 and "expired" in response.content.decode()
    monkeypatch.setattr("django.core.signing.time.time", real)
    # A valid link answers, as the link (no user), once.
    response = client.post(own, {**answer_data((4, 4, 4, 4, 4), 8), "t": token})
    assert response.status_code == 200
    survey.refresh_from_db()
    assert (survey.answered_via, survey.answered_by, survey.would_recommend) == ("link", None, 8)
    assert client.post(own, {**answer_data(), "t": token}).status_code == 400


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_EXT_2_two_answers_sent_at_once_give_one_answer_and_one_refusal(personas):
    from tests.workflow import run_concurrently

    survey = invited(personas)

    def answering(value):
        def prepare():
            loaded = Survey.objects.get(pk=survey.pk)
            return lambda: services.answer(
                loaded,
                scores=scores(*(value,) * len(ASPECTS)),
                would_recommend=value,
                actor=personas["client_a"],
            )

        return prepare

    _results, errors = run_concurrently(answering(5), answering(2))
    assert sum(error is None for error in errors) == 1
    assert all(isinstance(error, DomainError) for error in errors if error is not None)
    survey.refresh_from_db()
    assert survey.would_recommend in (5, 2) and survey.score_value == survey.would_recommend


# --- results ----------------------------------------------------------------------------------


@pytest.fixture
def known_set(personas, make_user):
    """Two leads in two departments; three answers and one survey unanswered."""
    from onestop.core.roles import Role

    north, south = DepartmentFactory(name="北區項目部"), DepartmentFactory(name="南區項目部")
    lead_one = make_user(Role.PROJECT_LEAD, username="lead.one", full_name="甲經理", department=north)
    lead_two = make_user(Role.PROJECT_LEAD, username="lead.two", full_name="乙經理", department=south)
    s1 = invited(personas, 1, project_lead=lead_one, department=north)
    s2 = invited(personas, 2, project_lead=lead_one, department=north)
    s3 = invited(personas, 3, project_lead=lead_two, department=south)
    s4 = invited(personas, 4, project_lead=lead_two, department=south)
    client_a = personas["client_a"]
    services.answer(s1, scores=scores(5, 4, 5, 5, 5), would_recommend=10, comment="非常滿意", actor=client_a)
    services.answer(s2, scores=scores(3, 3, 3, 3, 2), would_recommend=6, comment="報告延遲", actor=client_a)
    services.answer(s3, scores=scores(4, 4, 4, 4, 4), would_recommend=9, actor=client_a)
    return {
        "north": north,
        "south": south,
        "lead_one": lead_one,
        "lead_two": lead_two,
        "surveys": [s1, s2, s3, s4],
    }


def test_EXT_2_results_average_each_aspect_and_compute_nps_by_lead_department_and_engagement(
    personas, known_set
):
    surveys = Survey.objects.all()
    by_lead = {row.label: row for row in results.grouped(surveys, "lead")}
    one, two = by_lead["甲經理"], by_lead["乙經理"]
    assert (one.invited, one.answered, one.response_rate) == (2, 2, 100.0)
    assert one.averages == {
        "service_quality": 4.0,
        "timeliness": 3.5,
        "communication": 4.0,
        "competence": 4.0,
        "value": 3.5,
    }
    assert (one.promoters, one.detractors, one.nps) == (1, 1, 0.0)
    assert (two.invited, two.answered, two.response_rate, two.nps) == (2, 1, 50.0, 100.0)
    assert two.averages["value"] == 4.0
    by_department = {row.key: row for row in results.grouped(surveys, "department")}
    assert by_department[known_set["north"].pk].averages == one.averages
    assert by_department[known_set["south"].pk].nps == 100.0
    by_engagement = results.grouped(surveys, "engagement")
    assert len(by_engagement) == 4
    assert [row.answered for row in by_engagement] == [1, 1, 1, 0]
    total = results.totals(surveys)
    assert (total.invited, total.answered, total.response_rate) == (4, 3, 75.0)
    assert total.averages["service_quality"] == 4.0 and total.averages["value"] == round(11 / 3, 2)
    assert total.nps == round(100 * (2 - 1) / 3, 1)

    response = api(personas["management"]).get(reverse("api:survey-results"), {"by": "department"})
    assert response.status_code == 200
    body = response.json()
    rows = {row["label"]: row for row in body["results"]}
    assert rows["北區項目部"]["nps"] == 0.0 and rows["南區項目部"]["response_rate"] == 50.0
    assert body["count"] == len(body["results"]) == 2  # one row per department, paginated
    assert (body["totals"]["key"], body["totals"]["invited"], body["totals"]["answered"]) == (None, 4, 3)
    assert api(personas["management"]).get(reverse("api:survey-results"), {"by": "colour"}).status_code == 400


def test_EXT_2_results_page_and_exports_for_staff_not_for_clients(client, personas, known_set):
    client.force_login(personas["quality"])
    for grouping in ("engagement", "lead", "department"):
        response = client.get(reverse("feedback:results"), {"by": grouping})
        assert response.status_code == 200
    page = client.get(reverse("feedback:results"), {"by": "lead"}).content.decode()
    assert "甲經理" in page and "非常滿意" in page and "75.0%" in page
    waiting = client.get(reverse("feedback:results"), {"answered": "no"})
    assert (waiting.context["total"].invited, waiting.context["total"].answered) == (1, 0)
    listed = client.get(reverse("feedback:survey_list"), {"answered": "yes"}).content.decode()
    assert listed.count("/surveys/") - listed.count("/surveys/add/") >= 3
    csv_response = client.get(reverse("feedback:results_export", args=["csv"]))
    csv_text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert csv_text.count("\n") == 5 and "報告延遲" in csv_text
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(reverse("feedback:results_export", args=["xlsx"])).content))
    assert book.worksheets[0].max_row == 5
    assert {sheet.max_row for sheet in book.worksheets[1:]} == {3, 5}
    client.force_login(personas["client_a"])
    assert client.get(reverse("feedback:results")).status_code == 403
    assert client.get(reverse("feedback:results_export", args=["csv"])).status_code == 403
    assert api(personas["client_a"]).get(reverse("api:survey-results")).status_code == 403


def test_EXT_2_a_lead_sees_the_surveys_of_own_projects_and_department_management_sees_all(
    personas, known_set
):
    from onestop.feedback.models import Survey as S

    assert S.objects.visible_to(known_set["lead_one"]).count() == 2
    assert S.objects.visible_to(personas["hr"]).count() == 0
    assert S.objects.visible_to(personas["management"]).count() == 4
    assert S.objects.visible_to(personas["quality"]).count() == 4
    assert S.objects.visible_to(personas["client_a"]).count() == 4
    assert S.objects.visible_to(personas["client_b"]).count() == 0


def test_EXT_2_results_run_a_fixed_number_of_queries(client, personas, known_set):
    client.force_login(personas["management"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("feedback:results"), {"by": "lead"}).status_code == 200
        return len(queries)

    few = count()
    for index in range(10, 25):
        survey = invited(personas, index, project_lead=known_set["lead_two"], department=known_set["south"])
        services.answer(
            survey,
            scores=scores(),
            would_recommend=index % 11,
            comment=f"意見{index}",
            actor=personas["client_a"],
        )
    assert count() == few


# --- complaints -------------------------------------------------------------------------------


def test_EXT_2_complaint_lifecycle_with_reopen_and_the_clients_confirmation(
    client, personas, django_capture_on_commit_callbacks
):
    client_a, cs, tech = personas["client_a"], personas["cs"], personas["technician"]
    own = engagement(personas, 1)
    # The client files in the portal, with an attachment, about its own engagement.
    client.force_login(client_a)
    form = client.get(reverse("feedback:complaint_add")).content.decode()
    assert 'name="client"' not in form and own.code in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("feedback:complaint_add"),
            {
                "engagement": own.pk,
                "subject": "驗收報告錯字太多",
                "description": "報告第 3 章多處錯誤。",
                "attachment": SimpleUploadedFile(
                    "note.txt", "第3章錯誤清單".encode(), content_type="text/plain"
                ),
            },
        )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.code.startswith("TS-") and complaint.state == "filed" and complaint.channel == "portal"
    assert complaint.filed_by == client_a and complaint.client == client_a.client_organization
    from onestop.core.models import Attachment

    assert Attachment.objects.for_object(complaint).get().visibility == Visibility.SHARED
    assert Notification.objects.filter(recipient=cs, target_id=complaint.pk).exists()

    # Customer service assigns a handler: a deadline with escalation to management.
    client.force_login(cs)
    response = client.post(reverse("feedback:complaint_assign", args=[complaint.pk]), {"handler": tech.pk})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.state, complaint.handler, complaint.assigned_by) == ("in_handling", tech, cs)
    deadline = Deadline.objects.open().get(target_id=complaint.pk, responsible=tech)
    assert deadline.escalate_to == personas["management"] and deadline.due_at == complaint.due_at

    # The client may not respond; the handler responds; the deadline closes.
    assert (
        api(client_a)
        .post(reverse("api:complaint-respond", args=[complaint.pk]), {"response": "x"}, format="json")
        .status_code
        == 403
    )
    client.force_login(tech)
    assert (
        client.post(reverse("feedback:complaint_respond", args=[complaint.pk]), {"response": ""}).status_code
        == 400
    )
    response = client.post(
        reverse("feedback:complaint_respond", args=[complaint.pk]), {"response": "已更正並重新出具報告。"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "responded" and complaint.responded_by == tech
    assert not Deadline.objects.open().filter(target_id=complaint.pk).exists()
    assert Notification.objects.filter(recipient=client_a, target_id=complaint.pk).exists()

    # The client reopens (a reason is required); a new deadline for the handler.
    client.force_login(client_a)
    assert (
        client.post(reverse("feedback:complaint_reopen", args=[complaint.pk]), {"reason": ""}).status_code
        == 400
    )
    response = client.post(
        reverse("feedback:complaint_reopen", args=[complaint.pk]), {"reason": "第 5 章仍有錯誤。"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.state, complaint.reopen_count, complaint.reopen_reason) == (
        "reopened",
        1,
        "第 5 章仍有錯誤。",
    )
    assert Deadline.objects.open().filter(target_id=complaint.pk, responsible=tech).count() == 1

    # Responded again through the API, then confirmed by the client: closed.
    response = api(tech).post(
        reverse("api:complaint-respond", args=[complaint.pk]),
        {"response": "第 5 章也已更正。"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "responded"
    assert (
        api(cs).post(reverse("api:complaint-confirm", args=[complaint.pk]), {}, format="json").status_code
        == 403
    )
    response = client.post(reverse("feedback:complaint_confirm", args=[complaint.pk]), {"comment": "謝謝"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.state, complaint.closure, complaint.closed_by) == ("closed", "confirmed", client_a)
    from onestop.core.workflow import transition_log

    assert [row.transition for row in transition_log(complaint)] == [
        "assign",
        "respond",
        "reopen",
        "respond",
        "confirm",
    ]
    # Nothing more to do with a closed complaint.
    response = client.post(reverse("feedback:complaint_reopen", args=[complaint.pk]), {"reason": "再開"})
    assert response.status_code == 409


def test_EXT_2_staff_close_without_the_client_only_after_the_waiting_time_and_with_a_note(personas):
    complaint = filed(personas)
    services.assign(complaint, actor=personas["cs"], handler=personas["technician"])
    services.respond(complaint, actor=personas["technician"], response="已處理。")
    with pytest.raises(DomainError, match="Write a note"):
        services.close_unconfirmed(complaint, actor=personas["cs"], note="")
    with pytest.raises(DomainError, match="has until"):
        services.close_unconfirmed(complaint, actor=personas["cs"], note="客戶未回覆")
    later = timezone.now() + timedelta(days=policy.value("feedback.complaint_close_after_days"), minutes=1)
    with pytest.raises(Exception) as denied:
        services.close_unconfirmed(complaint, actor=personas["technician"], note="客戶未回覆", now=later)
    assert denied.type.__name__ == "PermissionDenied"
    services.close_unconfirmed(complaint, actor=personas["cs"], note="兩次電話未接，依規定結案。", now=later)
    complaint.refresh_from_db()
    assert (complaint.state, complaint.closure, complaint.closure_note) == (
        "closed",
        "by_staff",
        "兩次電話未接，依規定結案。",
    )


def test_EXT_2_an_overdue_complaint_is_escalated_to_management_and_flagged_on_my_work(client, personas):
    complaint = filed(personas)
    services.assign(complaint, actor=personas["cs"], handler=personas["technician"])
    complaint.refresh_from_db()
    assert process_deadlines(now=complaint.due_at - timedelta(hours=1)) == (1, 0)
    assert process_deadlines(now=complaint.due_at + timedelta(minutes=1)) == (0, 1)
    assert process_deadlines(now=complaint.due_at + timedelta(days=1)) == (0, 0)
    escalation = Notification.objects.get(
        recipient=personas["management"], level=Notification.Level.ESCALATION
    )
    assert complaint.code in escalation.title
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - timedelta(hours=1))
    from onestop.feedback.work import feedback_waiting

    (item,) = feedback_waiting(personas["technician"])
    assert item.overdue and item.kind == "Complaint to handle"
    client.force_login(personas["technician"])
    page = client.get(reverse("feedback:complaint_detail", args=[complaint.pk])).content.decode()
    assert "management has been told" in page
    overdue = client.get(reverse("feedback:complaint_list"), {"overdue": "true"}).content.decode()
    assert complaint.code in overdue


def test_EXT_2_X_3_a_client_sees_only_its_own_complaints_and_no_internal_notes(client, personas):
    complaint = filed(personas)
    other_engagement = engagement(personas, 2, client="client_b")
    add_comment(
        complaint,
        actor=personas["cs"],
        body="內部：客戶情緒激動，請主管回電。",
        visibility=Visibility.INTERNAL,
    )
    add_comment(
        complaint,
        actor=personas["cs"],
        body="已收到您的投訴，我們將盡快處理。",
        channel="portal",
        visibility=Visibility.SHARED,
    )
    client.force_login(personas["client_b"])
    assert client.get(reverse("feedback:complaint_detail", args=[complaint.pk])).status_code == 404
    assert client.post(reverse("feedback:complaint_confirm", args=[complaint.pk]), {}).status_code == 404
    assert (
        api(personas["client_b"]).get(reverse("api:complaint-detail", args=[complaint.pk])).status_code == 404
    )
    assert api(personas["client_b"]).get(reverse("api:complaint-list")).json()["count"] == 0
    # A client cannot file about another organisation's engagement.
    response = api(personas["client_a"]).post(
        reverse("api:complaint-list"),
        {"subject": "x", "description": "y", "engagement": other_engagement.pk},
        format="json",
    )
    assert response.status_code == 400 and "engagement" in response.json()["errors"]
    client.force_login(personas["client_a"])
    response = client.post(
        reverse("feedback:complaint_add"),
        {"subject": "x", "description": "y", "engagement": other_engagement.pk},
    )
    assert response.status_code == 400
    # Internal notes stay internal.
    page = client.get(reverse("feedback:complaint_detail", args=[complaint.pk])).content.decode()
    assert "已收到您的投訴" in page and "客戶情緒激動" not in page
    assert (
        api(personas["client_a"])
        .post(reverse("api:complaint-list"), {"subject": "API 投訴", "description": "內容"}, format="json")
        .status_code
        == 201
    )
    assert Complaint.objects.filter(
        subject="API 投訴", client=personas["client_a"].client_organization, channel="portal"
    ).exists()


def test_EXT_2_my_work_lists_surveys_responses_and_complaints_to_assign(personas):
    from onestop.core.work import work_for

    invited(personas)
    waiting = filed(personas, 1)
    responded = filed(personas, 2)
    services.assign(responded, actor=personas["cs"], handler=personas["technician"])
    services.respond(responded, actor=personas["technician"], response="已處理")
    kinds = [item.kind for item in work_for(personas["client_a"])]
    assert "Satisfaction survey" in kinds and "Complaint response to confirm" in kinds
    to_assign = [item.title for item in work_for(personas["cs"]) if item.kind == "Complaint to assign"]
    assert len(to_assign) == 1 and to_assign[0].startswith(str(waiting))
    assert not [item for item in work_for(personas["client_b"]) if item.kind in ("Satisfaction survey",)]


def test_EXT_2_X_1_the_timeline_shows_the_survey_and_the_complaints(personas):
    from onestop.feedback.timeline import events

    survey = invited(personas)
    services.answer(survey, scores=scores(4, 4, 4, 4, 4), would_recommend=9, actor=personas["client_a"])
    complaint = filed(personas, 1, engagement=survey.engagement)
    services.assign(complaint, actor=personas["cs"], handler=personas["technician"])
    services.respond(complaint, actor=personas["technician"], response="已處理")
    services.confirm(complaint, actor=personas["client_a"])
    titles = [event["title"] for event in events(survey.engagement, personas["client_a"])]
    assert "Client invited to the satisfaction survey" in titles
    assert any("average 4.0 of 5, would recommend 9 of 10" in title for title in titles)
    assert any(title.startswith(f"Complaint {complaint.code} filed") for title in titles)
    assert f"Complaint {complaint.code} responded" in titles
    assert any(title.startswith(f"Complaint {complaint.code} closed") for title in titles)
    assert events(survey.engagement, personas["client_b"]) == []
    with CaptureQueriesContext(connection) as queries:
        events(survey.engagement, personas["management"])
    assert len(queries) <= 4


def test_EXT_2_the_menu_offers_complaints_to_clients_and_results_to_staff(client, personas):
    client.force_login(personas["client_a"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("feedback:complaint_list") in page and reverse("feedback:results") not in page
    client.force_login(personas["management"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("feedback:results") in page and reverse("feedback:survey_list") in page


def test_EXT_2_demo_data_loads_even_without_engagements(personas):
    from onestop.feedback import demo

    demo.load()
    assert not Survey.objects.exists()
    assert set(Complaint.objects.values_list("state", flat=True)) == {
        "filed",
        "in_handling",
        "responded",
        "closed",
    }


def test_EXT_2_demo_data_surveys_only_accepted_engagements_and_gives_every_complaint_state(personas):
    from onestop.acceptance.models import AcceptanceRound
    from onestop.feedback import demo

    accepted = [make_project(personas, index, state="accepted") for index in (801, 802)]
    for project in accepted:
        AcceptanceRound.objects.create(project=project, number=1, state=AcceptanceRound.State.PASSED)
    not_accepted = make_project(personas, 803, state="completed")
    demo.load()
    assert Survey.objects.answered().count() == 1
    assert Survey.objects.filter(answered_at__isnull=True).count() == 1  # the client's to-do
    assert not Survey.objects.filter(engagement=not_accepted.engagement).exists()
    assert Complaint.objects.get(state="closed").closure == "confirmed"
    assert [complaint.code for complaint in Complaint.objects.all() if complaint.is_overdue]


def test_EXT_2_X_8_the_complaint_flow_through_the_api(personas):
    client_a, cs, tech = api(personas["client_a"]), api(personas["cs"]), api(personas["technician"])
    response = client_a.post(
        reverse("api:complaint-list"),
        {"subject": "工程師態度欠佳", "description": "電話中語氣不耐煩。"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["state"] == "filed" and response.json()["code"].startswith("TS-")

    def post(who, action, data=None):
        return who.post(reverse(f"api:complaint-{action}", args=[pk]), data or {}, format="json")

    # a technician not handling it does not even see the complaint.
    assert post(tech, "assign", {"handler": personas["technician"].pk}).status_code == 404
    assert post(cs, "assign", {"handler": personas["client_a"].pk}).status_code == 400
    assert post(cs, "assign", {"handler": personas["technician"].pk}).json()["state"] == "in_handling"
    assert post(client_a, "confirm").status_code == 409  # nothing to confirm yet
    assert post(tech, "respond", {"response": ""}).status_code == 400
    assert post(tech, "respond", {"response": "已向工程師了解情況並致歉。"}).json()["state"] == "responded"
    response = post(cs, "close-unconfirmed", {"note": "客戶未回覆"})
    assert response.status_code == 400 and "has until" in response.json()["detail"]
    assert post(client_a, "reopen", {"reason": ""}).status_code == 400
    response = post(client_a, "reopen", {"reason": "希望主管回電。"})
    assert (response.json()["state"], response.json()["reopen_count"]) == ("reopened", 1)
    assert post(tech, "respond", {"response": "主管已於今日回電。"}).json()["state"] == "responded"
    response = post(client_a, "confirm", {"comment": "好的"})
    assert (response.json()["state"], response.json()["closure"]) == ("closed", "confirmed")
    assert client_a.delete(reverse("api:complaint-detail", args=[pk])).status_code in (403, 405)


def test_EXT_2_X_1_the_engagement_page_shows_the_feedback_events(client, personas):
    survey = invited(personas)
    services.answer(survey, scores=scores(5, 5, 4, 4, 5), would_recommend=10, actor=personas["client_a"])
    client.force_login(personas["client_a"])
    page = client.get(survey.engagement.get_absolute_url()).content.decode()
    assert "Client invited to the satisfaction survey" in page
    assert "would recommend 10 of 10" in page


def test_EXT_2_the_rating_buttons_are_one_row_per_question(client, personas):
    """Each question's choices are one row (.app-rating: no wrapping; the browser test measures
    it at 375 px): five for an aspect, eleven (0–10) for recommending us."""
    survey = invited(personas, 71)
    client.force_login(personas["client_a"])
    page = client.get(reverse("feedback:survey_answer", args=[survey.pk])).content.decode()
    rows = re.findall(r'<div class="app-rating( app-rating-wide)?">(.*?)</div>', page, re.S)
    counts = [len(re.findall(r'type="radio"', row)) for _wide, row in rows]
    assert counts == [5] * len(ASPECTS) + [11]
