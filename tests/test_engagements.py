"""INT-1..3, X-1, X-2, X-3: the engagement spine and intake, through HTTP as users do it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django_fsm_log.models import StateLog
from rest_framework.test import APIClient

from onestop.core import signatures
from onestop.core.exceptions import ConflictError, DomainError
from onestop.core.roles import Role
from onestop.engagements import services
from onestop.engagements.documents import confirmation_form
from onestop.engagements.models import Channel, Engagement, Proposal
from onestop.notifications.models import Deadline, Notification
from tests.factories import PASSWORD, ClientContactFactory, DepartmentFactory
from tests.generic import ModelTestBase
from tests.workflow import run_concurrently


@pytest.fixture
def technician(make_user):
    head = make_user(Role.TECHNICIAN, username="rnd.head")
    department = DepartmentFactory(name="技術研發部", head=head)
    return make_user(Role.TECHNICIAN, username="tech", full_name="張偉", department=department)


@pytest.fixture
def contact_a(org_a):
    return ClientContactFactory(
        organization=org_a, name="陳建華", email="chen@a.example", mobile="138 0000 0001"
    )


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


TERMS = {
    "service_content": "生產線數據採集平台建設",
    "technical_requirements": "支援 200 台設備，延遲小於 1 秒",
    "period_start": "2027-01-04",
    "period_end": "2027-06-30",
    "fee": "480000.00",
    "currency": "CNY",
    "note": "首輪報價",
}


def new_engagement(cs_user, org_a, contact_a, **extra):
    inquiry = services.record_inquiry(
        actor=cs_user,
        client=org_a,
        contact=contact_a,
        channel=Channel.PHONE,
        subject="產線數據採集",
        need="希望把 200 台設備的運行數據集中採集並可視化。",
        **extra,
    )
    return inquiry.engagement


def in_confirmation(cs_user, technician, org_a, contact_a):
    engagement = new_engagement(cs_user, org_a, contact_a, technician=technician)
    services.assess_in_scope(
        engagement,
        actor=technician,
        service_goals="集中採集與可視化",
        technical_requirements="200 台設備、秒級延遲",
    )
    return engagement


# --- the full intake path through the API -----------------------------------------------------------


def test_INT_1_2_3_the_full_intake_path_through_the_api(
    cs_user, technician, client_a, org_a, contact_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # INT-1: customer service records a phone inquiry…
        response = api(cs_user).post(
            "/api/engagements/",
            {
                "client": org_a.pk,
                "contact": contact_a.pk,
                "channel": "phone",
                "subject": "產線數據採集",
                "need": "希望把 200 台設備的運行數據集中採集並可視化。",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["code"].startswith("OS-") and body["stage"] == "inquiry"
        assert body["holder"] == cs_user.pk
        pk = body["id"]
        # …and forwards it to a technician, who is notified and holds the ball.
        response = api(cs_user).post(
            f"/api/engagements/{pk}/forward/", {"technician": technician.pk}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["stage"] == "assessment"
        assert response.json()["holder"] == technician.pk
        assert Notification.objects.filter(recipient=technician, level="action").exists()
        assert Deadline.objects.open().filter(responsible=technician).exists()
        engagement = Engagement.objects.get(pk=pk)
        assert engagement.time_to_forward is not None

        # INT-2: the technician assesses it in scope.
        response = api(technician).post(
            f"/api/engagements/{pk}/assess/",
            {
                "in_scope": True,
                "service_goals": "集中採集與可視化",
                "technical_requirements": "200 台設備、秒級延遲",
                "requested_deadline": "2027-06-30",
            },
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["stage"] == "confirmation"

        # INT-3: proposal → client counter-proposal in the portal → agreement.
        response = api(technician).post(f"/api/engagements/{pk}/propose/", TERMS, format="json")
        assert response.status_code == 201, response.json()
        counter = {**TERMS, "fee": "450000.00", "period_end": "2027-07-31", "note": "預算有限，請延長工期"}
        response = api(client_a).post(f"/api/engagements/{pk}/propose/", counter, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["round"] == 2 and response.json()["party"] == "client"
        response = api(technician).post(f"/api/engagements/{pk}/accept/", {"round": 2}, format="json")
        assert response.status_code == 200, response.json()

        # Both sign; the last signature confirms the requirement and unlocks the plan stage.
        response = api(technician).post(
            f"/api/engagements/{pk}/sign/", {"role": "technician", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["stage"] == "confirmation"
        response = api(client_a).post(
            f"/api/engagements/{pk}/sign/", {"role": "client", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["stage"] == "confirmed"

    engagement.refresh_from_db()
    assert engagement.agreed_proposal.fee == Decimal("450000.00")
    assert signatures.is_fully_signed(confirmation_form(), engagement)
    log = [
        (entry.source_state, entry.state, entry.by_id)
        for entry in StateLog.objects.for_(engagement).order_by("pk")
    ]
    assert log == [
        ("inquiry", "assessment", cs_user.pk),
        ("assessment", "confirmation", technician.pk),
        ("confirmation", "confirmed", client_a.pk),
    ]
    proposals = api(client_a).get(f"/api/engagements/{pk}/proposals/").json()
    assert proposals["count"] == 2  # paginated like every list that grows
    assert [(p["round"], p["status"]) for p in proposals["results"]] == [(1, "countered"), (2, "accepted")]


def test_INT_3_the_confirmation_pdf_names_the_client_the_agreed_fee_and_both_signers(
    client, cs_user, technician, client_a, org_a, contact_a
):
    import shutil
    import subprocess

    engagement = in_confirmation(cs_user, technician, org_a, contact_a)
    services.propose(
        engagement,
        actor=technician,
        **{
            **TERMS,
            "period_start": date(2027, 1, 4),
            "period_end": date(2027, 6, 30),
            "fee": Decimal("480000"),
        },
    )
    services.accept_proposal(engagement.proposals.get(), actor=client_a)
    services.sign_confirmation(engagement, actor=technician, role="technician", password=PASSWORD)
    services.sign_confirmation(engagement, actor=client_a, role="client", password=PASSWORD)
    client.force_login(client_a)
    url = reverse("core:document_pdf", args=["engagements.engagement", engagement.pk, "confirmation"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert org_a.name in text
    assert "480,000" in text or "480000" in text
    assert technician.display_name in text and client_a.display_name in text
    assert "一站式技術服務需求確認單" in text


def test_INT_2_out_of_scope_closes_with_a_reply_the_client_sees(
    client, cs_user, technician, client_a, org_a, contact_a, django_capture_on_commit_callbacks
):
    engagement = new_engagement(cs_user, org_a, contact_a, technician=technician)
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(technician)
        response = client.post(
            reverse("engagements:engagement_assess", args=[engagement.pk]),
            {
                "decision": "out_of_scope",
                "reason": "屬於硬件製造，不在本公司服務範圍。",
                "suggestions": "建議聯繫設備原廠；本公司可提供後續的數據平台服務。",
            },
        )
        assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.OUT_OF_SCOPE
    assert engagement.closed_at and engagement.reply_sent_at
    assert any("chen@a.example" in message.to for message in mail.outbox)
    client.force_login(client_a)
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert "建議聯繫設備原廠" in page
    assert Notification.objects.filter(recipient=client_a).exists()


def test_INT_2_out_of_scope_without_a_reason_is_refused(client, cs_user, technician, org_a, contact_a):
    engagement = new_engagement(cs_user, org_a, contact_a, technician=technician)
    client.force_login(technician)
    response = client.post(
        reverse("engagements:engagement_assess", args=[engagement.pk]), {"decision": "out_of_scope"}
    )
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.ASSESSMENT


# --- the browser-facing pages -------------------------------------------------------------------------


def test_INT_1_customer_service_records_a_phone_inquiry_with_the_quick_entry_form(
    client, cs_user, technician, org_a, contact_a
):
    client.force_login(cs_user)
    assert client.get(reverse("engagements:engagement_add")).status_code == 200
    lookup = client.get(reverse("engagements:client_lookup"), {"lookup": "138 0000"}).content.decode()
    assert "陳建華" in lookup
    response = client.post(
        reverse("engagements:engagement_add"),
        {
            "client": org_a.pk,
            "contact": contact_a.pk,
            "channel": "phone",
            "subject": "機房監控",
            "need": "需要 7x24 機房環境監控。",
            "technician": technician.pk,
        },
    )
    assert response.status_code == 302
    engagement = Engagement.objects.get()
    assert engagement.stage == Engagement.Stage.ASSESSMENT  # forwarded at once
    page = client.get(response.url).content.decode()
    assert "機房監控" in page and engagement.code in page


def test_INT_1_a_client_files_an_inquiry_in_the_portal_for_its_own_organisation_only(
    client, client_a, org_a, org_b, cs_user
):
    org_a.account_manager = cs_user
    org_a.save()
    client.force_login(client_a)
    response = client.post(
        reverse("engagements:engagement_add"),
        {"client": org_b.pk, "channel": "phone", "subject": "想要資料治理", "need": "請聯繫我們。"},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    # The portal form always files for the user's own organisation, by the portal channel.
    engagement = Engagement.objects.get()
    assert response.status_code == 302
    assert (engagement.client, engagement.channel, engagement.holder) == (org_a, "portal", cs_user)
    assert Notification.objects.filter(recipient=cs_user, level="action").exists()


def test_INT_3_the_negotiation_view_shows_every_round_and_what_changed(
    client, cs_user, technician, client_a, org_a, contact_a
):
    engagement = in_confirmation(cs_user, technician, org_a, contact_a)
    client.force_login(technician)
    response = client.post(reverse("engagements:engagement_propose", args=[engagement.pk]), TERMS)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(client_a)
    response = client.post(
        reverse("engagements:engagement_propose", args=[engagement.pk]),
        {**TERMS, "fee": "420000", "note": "二輪"},
    )
    assert response.status_code == 302
    client.force_login(technician)
    response = client.post(
        reverse("engagements:engagement_propose", args=[engagement.pk]),
        {**TERMS, "fee": "450000", "note": "三輪"},
    )
    assert response.status_code == 302
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert page.count('data-round="') == 3
    assert "table-warning" in page  # the changed fee is highlighted
    client.force_login(client_a)
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert 'id="accept-round"' in page
    response = client.post(reverse("engagements:engagement_accept", args=[engagement.pk, 3]))
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.agreed_proposal.round == 3


# --- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fee": ""}, "fee"),
        ({"fee": "-100"}, "fee"),
        ({"fee": "0"}, "fee"),
        ({"period_end": "2026-12-01"}, "period_end"),
        ({"currency": "R1"}, "currency"),
    ],
)
def test_INT_3_bad_terms_are_refused_with_a_field_error_and_nothing_changes(
    client, cs_user, technician, org_a, contact_a, change, field
):
    engagement = in_confirmation(cs_user, technician, org_a, contact_a)
    response = api(technician).post(
        f"/api/engagements/{engagement.pk}/propose/", {**TERMS, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    client.force_login(technician)
    response = client.post(
        reverse("engagements:engagement_propose", args=[engagement.pk]), {**TERMS, **change}
    )
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert not Proposal.objects.exists()


def test_X_2_a_transition_from_a_wrong_state_is_refused_clearly(cs_user, technician, org_a, contact_a):
    engagement = new_engagement(cs_user, org_a, contact_a)
    # a technician not (yet) on the engagement does not even see it.
    response = api(technician).post(f"/api/engagements/{engagement.pk}/propose/", TERMS, format="json")
    assert response.status_code == 404
    response = api(cs_user).post(
        f"/api/engagements/{engagement.pk}/assess/", {"in_scope": True}, format="json"
    )
    assert response.status_code == 403
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.INQUIRY
    services.forward(engagement, actor=cs_user, technician=technician)
    response = api(cs_user).post(
        f"/api/engagements/{engagement.pk}/forward/", {"technician": technician.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_possible_now"
    assert response.json()["detail"]


def test_X_2_nobody_signs_before_the_terms_are_agreed(cs_user, technician, org_a, contact_a):
    engagement = in_confirmation(cs_user, technician, org_a, contact_a)
    response = api(technician).post(
        f"/api/engagements/{engagement.pk}/sign/", {"role": "technician", "password": PASSWORD}, format="json"
    )
    assert response.status_code in (400, 403)
    assert not signatures.signatures_for(engagement).exists()


def test_X_2_the_requirement_is_confirmed_only_with_both_signatures(
    cs_user, technician, client_a, org_a, contact_a
):
    engagement = in_confirmation(cs_user, technician, org_a, contact_a)
    proposal = services.propose(
        engagement,
        actor=technician,
        **{**TERMS, "period_start": date(2027, 1, 4), "period_end": date(2027, 6, 30), "fee": Decimal("1")},
    )
    services.accept_proposal(proposal, actor=client_a)
    services.sign_confirmation(engagement, actor=technician, role="technician", password=PASSWORD)
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.CONFIRMATION
    with pytest.raises(Exception):  # noqa: B017  the technician cannot sign for the client
        services.sign_confirmation(engagement, actor=technician, role="client", password=PASSWORD)
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.CONFIRMATION


def test_a_party_cannot_accept_its_own_proposal(cs_user, technician, org_a, contact_a):
    engagement = in_confirmation(cs_user, technician, org_a, contact_a)
    proposal = services.propose(
        engagement,
        actor=technician,
        **{**TERMS, "period_start": date(2027, 1, 4), "period_end": date(2027, 6, 30), "fee": Decimal("10")},
    )
    with pytest.raises(DomainError):
        services.accept_proposal(proposal, actor=technician)


# --- access -------------------------------------------------------------------------------------------


def test_X_3_client_a_cannot_see_or_act_on_client_bs_engagement(
    client, cs_user, technician, client_b, org_a, contact_a
):
    engagement = in_confirmation(cs_user, technician, org_a, contact_a)
    client.force_login(client_b)
    assert client.get(engagement.get_absolute_url()).status_code == 404
    assert engagement.code not in client.get(reverse("engagements:engagement_list")).content.decode()
    assert (
        client.post(reverse("engagements:engagement_propose", args=[engagement.pk]), TERMS).status_code == 404
    )
    assert api(client_b).get(f"/api/engagements/{engagement.pk}/").status_code == 404
    assert (
        api(client_b).post(f"/api/engagements/{engagement.pk}/propose/", TERMS, format="json").status_code
        == 404
    )
    assert api(client_b).get("/api/engagements/").json()["count"] == 0
    pdf = reverse("core:document_pdf", args=["engagements.engagement", engagement.pk, "confirmation"])
    assert client.get(pdf).status_code == 404


def test_X_1_the_engagement_page_shows_stages_holder_and_timeline(
    client, cs_user, technician, org_a, contact_a
):
    engagement = in_confirmation(cs_user, technician, org_a, contact_a)
    client.force_login(cs_user)
    page = client.get(engagement.get_absolute_url()).content.decode()
    for text in ("app-stage", 'id="timeline"', technician.display_name, engagement.code):
        assert text in page
    assert page.count("data-span=") == 3  # inquiry, assessment, confirmation (current)


def test_the_engagement_list_runs_a_fixed_number_of_queries(client, cs_user, technician, org_a, contact_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cs_user)
    for _ in range(3):
        new_engagement(cs_user, org_a, contact_a)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("engagements:engagement_list"), {"per_page": 100})
    for _ in range(20):
        new_engagement(cs_user, org_a, contact_a)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("engagements:engagement_list"), {"per_page": 100})
    assert len(few) == len(many)


# --- concurrency ------------------------------------------------------------------------------------------

concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@concurrent
def test_INT_3_two_people_accepting_at_once_give_one_agreement_and_one_conflict(personas, make_user):
    technician = make_user(Role.TECHNICIAN, username="tech2")
    client_a, cs_user = personas["client_a"], personas["cs"]
    org_a = client_a.client_organization
    contact = ClientContactFactory(organization=org_a)
    engagement = in_confirmation(cs_user, technician, org_a, contact)
    proposal = services.propose(
        engagement,
        actor=technician,
        **{**TERMS, "period_start": date(2027, 1, 4), "period_end": date(2027, 6, 30), "fee": Decimal("99")},
    )
    second_client = make_user(Role.CLIENT, username="client.a2", client_organization=org_a)

    def accept_as(user):
        def prepare():
            fresh = Proposal.objects.get(pk=proposal.pk)
            return lambda: services.accept_proposal(fresh, actor=user)

        return prepare

    _results, errors = run_concurrently(accept_as(client_a), accept_as(second_client))
    assert sum(error is None for error in errors) == 1, errors
    assert sum(isinstance(error, ConflictError) for error in errors) == 1, errors
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.ACCEPTED


@concurrent
def test_INT_3_two_concurrent_signatures_in_one_role_give_one_signature(personas, make_user):
    technician = make_user(Role.TECHNICIAN, username="tech3")
    client_a, cs_user = personas["client_a"], personas["cs"]
    org_a = client_a.client_organization
    engagement = in_confirmation(cs_user, technician, org_a, ClientContactFactory(organization=org_a))
    proposal = services.propose(
        engagement,
        actor=technician,
        **{**TERMS, "period_start": date(2027, 1, 4), "period_end": date(2027, 6, 30), "fee": Decimal("99")},
    )
    services.accept_proposal(proposal, actor=client_a)
    second_client = make_user(Role.CLIENT, username="client.a3", client_organization=org_a)

    def sign_as(user):
        def prepare():
            fresh = Engagement.objects.get(pk=engagement.pk)
            return lambda: services.sign_confirmation(fresh, actor=user, role="client", password=PASSWORD)

        return prepare

    _results, errors = run_concurrently(sign_as(client_a), sign_as(second_client))
    assert sum(error is None for error in errors) == 1, errors
    assert isinstance(next(e for e in errors if e is not None), DomainError)
    assert signatures.signatures_for(engagement).filter(role="client").count() == 1


# --- generic pages ------------------------------------------------------------------------------------------


class TestEngagement(ModelTestBase):
    model = Engagement
    manager = "cs"
    deletable = False
    viewer = "finance"
    outsider = "client_b"
    invalid_field = "client"

    def make_object(self, personas, index=0):
        org = personas["client_a"].client_organization
        return services.record_inquiry(
            actor=personas["cs"], client=org, channel=Channel.PHONE, subject=f"諮詢{index}", need="需求描述"
        ).engagement

    def create_data(self, personas):
        return {
            "client": personas["client_a"].client_organization_id,
            "channel": "phone",
            "subject": "新的諮詢",
            "need": "希望建設數據平台",
        }

    def api_create_data(self, personas):
        return self.create_data(personas)

    def update_data(self, obj, personas):
        # Moved to another client (recorded under the wrong one): a change that needs a reason.
        return {"title": obj.title + "（更新）", "client": personas["client_b"].client_organization_id}

    def api_update_data(self, obj, personas):
        return {"title": obj.title + "（更新）"}  # the API keeps the client (read-only there)

    def invalid_data(self, personas):
        return {"client": 999999, "channel": "fax", "subject": "", "need": ""}


def test_deadline_to_forward_is_set_when_an_inquiry_arrives(cs_user, org_a, contact_a):
    engagement = new_engagement(cs_user, org_a, contact_a)
    deadline = Deadline.objects.open().get()
    assert deadline.responsible == cs_user
    assert deadline.due_at - engagement.received_at == timedelta(hours=4)


def test_a_request_is_withdrawn_only_with_a_reason(client, cs_user, technician, org_a, contact_a):
    """The ``withdraw`` transition, through the engagement page's own form."""
    engagement = new_engagement(cs_user, org_a, contact_a, technician=technician)
    client.force_login(cs_user)
    response = client.post(reverse("engagements:engagement_withdraw", args=[engagement.pk]), {"comment": ""})
    # Refused on the engagement page itself, the withdraw form open with the field marked.
    page = response.content.decode()
    assert response.status_code == 400 and 'id="withdraw" open' in page and "is-invalid" in page
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.ASSESSMENT
    client.post(reverse("engagements:engagement_withdraw", args=[engagement.pk]), {"comment": "客戶取消需求"})
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.WITHDRAWN
    assert not Deadline.objects.open().exists()


