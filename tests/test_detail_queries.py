"""Detail pages do bounded work (issue 16 §5): the engagement page and the project page run the
same number of queries for the generator's heavy project (60 tasks, a year of weekly progress
tables) as for a typical one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from onestop.accounts.models import User
from onestop.core.generate import generate
from onestop.projects.models import Project


@pytest.fixture
def projects(db):
    generate(400, seed=5)
    ranked = (
        Project.objects.annotate(
            tasks_=Count("tasks", distinct=True), reports=Count("progress_reports", distinct=True)
        )
        .filter(reports__gt=0)
        .order_by("tasks_", "pk")
    )
    light, heavy = ranked.first(), ranked.last()
    assert heavy.tasks_ >= 5 * light.tasks_ and heavy.reports > light.reports
    return light, heavy


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["engagement", "project"])
def test_a_detail_page_runs_as_many_queries_for_a_heavy_project_as_for_a_light_one(projects, client, page):
    client.force_login(User.objects.get(username="gen.mgmt001"))
    light, heavy = projects
    url = {
        "engagement": lambda p: p.engagement.get_absolute_url(),
        "project": lambda p: p.get_absolute_url(),
    }[page]
    queries(client, url(light))  # the first request of a session does its one-off work
    assert queries(client, url(heavy)) == queries(client, url(light))


def test_the_heavy_projects_page_shows_a_first_screen_of_tasks_and_tables_and_links_the_rest(
    projects, client
):
    from onestop.projects import presenters, services
    from onestop.projects.models import ProgressReport

    client.force_login(User.objects.get(username="gen.mgmt001"))
    _light, heavy = projects
    page = client.get(heavy.get_absolute_url())
    html = page.content.decode()
    assert page.context["task_count"] == heavy.tasks_ > presenters.TASKS_SHOWN
    assert (
        html.count("<tr>", html.index('id="task-table"'), html.index('id="gantt-card"'))
        <= presenters.TASKS_SHOWN + 1
    )
    assert f'href="/tasks/?project={heavy.pk}" id="all-tasks"' in html
    reports = page.context["reports"]
    assert len(reports) == presenters.REPORTS_PER_PAGE and reports.paginator.count == heavy.reports
    assert 'id="progress-pages"' in html
    # The page's summaries, computed by the database, are the service's over the stored rows.
    for report in reports:
        stored = ProgressReport.objects.get(pk=report.pk)
        expected = services.project_variance(list(stored.rows.all()))
        assert {k: report.summary[k] for k in expected} == expected
    older = client.get(heavy.get_absolute_url(), {"progress_page": 2})
    assert older.context["reports"].number == 2
    assert older.context["reports"][0].period_start < reports[len(reports) - 1].period_start
