"""The apps of the stages after the contract, in the order they build on each other.

Each keeps the same module names, so the root URLs, the demo loader and the engagement's
timeline find its parts by name instead of importing every app by hand.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

LATER_STAGES = ("projects", "coordination", "quality", "acceptance", "settlement", "feedback")


def stage_modules(name: str) -> list:
    """Each later stage's ``onestop.<app>.<name>`` module that exists, in stage order."""
    return [
        import_module(f"onestop.{app}.{name}")
        for app in LATER_STAGES
        if find_spec(f"onestop.{app}.{name}") is not None
    ]
