"""Signals of the plan stage.

``version_took_effect`` is sent inside the approval's transaction when a plan version becomes
the plan's effective version (``plan=``, ``version=``, ``actor=``), so a project following the
plan is moved onto the new version in the same transaction (PRJ-3 change requests).
"""

from django.dispatch import Signal

version_took_effect = Signal()
