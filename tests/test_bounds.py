"""Every input bounded (issue 10 item 3): a text far longer than its field is refused with the
field named, through the API and the pages alike, and nothing of it is stored."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.contracts.models import Contract
from onestop.core.exceptions import DomainError
from onestop.core.fields import TEXT_LONG, TEXT_NOTE
from onestop.engagements import mail
from onestop.engagements import services as engagement_services
from onestop.engagements.models import Channel, Engagement, Inquiry
from onestop.plans import services as plan_services
from onestop.plans.models import PlanVersion
from onestop.projects import services as project_services
from onestop.projects.models import ProgressReport, ProgressRow
from tests.stages import make_project, stage_personas

BOOK = "字" * 100_000  # a pasted book: five times the longest text any field takes


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _inquiry(people, org_a):
    return {"client": org_a.pk, "channel": "phone", "subject": "產線數據採集", "need": BOOK}


def engagement_by_api(people, org_a, client):
    response = api(people["cs"]).post("/api/engagements/", _inquiry(people, org_a), format="json")
    return response, "need", lambda: not Engagement.objects.exists() and not Inquiry.objects.exists()


def engagement_by_page(people, org_a, client):
    client.force_login(people["cs"])
    response = client.post(reverse("engagements:engagement_add"), _inquiry(people, org_a))
    return response, "need", lambda: not Engagement.objects.exists() and not Inquiry.objects.exists()


def _draft_version(people, org_a):
    from tests.test_plans import confirmed_engagement

    engagement = confirmed_engagement(org_a, people["technician"])
    plan = plan_services.create_plan(engagement, actor=people["management"], project_lead=people["lead"])
    return plan.versions.get()


def plan_service_content(people, org_a, client):
    version = _draft_version(people, org_a)
    response = api(people["lead"]).patch(
        f"/api/plan-versions/{version.pk}/", {"service_content": BOOK}, format="json"
    )
    before = version.service_content
    return (
        response,
        "service_content",
        lambda: PlanVersion.objects.get(pk=version.pk).service_content == before,
    )


def plan_technical_route(people, org_a, client):
    version = _draft_version(people, org_a)
    response = api(people["lead"]).patch(
        f"/api/plan-versions/{version.pk}/", {"technical_route": BOOK}, format="json"
    )
    return response, "technical_route", lambda: PlanVersion.objects.get(pk=version.pk).technical_route == ""


def contract_special_terms(people, org_a, client):
    from tests.test_contracts import drafted

    contract = drafted(people)
    response = api(people["legal"]).patch(
        reverse("api:contract-detail", args=[contract.pk]), {"special_terms": BOOK}, format="json"
    )
    before = contract.special_terms
    return response, "special_terms", lambda: Contract.objects.get(pk=contract.pk).special_terms == before


def _progress_row(people):
    project = make_project(people)
    report = project_services.start_report(project, actor=people["lead"], day=date(2026, 3, 4))
    return report, report.rows.first()


def progress_by_api(people, org_a, client):
    report, row = _progress_row(people)
    response = api(people["lead"]).post(
        reverse("api:progressreport-fill", args=[report.pk]),
        {"rows": [{"id": row.pk, "percent_complete": 30, "work_done": BOOK}]},
        format="json",
    )
    return response, "work_done", lambda: ProgressRow.objects.get(pk=row.pk).work_done == ""


def progress_by_page(people, org_a, client):
    report, row = _progress_row(people)
    client.force_login(people["lead"])
    response = client.post(
        report.get_absolute_url(), {f"row-{row.pk}-percent_complete": "30", f"row-{row.pk}-work_done": BOOK}
    )
    # The table's page names the column by its label, as a person reads it.
    unchanged = lambda: ProgressRow.objects.filter(pk=row.pk, work_done="", percent_complete=0).exists()  # noqa: E731
    return response, "work done this period", unchanged


@pytest.mark.parametrize(
    "post",
    [
        engagement_by_api,
        engagement_by_page,
        plan_service_content,
        plan_technical_route,
        contract_special_terms,
        progress_by_api,
        progress_by_page,
    ],
)
def test_it_refuses_a_text_longer_than_its_field_names_the_field_and_stores_nothing(
    post, personas, make_user, org_a, client, english
):
    people = stage_personas(personas, make_user)
    response, field, unchanged = post(people, org_a, client)
    assert response.status_code == 400, response.content.decode()[:2000]
    answer = response.content.decode()
    assert field in answer and f"{TEXT_LONG} characters" in answer
    assert unchanged()


def test_a_service_given_a_text_too_long_refuses_it_instead_of_cutting_it(personas, org_a, english):
    with pytest.raises(DomainError) as refused:
        engagement_services.record_inquiry(
            actor=personas["cs"], client=org_a, channel=Channel.PHONE, subject="產線數據採集", need=BOOK
        )
    assert refused.value.field == "need" and "20000" in str(refused.value)
    assert not Engagement.objects.exists()


def test_an_e_mail_longer_than_a_need_keeps_its_start_and_says_what_was_left_out(english):
    raw = (
        "From: 陌生人 <someone@example.com>\nSubject: long\nMessage-ID: <a@b>\n"
        'Content-Type: text/plain; charset="utf-8"\n\n' + "x" * (TEXT_LONG + 5000)
    ).encode()
    body = mail.parse_message(raw).body
    assert len(body) <= TEXT_LONG and body.startswith("x" * 1000)
    left_out = TEXT_LONG + 5000 - body.count("x")
    assert body.endswith(
        f"[{left_out} more characters of this e-mail were not kept: it is longer than an inquiry can hold.]"
    )


def test_a_step_that_writes_a_text_longer_than_its_field_is_refused_and_changes_nothing(
    personas, make_user, english
):
    # A transition saves without full_clean: the workflow checks the texts the step wrote.
    people = stage_personas(personas, make_user)
    report, _row = _progress_row(people)
    project_services.submit_report(report, actor=people["lead"])
    with pytest.raises(DomainError) as refused:
        project_services.return_report(report, actor=people["lead"], comment="字" * (TEXT_NOTE + 1))
    assert refused.value.field == "review_comment"
    report.refresh_from_db()
    assert (report.state, report.review_comment) == (ProgressReport.State.SUBMITTED, "")
