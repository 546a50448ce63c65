"""PRJ-2 (issue 11 §4): the progress table readable on a desktop and a phone, a member marking the
rows of their own tasks done (page and API, only their rows, while the table is open), who filled
each row and when, on the page and on the printed table."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onestop.core.roles import Role
from onestop.projects import services
from onestop.projects.models import ProgressReport, ProgressRow, ProjectMember, Task
from tests.stages import stage_personas
from tests.test_print import text_of
from tests.test_projects import api, kicked_off

LONG_NAME = "現場設備數據採集與協議轉換網關的安裝、聯調及七十二小時連續運行測試"


@pytest.fixture
def personas(personas, make_user):
    people = stage_personas(personas, make_user)
    people["technician2"] = make_user(Role.TECHNICIAN, username="tech2", full_name="技術員乙")
    for user in people.values():
        type(user).objects.filter(pk=user.pk).update(language="en")
        user.language = "en"
    return people


@pytest.fixture(autouse=True)
def english(english):
    yield


@pytest.fixture(autouse=True)
def pdf_cache(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"


@pytest.fixture
def table(personas):
    """An open progress table with a task of each technician and a milestone row."""
    project = kicked_off(personas)
    mine = ProjectMember.objects.get(project=project, user=personas["technician"])
    other = ProjectMember.objects.create(
        project=project, user=personas["technician2"], role="工程師", allocation=50
    )
    milestone = project.milestones.order_by("planned_date").last()
    for name, member in ((LONG_NAME, mine), ("測試報告編寫", other)):
        services.save_task(
            Task(
                project=project,
                milestone=milestone,
                name=name,
                assignee=member,
                planned_start=date(2026, 3, 2),
                planned_end=date(2026, 3, 11),
            ),
            actor=personas["lead"],
        )
    report = services.start_report(project, actor=personas["lead"], day=date(2026, 3, 4))
    rows = {row.item: row for row in report.rows.all()}
    return {
        "report": report,
        "mine": rows[LONG_NAME],
        "other": rows["測試報告編寫"],
        "milestone": rows[milestone.name],
    }


def done_url(report, row) -> str:
    return reverse("projects:progressreport_row_done", args=[report.pk, row.pk])


def test_PRJ_2_the_table_shows_the_main_columns_in_one_line_and_folds_the_rest(personas, table, client):
    client.force_login(personas["technician"])
    page = client.get(table["report"].get_absolute_url()).content.decode()
    # The task name stays on one line, cut with an ellipsis; the full name is its tooltip.
    assert f'class="text-truncate app-item" title="{LONG_NAME}"' in page
    # Dates, work done, next steps and problems are in a row that opens on demand.
    mine = table["mine"].pk
    assert f'id="row-details-{mine}"' in page and f'data-bs-target="#row-details-{mine}"' in page
    assert f'name="row-{mine}-work_done"' in page and f'name="row-{mine}-percent_complete"' in page
    # Less important columns hide on narrow screens (Bootstrap display classes), not the % complete.
    assert 'class="d-none d-lg-table-cell text-nowrap">Planned<' in page
    assert 'class="d-none d-md-table-cell text-nowrap">Filled in by<' in page


def test_PRJ_2_a_member_marks_their_own_row_done_and_who_and_when_are_recorded(personas, table, client):
    report, mine, other = table["report"], table["mine"], table["other"]
    client.force_login(personas["technician"])
    page = client.get(report.get_absolute_url()).content.decode()
    # The button is on the member's own row only (not on another member's, nor on milestones).
    assert f'id="mark-done-{mine.pk}"' in page
    assert f'id="mark-done-{other.pk}"' not in page and f'id="mark-done-{table["milestone"].pk}"' not in page
    before = timezone.now()
    response = client.post(done_url(report, mine), {f"row-{mine.pk}-percent_complete": "3"})
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    mine.refresh_from_db()
    assert mine.percent_complete == 100 and mine.actual_end == report.period_end
    assert mine.filled_by == personas["technician"] and mine.filled_at >= before
    assert mine.history.count() == 2  # made, then marked done: the earlier state is kept
    assert mine.history.earliest().percent_complete == 0
    page = client.get(report.get_absolute_url()).content.decode()
    assert "was marked done" in page and f'id="mark-done-{mine.pk}"' not in page  # done: no button
    assert f'data-filled-by="{mine.pk}">技術員甲' in page


def test_PRJ_2_a_member_may_not_mark_another_members_row_and_others_do_not_see_the_table(
    personas, table, client
):
    report, mine, other = table["report"], table["mine"], table["other"]
    client.force_login(personas["technician"])
    assert client.post(done_url(report, other)).status_code == 403
    assert client.post(done_url(report, table["milestone"])).status_code == 403
    # A row of another table under this table's address: refused, with the message, nothing done.
    response = client.post(reverse("projects:progressreport_row_done", args=[report.pk, 999999]))
    assert response.status_code == 400 and "not part of this progress table" in response.content.decode()
    client.force_login(personas["client_a"])
    assert client.post(done_url(report, mine)).status_code == 404
    other.refresh_from_db()
    assert other.percent_complete == 0 and other.filled_by is None
    assert ProgressRow.objects.filter(report=report, percent_complete=100).count() == 0


def test_PRJ_2_marking_done_refuses_a_future_day_and_a_submitted_table_with_a_message(
    personas, table, client
):
    report, mine = table["report"], table["mine"]
    client.force_login(personas["technician"])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(done_url(report, mine), {"done_on": tomorrow})
    assert response.status_code == 400
    assert "a day still to come" in response.content.decode()
    assert client.post(done_url(report, mine), {"done_on": "not a date"}).status_code == 400
    services.submit_report(report, actor=personas["lead"])
    response = client.post(done_url(report, mine))
    assert response.status_code == 400 and "can no longer be edited" in response.content.decode()
    mine.refresh_from_db()
    assert mine.percent_complete == 0 and mine.filled_by is None


def test_PRJ_2_the_api_marks_a_members_own_row_done_only(personas, table):
    report, mine, other = table["report"], table["mine"], table["other"]
    url = reverse("api:progressreport-mark-done", args=[report.pk])
    response = api(personas["technician"]).post(url, {"row": mine.pk, "done_on": "2026-03-05"}, format="json")
    assert response.status_code == 200, response.json()
    row = next(r for r in response.json()["rows"] if r["id"] == mine.pk)
    assert row["percent_complete"] == 100 and row["actual_end"] == "2026-03-05"
    assert row["filled_by"] == personas["technician"].pk and row["filled_at"]
    assert api(personas["technician"]).post(url, {"row": other.pk}, format="json").status_code == 403
    assert api(personas["technician"]).post(url, {"row": "x"}, format="json").status_code == 400
    assert api(personas["technician"]).post(url, {"row": 999999}, format="json").status_code == 400
    assert api(personas["client_a"]).post(url, {"row": mine.pk}, format="json").status_code in (403, 404)
    other.refresh_from_db()
    assert other.percent_complete == 0


def test_PRJ_2_filling_a_row_records_who_and_when(personas, table, client):
    report, other = table["report"], table["other"]
    client.force_login(personas["technician2"])
    response = client.post(
        report.get_absolute_url(),
        {f"row-{other.pk}-percent_complete": "40", f"row-{other.pk}-work_done": "初稿完成"},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.filled_by == personas["technician2"] and other.filled_at is not None


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_PRJ_2_the_printed_table_names_who_filled_each_row(personas, table, client):
    report, mine = table["report"], table["mine"]
    client.force_login(personas["technician"])
    client.post(done_url(report, mine))
    services.fill_rows(
        report, actor=personas["technician2"], rows={table["other"].pk: {"percent_complete": 30}}
    )
    client.force_login(personas["lead"])
    text = text_of(client.get(reverse("projects:progressreport_pdf", args=[report.pk])))
    assert "填寫人" in text
    assert "技術員甲" in text and "技術員乙" in text
    mine.refresh_from_db()
    assert timezone.localtime(mine.filled_at).strftime("%Y-%m-%d") in text
    assert ProgressReport.objects.get(pk=report.pk).state == ProgressReport.State.DRAFT


def test_PRJ_2_a_refused_save_shows_the_table_again_with_what_was_typed(personas, table, client):
    report, mine = table["report"], table["mine"]
    client.force_login(personas["technician"])
    response = client.post(
        report.get_absolute_url(),
        {
            f"row-{mine.pk}-percent_complete": "150",
            f"row-{mine.pk}-work_done": "網關已安裝，聯調中",
            f"row-{mine.pk}-actual_start": "2026-03-03",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{LONG_NAME}, percentage complete: Ensure this value is less than or equal to 100." in page
    assert f'name="row-{mine.pk}-percent_complete" value="150"' in page
    assert "網關已安裝，聯調中</textarea>" in page and 'value="2026-03-03"' in page
    # The details holding typed text are open, so the user sees it.
    assert f'class="collapse app-row-details show" id="row-details-{mine.pk}"' in page
    mine.refresh_from_db()
    assert mine.work_done == "" and mine.percent_complete == 0
