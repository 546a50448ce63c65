"""The stages after the confirmation (X-1): plan, contract, implementation, acceptance,
settlement — each a span from the first record of the stage to the moment it was complete.

The engagement's own state machine ends at "confirmed" and later "closed"; the stages in
between are kept by their own records (a plan, a contract, a project, acceptance rounds,
settlements), so their spans are read from those records: one query per stage at most.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from onestop.engagements.states import EngagementStage

DOWNSTREAM = (
    ("plan", _("Service plan")),
    ("contract", _("Contract")),
    ("implementation", _("Implementation")),
    ("acceptance", _("Acceptance")),
    ("settlement", _("Settlement")),
)


def _plan(engagement):
    plan = apps.get_model("plans", "Plan").objects.filter(engagement=engagement).first()
    if plan is None:
        return None, None
    first_approval = (
        apps.get_model("plans", "PlanVersion")
        .objects.filter(plan=plan, approved_at__isnull=False)
        .order_by("approved_at")
        .values_list("approved_at", flat=True)
        .first()
    )
    return plan.created_at, first_approval


def _contract(engagement):
    row = (
        apps.get_model("contracts", "Contract")
        .objects.filter(engagement=engagement)
        .values_list("created_at", "signed_at")
        .first()
    )
    return row or (None, None)


def _project(engagement):
    from onestop.core.workflow import transition_log

    project = apps.get_model("projects", "Project").objects.filter(engagement=engagement).first()
    if project is None:
        return None, None, None
    completed = next((e.timestamp for e in transition_log(project) if e.state == "completed"), None)
    return project, project.created_at, completed


def _acceptance(project):
    if project is None:
        return None, None
    rounds = list(
        apps.get_model("acceptance", "AcceptanceRound")
        .objects.filter(project=project, milestone__isnull=True)
        .values_list("created_at", "state", "concluded_at")
        .order_by("number")
    )
    if not rounds:
        return None, None
    passed = next((concluded for _c, state, concluded in rounds if state == "passed"), None)
    return rounds[0][0], passed


def _settlement(engagement):
    try:
        model = apps.get_model("settlement", "Settlement")
    except LookupError:
        return None, None
    started = (
        model.objects.filter(contract__engagement=engagement)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return started, engagement.closed_at if started and engagement.stage == EngagementStage.CLOSED else None


def downstream_spans(engagement) -> list[tuple[str, str, object, object]]:
    """``[(stage, label, started, ended)]`` for the stages after the confirmation; a stage not
    reached yet has ``started`` None."""
    project, project_started, project_done = _project(engagement)
    found = {
        "plan": _plan(engagement),
        "contract": _contract(engagement),
        "implementation": (project_started, project_done),
        "acceptance": _acceptance(project),
        "settlement": _settlement(engagement),
    }
    return [(stage, str(label), *found[stage]) for stage, label in DOWNSTREAM]
