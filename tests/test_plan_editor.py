"""PLN-1 (issue 11 §4): the plan editor — rows added and removed freely on one page, bad rows
marked next to the row with the input kept, the staffing picker offering only people who can do
project work with their current load, the budget total against the confirmed fee, and the version's
author being the person who wrote it."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onestop.core.roles import Role
from onestop.plans import forms as plan_forms
from onestop.plans import services
from onestop.plans.models import BudgetLine, Milestone, PlanVersion, StaffAssignment
from onestop.projects.models import ProjectMember
from tests.stages import make_project, stage_personas
from tests.test_plans import api, draft_plan, ready_version
from tests.test_print import text_of


@pytest.fixture(autouse=True)
def english(english):
    yield


@pytest.fixture(autouse=True)
def pdf_cache(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"


@pytest.fixture
def team(make_user):
    return {
        "management": make_user(Role.MANAGEMENT, username="mgmt.chen", full_name="陳志明"),
        "lead": make_user(Role.PROJECT_LEAD, username="pm.zhou", full_name="周建國"),
        "technician": make_user(Role.TECHNICIAN, username="tech.zhang", full_name="張偉"),
        "reviewers": [make_user(Role.REVIEWER, username="expert.zhao", full_name="趙明遠")],
    }


def content(**extra) -> dict:
    return {
        "service_content": "數據採集平台",
        "technical_route": "OPC UA",
        "implementation_steps": "兩期",
        "quality_measures": "評審",
        "period_start": "2027-01-04",
        "period_end": "2027-06-30",
        "fee": "480000.00",
        "currency": "CNY",
        "change_note": "",
        **extra,
    }


def rows(prefix: str, items: list[dict], initial: int = 0) -> dict:
    """A formset's fields: ``items`` in order (each may carry ``id`` and ``DELETE``)."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, item in enumerate(items):
        data.update({f"{prefix}-{index}-{name}": value for name, value in item.items()})
    return data


def milestone(name, due="2027-03-01"):
    return {"name": name, "due_date": due, "deliverables": f"{name}報告"}


def edit_url(version) -> str:
    return reverse("plans:planversion_edit", args=[version.pk])


