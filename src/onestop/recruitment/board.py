"""The candidate board (HR-2): a column per stage of states.PIPELINE, each with its first ``CAP``
cards and its count, the closed stages folded as counts. A fixed number of queries whatever the
number of candidates: one count per stage (one grouped query) and one page of cards per column.

A card moves only to the next column, by the step that leads there (``MOVES``), and only when the
user may take that step: the same transition (or the same page action) as on the candidate's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from onestop.core.workflow import allowed_actions
from onestop.recruitment import states
from onestop.recruitment.models import with_scored_flag

CAP = 12


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    transition: str  # the candidate's transition
    action: str | None = None  # the candidate page's RecordAction that runs it, when it takes input
    title: str = ""


S = states.Stage
MOVES = {
    move.source: move
    for move in (
        Move(S.SCREENING, S.INTERVIEW, "pass_screening", title=_("Pass the resume screening")),
        Move(S.INTERVIEW, S.WRITTEN_TEST, "pass_interviews", title=_("Pass the interviews")),
        Move(S.WRITTEN_TEST, S.BACKGROUND, "record_test", "record_test", _("Record the written test")),
        Move(S.BACKGROUND, S.OFFER_PROPOSED, "propose_offer", "propose_offer", _("Propose the offer")),
        Move(S.OFFER_PROPOSED, S.OFFER_MADE, "approve_offer", title=_("Approve the offer")),
        Move(S.OFFER_MADE, S.ACCEPTED, "accept_offer", title=_("Offer accepted")),
        Move(S.ACCEPTED, S.HIRED, "hire", "hire", _("Hire")),
    )
}


def move_for(candidate, user):
    """The move the user may make with this card now, or None."""
    move = MOVES.get(candidate.stage)
    if move is None:
        return None
    allowed = allowed_actions(candidate, user)
    if move.transition not in allowed or move.transition in allowed.blocked:
        return None
    return move


def why_not(candidate, user) -> str:
    move = MOVES.get(candidate.stage)
    if move is None:
        return str(_("The candidate's selection is over."))
    allowed = allowed_actions(candidate, user)
    if move.transition in allowed.blocked:
        return str(allowed.blocked[move.transition])
    return str(_("You may not take this step."))


def build(queryset, user):
    counts = dict(queryset.order_by().values_list("stage").annotate(n=Count("pk")))
    labels = dict(states.Stage.choices)
    columns = []
    for stage in states.PIPELINE:
        cards = []
        rows = list(
            with_scored_flag(queryset.filter(stage=stage))
            .select_related("need__position")
            .order_by("stage_since", "pk")[:CAP]
        )
        for candidate in rows:
            move = move_for(candidate, user)
            cards.append(
                {
                    "candidate": candidate,
                    "move": move,
                    "target_label": labels.get(move.target) if move else "",
                    "reason": "" if move else why_not(candidate, user),
                }
            )
        count = counts.get(stage.value, 0)
        columns.append(
            {
                "stage": stage.value,
                "label": stage.label,
                "cards": cards,
                "count": count,
                "more": count - len(rows),
            }
        )
    closed = [
        {"stage": stage.value, "label": stage.label, "count": counts.get(stage.value, 0)}
        for stage in states.CLOSED_STAGES
    ]
    return columns, closed
