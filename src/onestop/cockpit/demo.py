"""Demo data of the cockpit: a policy version approved by the deputy general manager and in
force next week, one proposed and waiting, and the managers' and finance's report subscriptions."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from onestop.accounts.models import User
from onestop.cockpit import services
from onestop.cockpit.models import Frequency, PolicyVersion, ReportSubscription
from onestop.core import policy
from onestop.core.services import save


def _user(username: str):
    return User.objects.filter(username=username, is_active=True).first()


def load(actor=None) -> None:
    chen, wang = _user("mgmt.chen"), _user("mgmt.wang")
    if chen is None or wang is None or PolicyVersion.objects.exists():
        return
    today = timezone.localdate()
    values = policy.values()
    values.update({"intake.assess_working_days": 3, "plans.second_approval_above": "800000"})
    first = services.propose(
        actor=chen,
        effective_from=today + timedelta(days=7),
        reason="依管理評審會議決議：技術評估時限放寬為 3 個工作日；方案預算逾 80 萬元須第二級審批。",
        values=values,
    )
    services.approve(first, actor=wang)
    values = {**values, "plans.review_working_days": 4}
    services.propose(
        actor=wang,
        effective_from=today + timedelta(days=30),
        reason="縮短專家評審時限為 4 個工作日，待總經理審批。",
        values=values,
    )
    for username, dashboard, frequency in (
        ("mgmt.chen", "management", Frequency.WEEKLY),
        ("mgmt.wang", "management", Frequency.MONTHLY),
        ("fin.song", "finance", Frequency.MONTHLY),
    ):
        user = _user(username)
        if user is not None and user.email:
            save(
                ReportSubscription(subscriber=user, dashboard=dashboard, frequency=frequency),
                actor=actor or user,
            )
