"""Unannounced spot checks (QA-2): what is drawn from, and the reproducible draw itself.

The population is a snapshot in a fixed order; ``random.Random(seed)`` picks the sample from
it, so re-running the seed over the recorded population gives the same selection (an audit
anyone can repeat). Pure functions: the model's ``replay_matches`` and the services use them.
"""

from __future__ import annotations

import random

from onestop.projects.models import Project


def spot_population() -> list[dict]:
    """What a spot check draws from, in a fixed order: every checkpoint of the active QC plan of
    each project in progress; a project in progress without an active plan counts once."""
    from onestop.quality.models import QCCheckpoint, QCPlan  # noqa: PLC0415 — cycle: quality.models imports this module at load

    in_progress = Project.State.IN_PROGRESS
    projects = Project.objects.filter(state=in_progress).select_related("qc_plan").order_by("code", "pk")
    checkpoints = {}
    for checkpoint in QCCheckpoint.objects.filter(
        plan__state=QCPlan.State.ACTIVE, plan__project__state=in_progress
    ).order_by("plan_id", "sort_order", "pk"):
        checkpoints.setdefault(checkpoint.plan_id, []).append(checkpoint)
    units = []
    for project in projects:
        plan = getattr(project, "qc_plan", None)
        rows = checkpoints.get(plan.pk, []) if plan is not None else []
        if not rows:
            units.append(
                {"project": project.pk, "checkpoint": None, "label": f"{project.code} {project.name}"}
            )
        for checkpoint in rows:
            units.append(
                {
                    "project": project.pk,
                    "checkpoint": checkpoint.pk,
                    "label": f"{project.code} {project.name} · {checkpoint}",
                }
            )
    return units


def select_sample(population: list[dict], seed: int, size: int) -> list[dict]:
    """The units ``random.Random(seed)`` picks from ``population``: the same seed over the same
    recorded population always gives the same selection (auditable afterwards)."""
    rng = random.Random(seed)
    return rng.sample(list(population), min(size, len(population)))


def replay_draw(draw) -> list[dict]:
    """The selection the draw's seed gives over its recorded population (audit)."""
    return select_sample(draw.population, draw.seed, draw.sample_size)
