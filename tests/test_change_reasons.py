"""X-4: a plain edit of an important field says why. The model names those fields
(``reason_fields``); the edit page and the API ask for ``change_reason`` when one of them changes,
refuse the edit without it, and keep the reason in the record's history. Each model's own case
runs in the generic tests (tests/generic.py); these are the details a user meets."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.projects.models import Project
from tests.stages import make_project, stage_personas


@pytest.fixture
def people(personas, make_user):
    return stage_personas(personas, make_user)


def edit_data(project, **changes):
    data = {
        "name": project.name,
        "project_lead": project.project_lead_id,
        "planned_start": project.planned_start.isoformat(),
        "planned_end": project.planned_end.isoformat(),
        "progress_period_days": project.progress_period_days,
    }
    return {**data, **changes}


def test_an_edit_that_leaves_the_important_fields_alone_needs_no_reason(client, people):
    project = make_project(people, state="opened")
    client.force_login(people["management"])
    page = client.get(reverse("projects:project_edit", args=[project.pk])).content.decode()
    assert 'name="change_reason"' in page and "變更原因" in page
    response = client.post(
        reverse("projects:project_edit", args=[project.pk]), edit_data(project, name="新名稱")
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).name == "新名稱"


def test_moving_the_planned_end_without_a_reason_is_refused_and_changes_nothing(client, people):
    project = make_project(people, state="opened")
    end = project.planned_end
    client.force_login(people["management"])
    later = (end.replace(year=end.year + 1)).isoformat()
    response = client.post(
        reverse("projects:project_edit", args=[project.pk]), edit_data(project, planned_end=later)
    )
    assert response.status_code == 400
    assert "請說明變更" in response.content.decode()  # the refusal names the field, in the user's language
    assert Project.objects.get(pk=project.pk).planned_end == end

    response = client.post(
        reverse("projects:project_edit", args=[project.pk]),
        edit_data(project, planned_end=later, change_reason="客戶延後上線"),
    )
    assert response.status_code == 302
    history = client.get(reverse("projects:project_history", args=[project.pk])).content.decode()
    assert "客戶延後上線" in history


def test_a_reason_longer_than_the_history_keeps_is_refused_not_cut(people):
    project = make_project(people, state="opened")
    api = APIClient()
    api.force_authenticate(people["management"])
    url = reverse("api:project-detail", args=[project.pk])
    later = project.planned_end.replace(year=project.planned_end.year + 1).isoformat()
    response = api.patch(url, {"planned_end": later, "change_reason": "延" * 101}, format="json")
    assert response.status_code == 400 and "change_reason" in response.json()["errors"]
    response = api.patch(url, {"planned_end": later, "change_reason": "延" * 100}, format="json")
    assert response.status_code == 200
    assert project.history.first().history_change_reason == "延" * 100