def test_service_only_transitions_are_not_offered_or_accepted_generically(
    client, cs_user, technician, org_a, contact_a
):
    """forward, accept_scope, decline, confirm and withdraw need the service's input and side effects."""
    engagement = new_engagement(cs_user, org_a, contact_a, technician=technician)
    client.force_login(technician)
    for name in ("forward", "accept_scope", "decline", "confirm", "withdraw"):
        url = reverse("core:transition", args=["engagements.engagement", engagement.pk, name])
        assert client.post(url, {"comment": "x"}).status_code == 404
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.ASSESSMENT


def test_INT_1_a_follow_up_inquiry_joins_its_engagement_and_notifies_the_holder(
    cs_user, technician, client_a, org_a, contact_a
):
    from onestop.engagements.models import Inquiry

    engagement = new_engagement(cs_user, org_a, contact_a, technician=technician)
    services.record_inquiry(
        actor=client_a,
        client=org_a,
        channel=Channel.PORTAL,
        subject="補充",
        need="設備型號清單已上傳",
        engagement=engagement,
    )
    assert Inquiry.objects.filter(engagement=engagement).count() == 2
    assert Notification.objects.filter(recipient=technician, title__contains=engagement.code).exists()
    rows = api(client_a).get(f"/api/engagements/{engagement.pk}/inquiries/").json()["results"]
    assert rows[0]["subject"] == "補充"  # newest first
    assert Inquiry.objects.get(subject="補充").contact_email == ""  # nothing invented for the client


