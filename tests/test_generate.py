"""`onestop generate` (issue 16 §7): a seeded, skewed benchmark volume written with bulk inserts.

The records skip the services, so these tests check what the services would have guaranteed:
the pages open on them, a client sees only their own, states agree along the path, codes are
in the house format and the numbering continues past them, and the same seed gives the same data.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from onestop.accounts.models import ClientContact, ClientOrganization, User
from onestop.contracts.models import Contract, PaymentInstalment
from onestop.contracts.states import ContractState
from onestop.core.generate import generate
from onestop.core.numbering import next_code
from onestop.engagements.models import Engagement, Inquiry
from onestop.engagements.states import EngagementStage as Stage
from onestop.engagements.states import ProposalStatus
from onestop.plans.models import Plan
from onestop.plans.states import PlanVersionState
from onestop.projects.models import Milestone, ProgressReport, ProgressRow, Project, Task
from onestop.projects.states import ProgressReportState
from onestop.quality.models import Inspection
from onestop.settlement.models import Payment

SMALL = 200

LISTED = [
    Engagement,
    Plan,
    Contract,
    PaymentInstalment,
    Project,
    Task,
    Milestone,
    ClientOrganization,
    ClientContact,
]
CLIENT_LISTED = [Engagement, Contract, Project]


@pytest.fixture
def generated(db):
    return generate(SMALL, seed=7)


def snapshot(seed: int) -> list[tuple]:
    """What a run with ``seed`` makes, rolled back afterwards."""

    class Rollback(Exception):
        pass

    rows = []
    try:
        with transaction.atomic():
            generate(SMALL, seed=seed)
            rows = list(
                Engagement.objects.order_by("code").values_list("code", "client__code", "stage", "title")
            )
            rows += list(Project.objects.order_by("code").values_list("code", "project_lead__username"))
            raise Rollback
    except Rollback:
        return rows


def test_the_counts_reported_are_the_rows_in_the_database(generated):
    counts = generated.counts
    assert Engagement.objects.count() == counts["engagements"] == SMALL
    assert Inquiry.objects.count() == SMALL
    assert ClientOrganization.objects.count() == counts["client organisations"] == SMALL // 50
    assert Project.objects.count() == counts["projects"] == Plan.objects.count() == Contract.objects.count()
    assert Task.objects.count() == counts["tasks"]
    assert ProgressRow.objects.count() == counts["progress rows"] > 0
    confirmed = Engagement.objects.filter(stage=Stage.CONFIRMED).count()
    assert confirmed == counts["projects"] and 0.04 * SMALL < confirmed < 0.2 * SMALL
    assert Engagement.objects.filter(stage__in=[Stage.INQUIRY, Stage.OUT_OF_SCOPE, Stage.WITHDRAWN]).exists()


def test_codes_are_in_the_house_format_and_the_numbering_continues_past_them(generated):
    assert Inspection.objects.exists() and Payment.objects.exists()
    kinds = [(Engagement, "OS"), (Plan, "PLN"), (Contract, "CT"), (Project, "PJ"), (Inspection, "QI")]
    for model, prefix in kinds:
        codes = list(model.objects.values_list("code", flat=True))
        assert all(re.fullmatch(rf"{prefix}-20\d\d-\d{{5}}", code) for code in codes), prefix
        # Gap-free per year, as the real numbering gives them.
        by_year = {}
        for code in codes:
            by_year.setdefault(code.split("-")[1], []).append(int(code.split("-")[2]))
        assert all(sorted(numbers) == list(range(1, len(numbers) + 1)) for numbers in by_year.values()), (
            prefix
        )
        latest = max(codes)
        year = int(latest.split("-")[1])
        assert next_code(prefix, year=year) > latest


def test_states_agree_along_the_path(generated):
    for e in Engagement.objects.filter(stage=Stage.CONFIRMED).select_related(
        "agreed_proposal", "plan__effective_version", "contract", "project"
    ):
        assert e.agreed_proposal.status == ProposalStatus.ACCEPTED and e.agreed_proposal.engagement_id == e.pk
        assert e.plan.effective_version.state == PlanVersionState.APPROVED
        assert (
            e.contract.state == ContractState.SIGNED
            and e.contract.plan_version_id == e.plan.effective_version_id
        )
        assert e.project.contract_id == e.contract.pk and e.project.project_lead_id == e.plan.project_lead_id
        assert e.received_at < e.confirmed_at < e.contract.signed_at
    assert not Plan.objects.exclude(engagement__stage=Stage.CONFIRMED).exists()
    for e in Engagement.objects.filter(stage__in=[Stage.OUT_OF_SCOPE, Stage.WITHDRAWN]):
        assert e.closed_at is not None and e.holder_id is None
    reviewed = ProgressReport.objects.filter(state=ProgressReportState.REVIEWED)
    assert not reviewed.filter(reviewed_at__isnull=True).exists()
    for row in ProgressRow.objects.select_related("report", "task", "milestone")[:500]:
        assert (row.task or row.milestone).project_id == row.report.project_id


def test_every_list_page_opens_for_management_and_a_client_sees_only_their_own(generated, client):
    manager = User.objects.get(username="gen.mgmt001")
    client.force_login(manager)
    for model in LISTED:
        response = client.get(reverse(model.url_name("list")))
        assert response.status_code == 200, model
    page = client.get(reverse(Engagement.url_name("list")), {"per_page": 100}).content.decode()
    assert Engagement.objects.order_by("-received_at").first().code in page
    # The pages of a record on the whole path open too, though it was never made by the services.
    project = Project.objects.filter(tasks__isnull=False, progress_reports__isnull=False).first()
    for record in [project.engagement, project.engagement.plan, project.contract, project]:
        assert client.get(record.get_absolute_url()).status_code == 200, record
    for stage in [Stage.INQUIRY, Stage.CONFIRMATION, Stage.OUT_OF_SCOPE]:
        engagement = Engagement.objects.filter(stage=stage).first()
        assert client.get(engagement.get_absolute_url()).status_code == 200, stage

    # The portal user of the client with the most engagements.
    top = max(ClientOrganization.objects.all(), key=lambda org: org.engagements.count())
    portal_user = User.objects.get(client_organization=top)
    client.force_login(portal_user)
    for model in CLIENT_LISTED:
        assert client.get(reverse(model.url_name("list"))).status_code == 200, model
    page = client.get(reverse(Engagement.url_name("list")), {"per_page": 100}).content.decode()
    own = set(top.engagements.values_list("code", flat=True))
    assert any(code in page for code in own)
    others = Engagement.objects.exclude(client=top).values_list("code", flat=True)
    assert not [code for code in others if code in page]
    project = Project.objects.filter(engagement__client=top).first() or Project.objects.first()
    expected = 200 if project.engagement.client_id == top.pk else 404
    assert client.get(project.get_absolute_url()).status_code == expected


def test_the_same_seed_gives_the_same_codes_and_another_seed_other_data(db):
    first, again, other = snapshot(3), snapshot(3), snapshot(4)
    assert first and first == again
    assert first != other


def test_a_second_run_refuses_without_force_and_continues_the_codes_with_it(generated):
    with pytest.raises(CommandError, match="already has engagements"):
        call_command("generate", "--engagements", "10")
    before = set(Engagement.objects.values_list("code", flat=True))
    call_command("generate", "--engagements", "50", "--force", stdout=io.StringIO())
    after = set(Engagement.objects.values_list("code", flat=True))
    assert len(after) == SMALL + 50 and before < after
    assert User.objects.filter(username="gen2.mgmt001").exists()
