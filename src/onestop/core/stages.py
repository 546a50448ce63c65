"""The apps of the stages after the engagement's confirmation, in the order they build on each
other.

Each keeps the same module names, so the root URLs, the demo loader, the engagement's timeline,
its path and "who holds the ball" find a stage's parts by name instead of importing every app by
hand — and the engagement, which comes first, never imports the stages that follow it.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

# The stages after the contract: their URLs, API routes and demo data are found here.
LATER_STAGES = ("projects", "coordination", "quality", "acceptance", "settlement", "feedback")
# Every stage after the confirmation; those with a ``path.py`` are the phases of the engagement's
# path (engagements/path.py): the plan, the contract, the implementation, the acceptance and the
# settlement.
PATH_STAGES = ("plans", "contracts", *LATER_STAGES)
# The apps beside the path — the policy's chapters on people (4: recruitment, people), resources
# (5: resources, costs) and risk (6: risks), and the management cockpit. They hang their records on the engagements and projects, and register
# their pages, API routes and demo data the same way as the stages, after them.
COMPANY_APPS = ("recruitment", "people", "careers", "resources", "costs", "risks", "cockpit", "supervision")


def installed(names: tuple[str, ...]) -> tuple[str, ...]:
    """The apps of ``names`` that are installed (an app lands when it is ready, not before)."""
    return tuple(name for name in names if apps.is_installed(f"onestop.{name}"))


def app_modules(name: str) -> list:
    """``stage_modules`` over the later stages and the installed company apps."""
    return stage_modules(name, LATER_STAGES + installed(COMPANY_APPS))


def stage_modules(name: str, stages: tuple[str, ...] = LATER_STAGES) -> list:
    """Each stage's ``onestop.<app>.<name>`` module that exists, in stage order."""
    return [
        import_module(f"onestop.{app}.{name}")
        for app in stages
        if find_spec(f"onestop.{app}.{name}") is not None
    ]