def test_INT_3_a_counter_proposal_gives_the_technician_a_deadline_closed_by_the_answer(
    cs_user, technician, client_a, org_a, contact_a
):
    engagement = in_confirmation(cs_user, technician, org_a, contact_a)
    terms = {
        **TERMS,
        "period_start": date(2027, 1, 4),
        "period_end": date(2027, 6, 30),
        "fee": Decimal("500"),
    }
    services.propose(engagement, actor=technician, **terms)
    counter = services.propose(engagement, actor=client_a, **{**terms, "fee": Decimal("450")})
    deadline = Deadline.objects.open().get(responsible=technician)
    assert engagement.code in deadline.title
    services.accept_proposal(counter, actor=technician)
    assert not Deadline.objects.open().filter(pk=deadline.pk).exists()


def test_INT_3_my_work_asks_the_client_to_answer_and_then_to_sign(
    client, cs_user, technician, client_a, org_a, contact_a
):
    engagement = in_confirmation(cs_user, technician, org_a, contact_a)
    terms = {
        **TERMS,
        "period_start": date(2027, 1, 4),
        "period_end": date(2027, 6, 30),
        "fee": Decimal("500"),
    }
    proposal = services.propose(engagement, actor=technician, **terms)
    client.force_login(client_a)
    assert engagement.code in client.get(reverse("home")).content.decode()
    services.accept_proposal(proposal, actor=client_a)
    services.sign_confirmation(engagement, actor=technician, role="technician", password=PASSWORD)
    engagement.refresh_from_db()
    assert engagement.holder is None  # waiting for the client's signature
    assert engagement.code in client.get(reverse("home")).content.decode()
    services.sign_confirmation(engagement, actor=client_a, role="client", password=PASSWORD)
    assert engagement.code not in client.get(reverse("home")).content.decode()


