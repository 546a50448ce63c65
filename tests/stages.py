"""Records at a given point of the engagement's path, for the tests of the later stages.

``signed_contract`` and ``make_project`` build the earlier stages directly (their own tests
prove those paths through the services); the later stages start from what they return.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from onestop.core.roles import Role


def stage_personas(personas, make_user) -> dict:
    """The shared personas plus one member of each staff role the later stages involve."""
    return {
        **personas,
        "legal": make_user(Role.LEGAL, username="legal", full_name="法務甲"),
        "management": make_user(Role.MANAGEMENT, username="boss", full_name="總經理"),
        "archive": make_user(Role.ARCHIVE, username="archive", full_name="檔案員"),
        "lead": make_user(Role.PROJECT_LEAD, username="lead", full_name="項目經理甲"),
        "technician": make_user(Role.TECHNICIAN, username="tech", full_name="技術員甲"),
        "quality": make_user(Role.QUALITY, username="qa", full_name="質量員甲"),
    }


def in_english(people: dict) -> dict:
    """The people with English as their language, for tests that assert on wording that follows
    the reader's language outside a request (My work titles, notifications, e-mails)."""
    for user in people.values():
        type(user).objects.filter(pk=user.pk).update(language="en")
        user.language = "en"
    return people


def member_who_can_log_in(department):
    """The first (by username) active member of ``department`` with a password: a new hire who has
    not yet set theirs (an unusable "!…" password) cannot log in."""
    from onestop.accounts.models import User

    return (
        User.objects.filter(department=department, is_active=True)
        .exclude(password__startswith="!")
        .order_by("username")
        .first()
    )


def signed_contract(personas, index: int = 0, *, fee: Decimal = Decimal("300000.00")):
    """A contract drafted from a confirmed engagement and its approved plan, marked signed.

    ``personas`` needs "legal" and "cs" (see ``stage_personas``). The plan has two milestones
    (2026-02-28 調研完成, 2026-06-30 最終驗收); the contract two instalments.
    """
    from onestop.contracts import services
    from onestop.contracts.models import Contract
    from tests.test_contracts import active_template, confirmed_engagement

    engagement = confirmed_engagement(personas, index, fee=fee)
    contract = services.draft_contract(engagement, actor=personas["legal"], template=active_template())
    Contract.objects.filter(pk=contract.pk).update(state=Contract.State.SIGNED, signed_at=timezone.now())
    contract.refresh_from_db()
    return contract


def make_project(personas, index: int = 0, *, state: str = "in_progress", lead=None, **contract_kwargs):
    """A project on a signed contract, with the plan's milestones, in ``state``."""
    from onestop.projects.models import Milestone, Project

    contract = signed_contract(personas, index, **contract_kwargs)
    version = contract.engagement.plan.effective_version
    project = Project.objects.create(
        code=f"PJ-T-{index:05d}",
        engagement=contract.engagement,
        contract=contract,
        plan_version=version,
        name=contract.engagement.title,
        project_lead=lead or personas.get("lead") or personas["cs"],
        planned_start=version.period_start,
        planned_end=version.period_end,
        actual_start=date(2026, 1, 5) if state != "opened" else None,
    )
    for source in version.milestones.order_by("due_date"):
        Milestone.objects.create(
            project=project,
            source=source,
            name=source.name,
            planned_date=source.due_date,
            deliverables=source.deliverables,
        )
    Project.objects.filter(pk=project.pk).update(state=state)
    project.refresh_from_db()
    return project
