"""HR-10: does a promotion meet the criteria of the level it promotes into?

A career level states its criteria as figures as well as in words: years in the level below, the
annual appraisal grade at least, skills of the catalogue at a level. A promotion that names its
target level is checked against them when it is read, from the records — so whoever decides it
sees, beside the proposal, what is met and what is not. Each figure comes through its own
visibility rule: someone who may not see the person's appraisals (management sees only the
summaries) is told so rather than shown the grade. A few queries, whatever the records."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onestop.careers.models import PositionMove
from onestop.people.access import sees_records_of
from onestop.people.grading import GRADE_CHOICES
from onestop.people.models import Appraisal, CycleKind, PersonSkill, ResultAction
from onestop.people.services import MOVES

RANK = {code: index for index, (code, _label) in enumerate(GRADE_CHOICES)}  # "A" is best
DAYS_A_YEAR = Decimal("365.25")


@dataclass(frozen=True)
class Criterion:
    label: str
    required: str
    actual: str
    met: bool | None  # None: it cannot be told (not recorded, or not the reader's to see)


def in_position_since(move: PositionMove):
    """When the person took the position the move starts from: the last approved change into it
    before this one — a position move or an appraisal result's promotion, demotion or transfer
    (``career_history`` reads the same two) — else the day they joined."""
    person, before = move.employee, move.effective_on
    moved = (
        PositionMove.objects.filter(
            employee=person, to_position_id=move.from_position_id, state=PositionMove.State.APPROVED
        )
        .exclude(pk=move.pk)
        .filter(effective_on__lte=before)
        .aggregate(last=Max("effective_on"))["last"]
    )
    acted = (
        ResultAction.objects.filter(
            employee=person,
            new_position_id=move.from_position_id,
            state=ResultAction.State.APPROVED,
            kind__in=MOVES,
        )
        .annotate(on=Coalesce("effective_on", TruncDate("decided_at")))
        .filter(on__lte=before)
        .aggregate(last=Max("on"))["last"]
    )
    known = [day for day in (moved, acted) if day is not None]
    return max(known) if known else timezone.localtime(person.date_joined).date()


def promotion_readiness(move: PositionMove, reader) -> list[Criterion]:
    level = move.target_level
    if level is None:
        return []
    criteria: list[Criterion] = []
    if level.min_years:
        years = (Decimal((move.effective_on - in_position_since(move)).days) / DAYS_A_YEAR).quantize(
            Decimal("0.1")
        )
        criteria.append(
            Criterion(
                str(_("Years in the position before")),
                f"≥ {level.min_years.normalize():f}",
                f"{max(years, Decimal(0)):f}",
                years >= level.min_years,
            )
        )
    if level.required_grade:
        criteria.append(_grade(move, level.required_grade, reader))
    wanted = level.skill_levels()
    if wanted:
        held = dict(
            PersonSkill.objects.visible_to(reader)
            .filter(employee=move.employee, skill__name__in=[name for name, _level in wanted])
            .values("skill__name")
            .annotate(best=Max("level"))
            .values_list("skill__name", "best")
        )
        for name, needed in wanted:
            level_held = held.get(name)
            criteria.append(
                Criterion(
                    gettext("Skill: %(skill)s") % {"skill": name},
                    f"≥ {needed}",
                    str(level_held) if level_held is not None else "—",
                    level_held is not None and level_held >= needed,
                )
            )
    return criteria


def _grade(move: PositionMove, required: str, reader) -> Criterion:
    label, wanted = str(_("Annual appraisal grade")), f"≥ {required}"
    person = move.employee
    latest = (
        Appraisal.objects.visible_to(reader)
        .filter(employee=person, cycle__kind=CycleKind.YEAR, grade__gt="")
        .select_related("cycle")
        .order_by("-cycle__ends_on")
        .first()
    )
    if latest is not None:
        shown = f"{latest.grade} ({latest.cycle.year})"
        return Criterion(label, wanted, shown, RANK.get(latest.grade, 99) <= RANK.get(required, -1))
    # Nothing the reader may see: say which, without telling whether an unseen one exists.
    if sees_records_of(reader, person):
        return Criterion(label, wanted, gettext("No annual appraisal yet"), False)
    return Criterion(label, wanted, gettext("Not yours to see"), None)
