"""Policy settings (EXT-4): each change a new version with an effective date, proposed by one
manager and approved by another; records keep the version in force when they were created."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.cockpit import services
from onestop.cockpit.models import PolicyVersion
from onestop.core import policy
from onestop.core.exceptions import DomainError
from onestop.core.roles import Role
from onestop.engagements.models import Channel, Engagement
from onestop.notifications import calendar
from onestop.notifications.models import Deadline
from tests.generic import ModelTestBase
from tests.stages import stage_personas


@pytest.fixture
def personas(personas, make_user):
    people = stage_personas(personas, make_user)
    people["management2"] = make_user(Role.MANAGEMENT, username="boss2", full_name="副總經理")
    return people


@pytest.fixture(autouse=True)
def english(english):
    yield


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def settings_with(**changes) -> dict:
    values = policy.values()
    values.update({key.replace("__", "."): value for key, value in changes.items()})
    return values


def approved(personas, effective_from=None, **changes) -> PolicyVersion:
    version = services.propose(
        actor=personas["management"],
        effective_from=effective_from or tomorrow(),
        reason="調整評估期限",
        values=settings_with(**changes),
    )
    return services.approve(version, actor=personas["management2"])


class TestPolicyVersion(ModelTestBase):
    model = PolicyVersion
    api_basename = "policyversion"
    manager = "management"
    no_view = "finance"
    invalid_field = "effective_from"
    deletable = False

    def make_object(self, personas, index=0):
        return services.propose(
            actor=personas["management"],
            effective_from=tomorrow() + timedelta(days=index),
            reason=f"第{index}版",
            values=policy.values(),
        )

    def form_data(self, effective_from, reason, **changes):
        data = {"effective_from": effective_from.isoformat(), "reason": reason}
        for key, value in settings_with(**changes).items():
            data[key.replace(".", "__")] = "" if value is None else value
        return data

    def create_data(self, personas):
        return self.form_data(tomorrow(), "新版")

    def update_data(self, obj, personas):
        return self.form_data(obj.effective_from, "改理由")

    def invalid_data(self, personas):
        return self.form_data(timezone.localdate() - timedelta(days=1), "過去")

    def api_create_data(self, personas):
        return {
            "effective_from": tomorrow().isoformat(),
            "reason": "API",
            "values": policy.values() | {"plans.second_approval_above": "1000000"},
        }

    def api_update_data(self, obj, personas):
        return {"reason": "API 改", "values": {"plans.review_working_days": 6}}


def test_EXT_4_a_change_effective_tomorrow_leaves_todays_records_alone(personas):
    today_record = Engagement.objects.create(
        code="OS-P-1",
        title="今日案件",
        client=personas["client_a"].client_organization,
        channel=Channel.PHONE,
    )
    version = approved(personas, intake__assess_working_days=7)
    assert policy.value("intake.assess_working_days", at=today_record.received_at) == 2
    assert policy.value("intake.assess_working_days", at=timezone.now() + timedelta(days=1)) == 7
    # A record created once the version is in force reads the new value.
    assert policy.value("intake.assess_working_days", at=version.effective_from) == 7


def test_EXT_4_the_assessment_deadline_follows_the_version_in_force_when_the_engagement_came(
    personas, client
):
    from onestop.engagements import services as engagements

    approved(personas, intake__assess_working_days=9)
    engagement = Engagement.objects.create(
        code="OS-P-2",
        title="今日案件",
        client=personas["client_a"].client_organization,
        channel=Channel.PHONE,
    )
    before = timezone.now()
    engagements.forward(engagement, actor=personas["cs"], technician=personas["technician"])
    due = Deadline.objects.get(target_id=engagement.pk, closed_at__isnull=True).due_at
    # Received today, before the version of 9 days takes effect: the 2 working days of today.
    assert abs(due - calendar.add_working_days(before, 2)) < timedelta(minutes=1)


def test_EXT_4_the_review_decision_rule_reads_the_policy_in_force(personas):
    from onestop.plans.decision import Rule
    from onestop.plans.models import PlanVersion
    from onestop.plans.services import review_rule
    from tests.test_contracts import confirmed_engagement

    version = PlanVersion.objects.get(plan__engagement=confirmed_engagement(personas, 1))

    class CriteriaSet:  # the criteria set's own rule: pass at 3.5, no criterion below 2.5
        def rule(self):
            return Rule()

    criteria_set = CriteriaSet()
    before = review_rule(version, criteria_set)
    approved(personas, plans__pass_mean=Decimal("4.20"))
    assert review_rule(version, criteria_set) == before  # created before the change
    type(version).objects.filter(pk=version.pk).update(created_at=timezone.now() + timedelta(days=1))
    version.refresh_from_db()
    assert review_rule(version, criteria_set).pass_mean == Decimal("4.20")


def test_EXT_4_only_management_changes_settings_and_another_manager_approves(personas, client):
    version = services.propose(
        actor=personas["management"], effective_from=tomorrow(), reason="新版", values=policy.values()
    )
    with pytest.raises(Exception):  # noqa: B017 — PermissionDenied: the proposer does not approve
        services.approve(version, actor=personas["management"])
    for name in ("finance", "hr", "lead"):
        client.force_login(personas[name])
        assert client.get(reverse("cockpit:policyversion_list")).status_code == 403
    api = APIClient()
    api.force_authenticate(personas["finance"])
    assert (
        api.post(
            "/api/cockpit/policy-versions/",
            {"effective_from": tomorrow().isoformat(), "reason": "x", "values": {}},
            format="json",
        ).status_code
        == 403
    )
    client.force_login(personas["management2"])
    response = client.post(reverse("cockpit:policyversion_approve", args=[version.pk]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.approved_by == personas["management2"]


def test_EXT_4_history_and_difference_between_versions(personas, client):
    approved(personas, plans__review_working_days=6)
    second = approved(personas, effective_from=tomorrow() + timedelta(days=3), plans__review_working_days=8)
    changed = {
        row["key"]: (row["before"], row["after"]) for row in services.differences(second) if row["changed"]
    }
    assert changed == {"plans.review_working_days": (6, 8)}
    client.force_login(personas["management"])
    page = client.get(second.get_absolute_url()).content.decode()
    assert 'data-changed="plans.review_working_days"' in page
    assert client.get(reverse("cockpit:policyversion_list")).content.decode().count("data-") >= 0
    assert PolicyVersion.objects.approved().count() == 2


def test_EXT_4_a_change_cannot_start_today_or_before(personas):
    with pytest.raises(DomainError):
        services.propose(
            actor=personas["management"],
            effective_from=timezone.localdate(),
            reason="今天",
            values=policy.values(),
        )


def test_EXT_4_the_later_stages_deadlines_and_the_budget_alerts_follow_the_version_in_force(personas):
    from onestop.costs import alerts
    from onestop.feedback import services as feedback
    from onestop.feedback.models import Complaint
    from onestop.projects.models import Project
    from tests.test_contracts import confirmed_engagement

    # The first version's values are the old constants and environment values.
    assert [
        policy.value(key) for key in ("contracts.review_working_days", "acceptance.rectify_working_days")
    ] == [
        5,
        10,
    ]
    assert policy.value("costs.budget_warn_percent") == 80
    assert policy.value("costs.budget_approval_percent") == 100
    approved(
        personas,
        contracts__review_working_days=8,
        feedback__complaint_close_after_days=3,
        costs__budget_warn_percent=60,
        costs__budget_approval_percent=90,
    )
    engagement = confirmed_engagement(personas, 1)
    project = Project(engagement=engagement, created_at=timezone.now())
    assert alerts.thresholds(project) == [("warn", 80), ("approval", 100)]  # created today
    project.created_at = timezone.now() + timedelta(days=1)
    assert alerts.thresholds(project) == [("warn", 60), ("approval", 90)]  # created under the new version
    assert policy.value("contracts.review_working_days", at=tomorrow()) == 8
    responded = timezone.now()
    complaint = Complaint(responded_at=responded, created_at=timezone.now())
    assert feedback.may_close_unconfirmed_from(complaint) == responded + timedelta(days=10)
    complaint.created_at = timezone.now() + timedelta(days=1)
    assert feedback.may_close_unconfirmed_from(complaint) == responded + timedelta(days=3)


def test_EXT_4_a_warning_at_or_above_the_approval_threshold_is_refused(personas):
    api = APIClient()
    api.force_authenticate(personas["management"])
    values = policy.values() | {"costs.budget_warn_percent": 100, "costs.budget_approval_percent": 100}
    values["plans.second_approval_above"] = str(values["plans.second_approval_above"])
    response = api.post(
        "/api/cockpit/policy-versions/",
        {"effective_from": tomorrow().isoformat(), "reason": "錯", "values": values},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "costs.budget_warn_percent" in response.content.decode()
    assert "approval threshold" in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_EXT_4_the_settings_page_leads_to_the_rules_kept_in_their_own_apps(personas, client):
    client.force_login(personas["management"])
    page = client.get(reverse("cockpit:policyversion_list")).content.decode()
    assert "data-policy-elsewhere" in page
    for url in (
        reverse("risks:matrix"),
        reverse("notifications:holiday_list"),
        reverse("quality:qctemplate_list"),
    ):
        assert f'href="{url}"' in page
        assert client.get(url).status_code == 200