def test_X_3_clients_see_neither_internal_hand_over_notes_nor_the_audit_trail(
    client, cs_user, technician, client_a, org_a, contact_a
):
    engagement = new_engagement(cs_user, org_a, contact_a)
    services.forward(engagement, actor=cs_user, technician=technician, comment="這家客戶付款慢，報價注意")
    client.force_login(client_a)
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert "付款慢" not in page
    assert client.get(reverse("engagements:engagement_history", args=[engagement.pk])).status_code == 404
    client.force_login(cs_user)
    assert "付款慢" in client.get(engagement.get_absolute_url()).content.decode()


def test_X_4_a_long_reason_is_kept_whole_in_the_log_and_shortened_in_the_history(
    cs_user, technician, org_a, contact_a
):
    engagement = new_engagement(cs_user, org_a, contact_a, technician=technician)
    reason = "客戶來電說明：" + "因集團預算調整，本年度所有信息化項目暫停，" * 8
    services.withdraw(engagement, actor=cs_user, comment=reason)
    assert StateLog.objects.for_(engagement).latest("pk").description == reason
    assert len(engagement.history.latest().history_change_reason) <= 100


# --- references across client organisations (issue 10, item 4) ---------------------------------


def test_the_api_refuses_a_contact_of_another_client_organisation(cs_user, org_a, org_b, contact_a):
    engagement = new_engagement(cs_user, org_a, contact_a)
    contact_b = ClientContactFactory(organization=org_b, name="乙方聯絡人")
    response = api(cs_user).patch(
        f"/api/engagements/{engagement.pk}/", {"contact": contact_b.pk}, format="json"
    )
    assert response.status_code == 400
    assert "contact" in response.json()["errors"], response.json()
    engagement.refresh_from_db()
    assert engagement.contact == contact_a


def test_the_edit_page_refuses_a_contact_of_another_client_organisation(
    client, cs_user, org_a, org_b, contact_a
):
    engagement = new_engagement(cs_user, org_a, contact_a)
    contact_b = ClientContactFactory(organization=org_b, name="乙方聯絡人")
    client.force_login(cs_user)
    response = client.post(
        reverse("engagements:engagement_edit", args=[engagement.pk]),
        {"title": engagement.title, "client": org_a.pk, "contact": contact_b.pk},
    )
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.contact == contact_a


@pytest.mark.parametrize("forwarded", [False, True])
def test_the_edit_page_offers_only_the_clients_own_contacts(
    client, cs_user, technician, org_a, org_b, contact_a, forwarded
):
    engagement = new_engagement(
        cs_user, org_a, contact_a, **({"technician": technician} if forwarded else {})
    )
    contact_b = ClientContactFactory(organization=org_b, name="乙方聯絡人")
    client.force_login(cs_user)
    page = client.get(reverse("engagements:engagement_edit", args=[engagement.pk])).content.decode()
    assert contact_a.name in page
    assert contact_b.name not in page