def test_PLN_1_rows_are_added_and_removed_freely_on_one_page(org_a, team, client):
    version = draft_plan(org_a, team).versions.get()
    client.force_login(team["lead"])
    page = client.get(edit_url(version)).content.decode()
    # No fixed number of empty rows: none stored, none shown; each part adds rows from a template.
    for prefix in ("milestones", "staffing", "budget"):
        assert f'name="{prefix}-TOTAL_FORMS" value="0"' in page
        assert f'id="add-{prefix}"' in page and f'name="{prefix}-__prefix__-' in page
    assert "plan-editor.js" in page
    data = {
        **content(),
        **rows("milestones", [milestone(f"階段{n}", f"2027-0{n}-15") for n in range(1, 6)]),
        **rows("staffing", [{"user": team["lead"].pk, "role": "負責人", "allocation": "50"}]),
        **rows("budget", [{"category": "personnel", "amount": "1000"} for _ in range(7)]),
    }
    response = client.post(edit_url(version), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert version.milestones.count() == 5 and version.budget_lines.count() == 7
    # Remove two stored milestones and add one; the removed ones are gone after the save.
    stored = list(version.milestones.order_by("due_date"))
    items = [
        {"id": m.pk, **milestone(m.name, m.due_date.isoformat()), **({"DELETE": "on"} if i in (1, 3) else {})}
        for i, m in enumerate(stored)
    ]
    items.append(milestone("追加驗收", "2027-06-20"))
    budget = list(version.budget_lines.all())
    data.update(rows("milestones", items, initial=5))
    data.update(
        rows(
            "budget",
            [{"id": b.pk, "category": "personnel", "amount": "1000", "DELETE": "on"} for b in budget[:6]]
            + [{"id": budget[6].pk, "category": "travel", "amount": "2500"}],
            initial=7,
        )
    )
    staff = version.staffing.get()
    data.update(
        rows("staffing", [{"id": staff.pk, "user": team["lead"].pk, "role": "負責人", "allocation": "50"}], 1)
    )
    response = client.post(edit_url(version), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(version.milestones.values_list("name", flat=True)) == sorted(
        ["階段1", "階段3", "階段5", "追加驗收"]
    )
    assert not Milestone.objects.filter(pk__in=[stored[1].pk, stored[3].pk]).exists()
    assert list(version.budget_lines.values_list("category", "amount")) == [("travel", Decimal("2500.00"))]
    # The page shows the stored rows, still no empty ones.
    page = client.get(edit_url(version)).content.decode()
    assert 'name="milestones-TOTAL_FORMS" value="4"' in page and 'name="budget-TOTAL_FORMS" value="1"' in page


def test_PLN_1_a_bad_row_is_marked_next_to_it_the_input_kept_and_nothing_saved(org_a, team, client):
    version = ready_version(draft_plan(org_a, team), team)
    before = (
        list(version.milestones.values_list("name", flat=True)),
        list(version.budget_lines.values_list("amount", flat=True)),
    )
    client.force_login(team["lead"])
    data = {
        **content(service_content="改過的服務內容"),
        **rows("milestones", [milestone("新里程碑"), milestone("日期錯誤的里程碑", "2027-02-30")]),
        **rows("staffing", [{"user": team["lead"].pk, "role": "負責人", "allocation": "60"}]),
        **rows(
            "budget",
            [{"category": "personnel", "amount": "300000"}, {"category": "travel", "amount": "-5"}],
        ),
    }
    response = client.post(edit_url(version), data)
    assert response.status_code == 400
    page = response.content.decode()
    # Each error sits in its row's cell, under the field; what was typed is still there.
    assert re.search(
        r'name="budget-1-amount"[^>]*value="-5"[^>]*>\s*<div class="invalid-feedback d-block">', page
    )
    assert re.search(r'name="milestones-1-due_date"[^>]*>\s*<div class="invalid-feedback d-block">', page)
    assert 'value="日期錯誤的里程碑"' in page and "改過的服務內容" in page
    # One transaction: nothing of the good rows or the content was written.
    version.refresh_from_db()
    assert version.service_content != "改過的服務內容"
    assert (
        list(version.milestones.values_list("name", flat=True)),
        list(version.budget_lines.values_list("amount", flat=True)),
    ) == before


@pytest.fixture
def staffing_people(org_a, team, personas, make_user):
    """People with and without project work: a loaded technician, a reviewer, others who may not
    be staffed (finance, an inactive technician, a client user)."""
    people = stage_personas(personas, make_user)
    running = make_project(people, 901, state="in_progress")
    other_running = make_project(people, 902, state="opened")
    done = make_project(people, 903, state="accepted")
    ProjectMember.objects.bulk_create(
        [
            ProjectMember(project=running, user=team["technician"], role="工程師", allocation=60),
            ProjectMember(project=other_running, user=team["technician"], role="工程師", allocation=30),
            ProjectMember(project=done, user=team["technician"], role="工程師", allocation=100),
        ]
    )
    return {
        "finance": make_user(Role.FINANCE, username="fin.song", full_name="宋會計"),
        "inactive": make_user(Role.TECHNICIAN, username="tech.gone", full_name="離職技術員", is_active=False),
        "client": personas["client_a"],
        "reviewer": team["reviewers"][0],
    }


def _options(page: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select)


def test_PLN_1_the_staffing_picker_offers_only_project_workers_by_name_with_their_load(
    org_a, team, staffing_people, client
):
    version = draft_plan(org_a, team).versions.get()
    client.force_login(team["lead"])
    page = client.get(edit_url(version)).content.decode()
    options = _options(page, "staffing-__prefix__-user")[1:]
    labels = [label for _value, label in options]
    ids = {int(value) for value, _label in options}
    # Load: 60% + 30% on running projects; the accepted project no longer counts.
    assert "張偉 · current load 90%" in labels and "趙明遠 · current load 0%" in labels
    assert team["lead"].pk in ids and staffing_people["reviewer"].pk in ids
    assert not ids & {
        staffing_people["finance"].pk,
        staffing_people["inactive"].pk,
        staffing_people["client"].pk,
        team["management"].pk,
    }
    names = [label.split(" · ")[0] for label in labels]
    assert names == sorted(names)  # by name (as the database sorts the full names)
    # The load of everyone is computed in one query.
    with CaptureQueriesContext(connection) as queries:
        people = list(services.staffing_candidates())
    assert len(queries) == 1 and {p.pk: p.current_load for p in people}[team["technician"].pk] == 90
    # Someone who may not be staffed is refused next to the row, on the page and through the API.
    data = {
        **content(),
        **rows("milestones", [milestone("設計")]),
        **rows("staffing", [{"user": staffing_people["finance"].pk, "role": "會計", "allocation": "10"}]),
        **rows("budget", [{"category": "personnel", "amount": "1000"}]),
    }
    response = client.post(edit_url(version), data)
    assert response.status_code == 400
    assert re.search(
        r'name="staffing-0-user".*?</select>\s*<div class="invalid-feedback d-block">',
        response.content.decode(),
        re.S,
    )
    response = api(team["lead"]).patch(
        f"/api/plan-versions/{version.pk}/",
        {"staffing": [{"user": staffing_people["finance"].pk, "role": "會計", "allocation": 10}]},
        format="json",
    )
    assert response.status_code == 400 and "staffing" in response.json()["errors"], response.json()
    assert not StaffAssignment.objects.filter(version=version).exists()


def test_PLN_1_with_many_people_the_staffing_picker_is_a_type_ahead_of_the_same_people(
    org_a, team, staffing_people, client, monkeypatch
):
    monkeypatch.setattr(plan_forms, "STAFFING_TYPEAHEAD_ABOVE", 2)
    version = draft_plan(org_a, team).versions.get()
    client.force_login(team["lead"])
    page = client.get(edit_url(version)).content.decode()
    url = reverse("api:choices", args=["plans.staffing"])
    assert f'data-choices-url="{url}"' in page
    assert len(_options(page, "staffing-__prefix__-user")) == 1  # only the empty option is sent
    answer = client.get(url, {"q": "張"}).json()
    assert answer == [{"value": team["technician"].pk, "label": "張偉 · current load 90%"}]
    assert client.get(url, {"q": "宋會計"}).json() == []
    everyone = {row["value"] for row in client.get(url).json()}
    assert staffing_people["finance"].pk not in everyone and staffing_people["inactive"].pk not in everyone
    client.force_login(staffing_people["client"])
    assert client.get(url).json() == []


def test_PLN_1_the_budget_total_is_shown_against_the_confirmed_fee(org_a, team, client):
    version = ready_version(draft_plan(org_a, team), team)  # budget 440,000; confirmed fee 480,000
    client.force_login(team["lead"])
    page = client.get(edit_url(version)).content.decode()
    assert "440,000.00" in page and "480,000.00" in page
    assert 'id="budget-over" role="status" hidden' in page
    assert 'id="plan-budget-over"' not in client.get(version.plan.get_absolute_url()).content.decode()
    BudgetLine.objects.create(version=version, category="other", description="外包", amount=Decimal("60000"))
    page = client.get(edit_url(version)).content.decode()
    assert 'id="budget-over" role="status">' in page
    assert "The budget total is above the fee confirmed with the client by CNY" in page
    assert "<span data-budget-over>20,000.00</span>" in page
    page = client.get(version.plan.get_absolute_url()).content.decode()
    assert 'id="plan-budget-over"' in page and "by CNY 20,000.00" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_PLN_1_the_author_is_who_wrote_the_version_not_who_submitted_it(org_a, team, client):
    plan = draft_plan(org_a, team)  # opened (and version 1 prefilled) by management
    version = plan.versions.get()
    assert version.author == team["management"]
    client.force_login(team["lead"])
    data = {
        **content(),
        **rows("milestones", [milestone("設計")]),
        **rows("staffing", [{"user": team["technician"].pk, "role": "工程師", "allocation": "80"}]),
        **rows("budget", [{"category": "personnel", "amount": "1000"}]),
    }
    assert client.post(edit_url(version), data).status_code == 302
    version.refresh_from_db()
    assert version.author == team["lead"]
    # Management submits what the lead wrote: the author stays the lead.
    client.force_login(team["management"])
    response = client.post(
        reverse("plans:planversion_submit", args=[version.pk]), {"reviewers": [team["reviewers"][0].pk]}
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == PlanVersion.State.IN_REVIEW and version.author == team["lead"]
    page = client.get(plan.get_absolute_url()).content.decode()
    assert re.search(r'id="author-1">Author 周建國 · [^<]* · Submitted by 陳志明<', page), page
    text = text_of(client.get(reverse("core:document_pdf", args=["plans.plan", plan.pk, "service_plan"])))
    assert "撰寫人" in text and "周建國" in text and "陳志明" in text
