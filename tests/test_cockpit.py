"""The management cockpit and the role dashboards (X-7, G-2): every figure equals the value
worked out by hand from the records built here, each drill-down lists exactly those records,
the queries do not grow with the engagements, and each dashboard shows only what its user may
see."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from onestop.cockpit import reports
from onestop.cockpit.models import ReportSubscription
from onestop.contracts.models import PaymentInstalment
from onestop.core.roles import Role
from onestop.engagements.models import Channel, Engagement
from onestop.engagements.path import downstream
from onestop.feedback import services as feedback
from onestop.notifications.models import Deadline
from onestop.settlement.models import Payment
from tests.bulk import make_many
from tests.generic import ModelTestBase
from tests.stages import make_project, signed_contract, stage_personas

PERIOD = {"start": "2026-01-01", "end": timezone.localdate().isoformat()}


@pytest.fixture
def personas(personas, make_user):
    return stage_personas(personas, make_user)


@pytest.fixture(autouse=True)
def english(english):
    """English labels in the answers (tests/conftest.py)."""
    yield


@pytest.fixture
def boss(personas):
    return personas["management"]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def tile(user, key, **params):
    response = api(user).get(f"/api/cockpit/tiles/{key}/", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def kpis(data) -> dict:
    return {figure["key"]: figure["value"] for figure in data["kpis"]}


def table(data, key) -> list[list]:
    return [row["cells"] for row in next(t for t in data["tables"] if t["key"] == key)["rows"]]


def drilled(user, key, drill, value=None, **params) -> list:
    query = {**PERIOD, **params, **({"value": value} if value else {})}
    response = api(user).get(f"/api/cockpit/tiles/{key}/drill/{drill}/", {**query, "page_size": 200})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def engagement(personas, code, stage=Engagement.Stage.INQUIRY, **fields):
    return Engagement.objects.create(
        code=code,
        title=f"案件{code}",
        client=personas["client_a"].client_organization,
        channel=Channel.PHONE,
        stage=stage,
        **fields,
    )


def days_ago(n: float):
    return timezone.now() - timedelta(days=n)


# --- the pipeline ---------------------------------------------------------------------------


def test_X_7_the_funnel_counts_the_engagements_and_their_value_at_each_stage(personas, boss):
    for index in range(3):
        engagement(personas, f"OS-Q-{index}")
    for index in range(2):
        engagement(personas, f"OS-A-{index}", Engagement.Stage.ASSESSMENT)
    engagement(personas, "OS-X-0", Engagement.Stage.OUT_OF_SCOPE)
    signed_contract(personas, 1, fee=Decimal("250000.00"))  # plan approved, contract signed: implementation

    data = tile(boss, "pipeline")
    rows = {row[0]: row[1:] for row in table(data, "stages")}
    assert rows[str(Engagement.Stage.INQUIRY.label)] == [3, 0]
    assert rows[str(Engagement.Stage.ASSESSMENT.label)] == [2, 0]
    assert rows[str(Engagement.Stage.OUT_OF_SCOPE.label)] == [1, 0]
    assert rows[dict(downstream())["implementation"]] == [1, 250000.0]
    assert kpis(data)["received"] == 7

    inquiry = drilled(boss, "pipeline", "stage", Engagement.Stage.INQUIRY)
    assert sorted(row["cells"]["engagement number"] for row in inquiry) == ["OS-Q-0", "OS-Q-1", "OS-Q-2"]


# --- cycle times ----------------------------------------------------------------------------


def test_X_7_cycle_time_per_stage_is_the_nearest_rank_median_and_90th_percentile(personas, boss):
    # Inquiry (received → forwarded): 1, 2, 3, 4 and 10 days → median rank 3 = 3 days, p90 rank 5 = 10.
    for index, length in enumerate((4, 1, 10, 3, 2)):
        engagement(
            personas,
            f"OS-C-{index}",
            Engagement.Stage.ASSESSMENT,
            received_at=days_ago(20 + length),
            forwarded_at=days_ago(20),
        )
    # The contract (drafted → signed) of two engagements: 7 and 3 days → median 3, p90 7.
    for index, length in ((1, 7), (2, 3)):
        contract = signed_contract(personas, index)
        type(contract).objects.filter(pk=contract.pk).update(
            created_at=days_ago(30 + length), signed_at=days_ago(30)
        )

    rows = {row[0]: row[1:] for row in table(tile(boss, "cycle"), "cycle")}
    assert rows[str(Engagement.Stage.INQUIRY.label)] == [5, 3.0, 10.0]
    assert rows[dict(downstream())["contract"]] == [2, 3.0, 7.0]

    listed = drilled(boss, "cycle", "stage", "contract")
    assert {row["cells"]["Days"] for row in listed} == {7.0, 3.0}


# --- on time --------------------------------------------------------------------------------


def test_X_7_on_time_rate_of_milestones_and_hand_offs(personas, boss):
    first = make_project(personas, 1)
    second = make_project(personas, 2)
    early, late = first.milestones.order_by("planned_date")  # 2026-02-28 and 2026-06-30
    type(early).objects.filter(pk=early.pk).update(completed_on=date(2026, 2, 27))
    type(late).objects.filter(pk=late.pk).update(completed_on=date(2026, 7, 5))
    # The second project completed nothing: both its milestones are late.

    data = tile(boss, "on_time")
    assert kpis(data)["milestones"] == 25.0  # 1 of 4
    assert kpis(data)["milestones_late"] == 3
    late_rows = drilled(boss, "on_time", "milestones", "late")
    assert sorted(row["id"] for row in late_rows) == sorted(
        [late.pk, *second.milestones.values_list("pk", flat=True)]
    )

    target = ContentType.objects.get_for_model(Engagement)
    for title, due, closed in (
        ("on time", days_ago(10), days_ago(11)),
        ("closed late", days_ago(10), days_ago(8)),
        ("still open", days_ago(5), None),
    ):
        Deadline.objects.create(
            title=title,
            target_type=target,
            target_id=first.engagement_id,
            due_at=due,
            closed_at=closed,
            responsible=personas["cs"],
        )
    data = tile(boss, "on_time")
    assert kpis(data)["handoffs"] == 33.3
    assert sorted(row["cells"]["title"] for row in drilled(boss, "on_time", "handoffs", "late")) == [
        "closed late",
        "still open",
    ]


# --- revenue and receivables ----------------------------------------------------------------


def schedule(contract, *instalments):
    PaymentInstalment.objects.filter(contract=contract).delete()
    for number, (amount, due) in enumerate(instalments, start=1):
        PaymentInstalment.objects.create(
            contract=contract, number=number, amount=Decimal(amount), due_date=due
        )


def test_X_7_revenue_and_the_receivables_ageing_buckets(personas, boss):
    today = timezone.localdate()
    first = signed_contract(personas, 1, fee=Decimal("300000.00"))
    schedule(first, ("100000", today - timedelta(days=45)), ("200000", today + timedelta(days=10)))
    Payment.objects.create(
        contract=first,
        direction=Payment.Direction.RECEIVED,
        paid_on=today - timedelta(days=2),
        amount=Decimal("30000"),
        method="transfer",
        recorded_by=personas["finance"],
    )
    second = signed_contract(personas, 2, fee=Decimal("50000.00"))
    schedule(second, ("50000", today - timedelta(days=100)))

    data = tile(boss, "revenue")
    assert kpis(data)["contracted"] == 350000.0
    assert kpis(data)["received"] == 30000.0
    buckets = {row[0]: row[1] for row in table(data, "ageing")}
    assert list(buckets.values()) == [200000.0, 0, 70000.0, 0, 50000.0]  # 30,000 paid the oldest first
    assert kpis(data)["overdue"] == 120000.0
    over_90 = drilled(boss, "revenue", "ageing", "over_90")
    assert [row["cells"]["contract number"] for row in over_90] == [second.code]


# --- satisfaction ---------------------------------------------------------------------------


def test_X_7_G_2_csat_and_nps_from_the_answered_surveys(personas, boss):
    answers = ((5, 10), (4, 9), (3, 7), (2, 3))  # average score, would recommend
    for index, (score, recommend) in enumerate(answers):
        contract = signed_contract(personas, index)
        survey = feedback.invite(contract.engagement, actor=personas["cs"])
        type(survey).objects.filter(pk=survey.pk).update(
            answered_at=days_ago(3),
            would_recommend=recommend,
            **{
                f"score_{aspect}": score
                for aspect in ("service_quality", "timeliness", "communication", "competence", "value")
            },
        )
    data = tile(boss, "satisfaction")
    assert kpis(data)["answered"] == 4
    assert kpis(data)["csat"] == 50.0  # 2 of 4 average 4 or more
    assert kpis(data)["nps"] == 25.0  # (2 promoters − 1 detractor) / 4
    detractors = drilled(boss, "satisfaction", "detractors")
    assert [row["cells"]["would recommend us (0–10)"] for row in detractors] == [3]


# --- access ---------------------------------------------------------------------------------


def test_X_7_only_management_opens_the_cockpit_and_each_role_its_dashboard(client, personas, boss):
    client.force_login(boss)
    assert client.get(reverse("cockpit:cockpit")).status_code == 200
    for name in ("lead", "cs", "finance"):
        client.force_login(personas[name])
        assert client.get(reverse("cockpit:cockpit")).status_code == 403
    client.force_login(personas["lead"])
    assert client.get(reverse("cockpit:dashboard_lead")).status_code == 200
    assert client.get(reverse("cockpit:dashboard_finance")).status_code == 403
    client.force_login(personas["client_a"])
    assert client.get(reverse("cockpit:dashboard_lead")).status_code == 403
    assert api(personas["client_a"]).get("/api/cockpit/tiles/pipeline/").status_code == 403


def test_X_7_the_lead_dashboard_counts_only_the_leads_own_engagements(personas, boss, make_user):
    other = make_user(Role.PROJECT_LEAD, username="lead2")
    mine = make_project(personas, 1, lead=personas["lead"])
    theirs = make_project(personas, 2, lead=other)
    for project in (mine, theirs):
        project.milestones.update(completed_on=date(2026, 2, 1))
    lead_view = tile(personas["lead"], "on_time", dashboard="lead")
    assert {row["id"] for row in drilled(personas["lead"], "on_time", "milestones", dashboard="lead")} == set(
        mine.milestones.values_list("pk", flat=True)
    )
    assert kpis(lead_view)["milestones"] == 100.0
    assert kpis(tile(boss, "on_time"))["milestones"] == 100.0
    assert len(drilled(boss, "on_time", "milestones")) == 4


def test_X_7_filters_narrow_every_figure_to_the_client(personas, boss):
    engagement(personas, "OS-F-0")
    Engagement.objects.create(
        code="OS-F-1", title="別家", client=personas["client_b"].client_organization, channel=Channel.PHONE
    )
    data = tile(boss, "pipeline", client=personas["client_b"].client_organization.pk)
    assert kpis(data)["received"] == 1
    assert (
        api(boss)
        .get("/api/cockpit/tiles/pipeline/", {"start": "2026-05-01", "end": "2026-01-01"})
        .status_code
        == 400
    )


# --- scale ----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, PERIOD)
    assert response.status_code == 200
    return len(queries)


def test_X_7_cockpit_queries_do_not_grow_from_10_to_1000_engagements(client, personas, boss):
    project = make_project(personas, 1)
    seed = engagement(personas, "OS-S-0")
    milestone = project.milestones.first()
    make_many(seed, 9)
    make_many(milestone, 9)
    client.force_login(boss)
    _queries(client, reverse("cockpit:cockpit"))  # caches warmed (content types, the session)
    page_small = _queries(client, reverse("cockpit:cockpit"))
    rest = api(boss)
    _queries(rest, "/api/cockpit/dashboards/management/")
    api_small = _queries(rest, "/api/cockpit/dashboards/management/")
    make_many(engagement(personas, "OS-T-0"), 990)
    make_many(project.milestones.last(), 990)
    assert _queries(client, reverse("cockpit:cockpit")) == page_small
    assert _queries(rest, "/api/cockpit/dashboards/management/") == api_small


def test_X_7_a_role_dashboards_queries_do_not_grow_with_the_engagements(client, personas):
    project = make_project(personas, 1, lead=personas["lead"])
    client.force_login(personas["lead"])
    url = reverse("cockpit:dashboard_lead")
    _queries(client, url)
    small = _queries(client, url)
    make_many(engagement(personas, "OS-L-0"), 990)
    make_many(project.milestones.first(), 990)
    assert _queries(client, url) == small


# --- exports --------------------------------------------------------------------------------


def test_X_7_each_table_and_drill_down_exports_to_csv_and_excel(client, personas, boss):
    for index in range(2):
        engagement(personas, f"OS-E-{index}")
    client.force_login(boss)
    url = reverse("cockpit:table_export", args=["management", "pipeline", "stages", "csv"])
    response = client.get(url, PERIOD)
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Inquiry received,2," in text
    response = client.get(url.replace(".csv", ".xlsx"), PERIOD)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    drill = reverse("cockpit:drill", args=["pipeline", "stage"])
    response = client.get(drill, {**PERIOD, "value": "inquiry", "format": "csv"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and "OS-E-0" in "".join(lines)
    page = client.get(drill, {**PERIOD, "value": "inquiry"})
    assert page.status_code == 200 and "OS-E-1" in page.content.decode()


# --- scheduled reports ------------------------------------------------------------------------


class TestReportSubscription(ModelTestBase):
    model = ReportSubscription
    api_basename = "reportsubscription"
    manager = "management"
    outsider = "hr"
    no_view = "client_a"
    invalid_field = "dashboard"

    def make_object(self, personas, index=0):
        subscriber = personas["management"]
        if index:  # one subscription per person and dashboard: another reader for each
            subscriber = type(subscriber).objects.create(
                username=f"reader{index}", email=f"r{index}@example.com"
            )
        return ReportSubscription.objects.create(subscriber=subscriber, dashboard="management")

    def create_data(self, personas):
        return {
            "subscriber": personas["finance"].pk,
            "dashboard": "finance",
            "frequency": "monthly",
            "is_active": True,
        }

    def update_data(self, obj, personas):
        return {
            "subscriber": obj.subscriber_id,
            "dashboard": obj.dashboard,
            "frequency": obj.frequency,
            "is_active": False,
        }

    def invalid_data(self, personas):
        return {
            "subscriber": personas["hr"].pk,
            "dashboard": "finance",
            "frequency": "weekly",
            "is_active": True,
        }


def test_X_7_scheduled_reports_mail_the_dashboard_as_excel_once_per_period(personas, boss, mailoutbox):
    boss.email = "boss@example.com"
    boss.save()
    engagement(personas, "OS-R-0")
    weekly = ReportSubscription.objects.create(subscriber=boss, dashboard="management", frequency="weekly")
    ReportSubscription.objects.create(subscriber=boss, dashboard="management", frequency="monthly")
    monday = date(2026, 11, 30)
    assert reports.send_due(monday) == 1  # a Monday, not the 1st: the weekly one only
    assert reports.send_due(monday) == 0  # the same period is not sent twice
    message = mailoutbox[-1]
    assert message.to == ["boss@example.com"]
    name, content, mimetype = message.attachments[0]
    assert name == "management-20261123-20261129.xlsx" and mimetype.startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(content))
    assert (
        "各階段案件" in book.sheetnames
    )  # the report in the subscriber's language (zh_Hant): "Pipeline by stage"
    weekly.refresh_from_db()
    assert weekly.last_period_end == date(2026, 11, 29)
    assert reports.send_due(date(2026, 12, 1)) == 1  # the 1st: the monthly one
