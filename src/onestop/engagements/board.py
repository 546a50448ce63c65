"""The engagement list as a board (X-1, issue 11 §2): one column per stage of the path, a card per
engagement with who holds the ball and for how long, and the moves a user may make by dragging a
card to the next column.

The columns are the stages of ``filters.path_stages()``: intake's own stages, then the phases
after the confirmation (``path.downstream()``), then the closed stages, shown folded as counts.
Each column asks the database for its first ``CAP`` cards and its count, so the board runs the
same number of queries however many engagements there are.

Only intake moves by dragging: before the confirmation the engagement's own transitions carry it
(forward to a technician, assess it as in scope), each through the ``RecordAction`` of the
engagement page, with its form. After the confirmation the phases move by their own records
(an approved plan, a signed contract…), so those cards stay where they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core.workflow import allowed_actions
from onestop.engagements.ball import balls_for, phase_condition
from onestop.engagements.models import Engagement
from onestop.engagements.path import downstream
from onestop.notifications.models import Deadline

CAP = 20  # cards per column; the rest are one click away in the list, filtered to that stage
Stage = Engagement.Stage
INTAKE = (Stage.INQUIRY, Stage.ASSESSMENT, Stage.CONFIRMATION)
CLOSED = (Stage.CLOSED, Stage.OUT_OF_SCOPE, Stage.WITHDRAWN)


@dataclass(frozen=True)
class Move:
    """Dragging a card from ``source`` to ``target`` runs the engagement page's action ``action``
    (engagements.views.EngagementViews.actions) with its form; ``fixed`` are form values the
    move itself decides (hidden in the form: dropping on "confirmation" means "in scope")."""

    source: str
    target: str
    action: str
    title: str
    fixed: dict = field(default_factory=dict)


MOVES = {
    Stage.INQUIRY: Move(Stage.INQUIRY, Stage.ASSESSMENT, "forward", gettext_lazy("Forward to a technician")),
    Stage.ASSESSMENT: Move(
        Stage.ASSESSMENT,
        Stage.CONFIRMATION,
        "assess",
        gettext_lazy("In scope: start confirmation"),
        fixed={"decision": "in_scope", "reason": "", "suggestions": ""},
    ),
}


def why_not_movable(engagement) -> str:
    """Why a card of this stage never moves by dragging (the tooltip of a card that cannot)."""
    if engagement.stage == Stage.CONFIRMATION:
        return _("Confirmed when the client and the technician have both signed the confirmation form.")
    if engagement.stage == Stage.CONFIRMED:
        return _(
            "After the confirmation each stage moves on by its own records (an approved plan, a signed "
            "contract, a passed acceptance…): open the engagement to work on them."
        )
    if engagement.stage in CLOSED:
        return _("The engagement is closed.")
    return ""


def move_for(engagement, user, action):
    """The ``Move`` the user may make with this engagement now, else None. ``action`` is the
    engagement page's RecordAction the move runs (found by the caller from ``Move.action``)."""
    move = MOVES.get(engagement.stage)
    if move is None or action is None:
        return None
    return move if action.available(engagement, user, allowed_actions(engagement, user)) else None


@dataclass
class Card:
    engagement: Engagement
    ball: object
    overdue: object = None  # the earliest open deadline past due, for staff
    move: Move | None = None
    reason: str = ""  # why the card is not draggable
    target_label: str = ""  # the column the move leads to

    @property
    def waiting(self):
        return self.ball.since if self.ball else None


@dataclass
class Column:
    stage: str
    label: str
    cards: list
    count: int
    phase: bool = False  # a phase after the confirmation

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


def build(queryset, user, actions: dict) -> tuple[list[Column], list[Column]]:
    """(open columns, closed columns) of the engagements in ``queryset`` (already filtered and
    limited to what the user may see). ``actions``: the engagement page's RecordActions by key.

    Queries: one for the stages' counts, one per phase's count, one per open column (its cards), the holders
    (``balls_for``: a few per phase) and one for the overdue deadlines — whatever the number of
    cards."""
    phases = dict(downstream())
    queryset = queryset.select_related("client", "holder").order_by()
    stages = [*INTAKE, *phases]
    # The stages' counts in one query from the stage index (intake and closed); each phase's in its
    # own query, its condition in the WHERE clause where PostgreSQL answers the EXISTS as a
    # semi-join (as conditional counts in one query it ran each EXISTS per row: 316 ms at 100k).
    conditions = {
        stage: phase_condition(Engagement, stage) if stage in phases else Q(stage=stage) for stage in stages
    }
    count_of = dict(queryset.values_list("stage").annotate(n=Count("pk", distinct=True)).order_by())
    for stage in phases:
        count_of[stage] = queryset.filter(conditions[stage]).count()
    columns = []
    for stage in stages:
        label = phases.get(stage) or Stage(stage).label
        cards = list(queryset.filter(conditions[stage]).order_by("stage_since", "pk")[:CAP])
        columns.append(Column(stage, str(label), cards, count_of.get(stage, 0), phase=stage in phases))
    closed = [Column(stage, str(Stage(stage).label), [], count_of.get(stage, 0)) for stage in CLOSED]

    labels = {column.stage: column.label for column in columns}
    engagements = [engagement for column in columns for engagement in column.cards]
    balls = balls_for(engagements)
    overdue = _overdue(engagements) if user.client_organization_id is None else {}
    for column in columns:
        cards = []
        for engagement in column.cards:
            engagement.ball = balls.get(engagement.pk)
            move = MOVES.get(engagement.stage)
            move = move_for(engagement, user, actions.get(move.action)) if move else None
            reason = "" if move else why_not_movable(engagement) or _("You may not move this engagement.")
            target = labels.get(move.target, "") if move else ""
            cards.append(Card(engagement, engagement.ball, overdue.get(engagement.pk), move, reason, target))
        # The longest waiting first: who holds the ball since when, once known.
        cards.sort(key=lambda card: card.waiting or timezone.now())
        column.cards = cards
    return columns, closed


def _overdue(engagements) -> dict:
    """``{engagement pk: the earliest open deadline on it that is past due}``; one query."""
    if not engagements:
        return {}
    found: dict = {}
    deadlines = Deadline.objects.open().filter(
        target_type=ContentType.objects.get_for_model(Engagement),
        target_id__in=[e.pk for e in engagements],
        due_at__lt=timezone.now(),
    )
    for deadline in deadlines.order_by("-due_at"):
        found[deadline.target_id] = deadline
    return found
