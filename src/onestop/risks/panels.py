"""The risk panel on the project page (core/panels.py asks every company app's ``panels.py``)."""

from onestop.risks.heatmap import panel


def project(project, user) -> list[dict]:
    found = panel(project, user)
    return [found] if found else []
