"""Audit sampling (EXT-3): which engagements a sample draws from, and the draw.

The draw is the spot checks' own (``quality.sampling.select_sample``: ``random.Random(seed)``
over a population in a fixed order), so a sample is repeated exactly like a spot check: the same
seed over the recorded population gives the same engagements. The population is the engagements
meeting the criteria, ordered by their key, stored with the sample.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from onestop.engagements.models import Engagement
from onestop.projects.models import Project
from onestop.quality.sampling import select_sample


def _start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def population(*, received_from=None, received_to=None, stage: str = "", department=None) -> list[int]:
    """The keys of the engagements meeting the criteria, in key order (one query)."""
    rows = Engagement.objects.all()
    if received_from is not None:
        rows = rows.filter(received_at__gte=_start(received_from))
    if received_to is not None:
        rows = rows.filter(received_at__lt=_start(received_to + timedelta(days=1)))
    if stage:
        rows = rows.filter(stage=stage)
    if department is not None:
        led = Project.objects.filter(engagement=OuterRef("pk"), project_lead__department=department)
        rows = rows.filter(Q(technician__department=department) | Q(Exists(led)))
    return list(rows.order_by("pk").values_list("pk", flat=True))


def draw(keys: list[int], seed: int, size: int) -> list[int]:
    """The engagements ``seed`` picks from ``keys`` (the spot checks' draw)."""
    return select_sample(keys, seed, size)


def replay(sample) -> list[int]:
    """What the sample's seed gives over its recorded population."""
    return draw(sample.population, sample.seed, sample.size)
