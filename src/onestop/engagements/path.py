"""The phases after the confirmation (X-1): plan, contract, implementation, acceptance,
settlement — each a span from the first record of the phase to the moment it was complete.

The engagement's own state machine ends at "confirmed" and later "closed"; the phases in
between are kept by the later stages' own records (a plan, a contract, a project, acceptance
rounds, settlements). Each of those stages says its part in its ``path.py`` (plans/path.py
describes the parts), found through the stage registry, so the engagement — which comes first —
never names the apps that follow it.
"""

from __future__ import annotations

from functools import cache

from onestop.core.stages import PATH_STAGES, stage_modules


@cache
def phases() -> tuple:
    """The stages' ``path`` modules, in the order of the path."""
    return tuple(stage_modules("path", PATH_STAGES))


def downstream() -> list[tuple[str, str]]:
    """``[(phase, label)]`` of the phases after the confirmation."""
    return [(phase.PHASE, str(phase.LABEL)) for phase in phases()]


def downstream_spans(engagement) -> list[tuple[str, str, object, object]]:
    """``[(phase, label, started, ended)]`` for the phases after the confirmation; a phase not
    reached yet has ``started`` None. One or two queries per phase."""
    return [(phase.PHASE, str(phase.LABEL), *phase.span(engagement)) for phase in phases()]
