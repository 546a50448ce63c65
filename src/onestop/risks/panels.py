"""The project page's risk panel (projects/presenters.py asks every app's ``panels.py``)."""

from onestop.risks.heatmap import panel

__all__ = ["panel"]
