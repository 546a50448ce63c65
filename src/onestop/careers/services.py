"""Every change to incentives and careers (HR-9, HR-10): one function per use case, called by the
pages, the API and the demo loader alike (``actor=``, atomic, history, notifications after the
commit). The plain steps (submit, approve, reject, open voting, announce, agree, complete) are
generic transitions (core.workflow.perform_transition); their side effects live in the
transition methods (models.py): an approved move changes the position through
``people.services.move_person``, the announcement gives the winners their recognition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from onestop.accounts.models import User
from onestop.careers.models import (
    DevelopmentPlan,
    DevelopmentReview,
    Incentive,
    IncentiveKind,
    Nomination,
    PositionMove,
    Recognition,
    Selection,
    Vote,
)
from onestop.careers.rules import sees_all_people
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.services import edit, save
from onestop.notifications.models import Notification
from onestop.notifications.services import notify
from onestop.people.access import superior_of, supervises
from onestop.people.models import ResultAction
from onestop.people.services import MOVES


def _require(actor, perm: str, obj=None) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied


def active_managers():
    return User.objects.with_role("management").filter(is_active=True)


def _for_own_people(actor, person, field: str = "employee") -> None:
    """HR proposes for anyone; a superior for the people of the departments they head."""
    if person is None or actor is None:
        return
    if person.pk == actor.pk:
        raise DomainError(_("Nobody proposes this for themselves."), field=field, code=ErrorCode.INVALID)
    if not sees_all_people(actor) and not supervises(actor, person):
        raise DomainError(
            _("Choose someone of the departments you head."), field=field, code=ErrorCode.INVALID
        )


# --- HR-9: recognition, incentives -------------------------------------------------------------


@transaction.atomic
def save_recognition(recognition: Recognition, *, actor, reason: str = "") -> Recognition:
    """Propose (new) or change a proposed recognition; management is told of a new one."""
    if recognition.pk is None:
        _require(actor, "careers.add_recognition")
        _for_own_people(actor, recognition.employee if recognition.employee_id else None)
        recognition.proposed_by = actor
        save(recognition, actor=actor, reason=reason or _("Proposed"))
        notify(
            active_managers(),
            title=_("To approve: %(record)s") % {"record": recognition},
            url=recognition.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=recognition,
        )
        return recognition
    _require(actor, "careers.change_recognition", recognition)
    return edit(recognition, actor=actor, reason=reason)


@transaction.atomic
def save_incentive(incentive: Incentive, *, actor, reason: str = "") -> Incentive:
    """Draft (new) or change a draft incentive."""
    if incentive.pk is None:
        _require(actor, "careers.add_incentive")
        _for_own_people(actor, incentive.employee if incentive.employee_id else None)
        incentive.proposed_by = actor
        return save(incentive, actor=actor, reason=reason or _("Drafted"))
    _require(actor, "careers.change_incentive", incentive)
    return edit(incentive, actor=actor, reason=reason)


@dataclass(frozen=True)
class PayrollTotal:
    period: str
    currency: str
    kind: str
    count: int
    amount: Decimal

    @property
    def kind_label(self) -> str:
        return str(IncentiveKind(self.kind).label)


def payroll_totals(rows) -> list[PayrollTotal]:
    """The totals of ``rows`` (incentives) per month, currency and kind — one GROUP BY."""
    grouped = (
        rows.order_by()
        .values("period", "currency", "kind")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .order_by("-period", "currency", "kind")
    )
    return [PayrollTotal(**row) for row in grouped]


def payroll_by_person(rows) -> list[dict]:
    """The totals of ``rows`` (one month's incentives) per person, currency and kind — one GROUP BY."""
    return list(
        rows.order_by()
        .values("employee__full_name", "employee__department__name", "currency", "kind")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .order_by("employee__full_name", "currency", "kind")
    )


# --- HR-9: the outstanding-employee selection --------------------------------------------------


@transaction.atomic
def nominate(selection: Selection, *, actor, nominee, reason: str) -> Nomination:
    """A superior (for the people they head) or HR puts a person forward while nominations are open."""
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    _require(actor, "careers.add_nomination", selection)
    _for_own_people(actor, nominee, field="nominee")
    if Nomination.objects.filter(selection=selection, nominee=nominee).exists():
        raise DomainError(
            _("%(name)s is already nominated.") % {"name": nominee.display_name},
            field="nominee",
            code=ErrorCode.INVALID,
        )
    nomination = Nomination(selection=selection, nominee=nominee, reason=reason, nominated_by=actor)
    return save(nomination, actor=actor, reason=_("Nominated"))


@transaction.atomic
def save_nomination(nomination: Nomination, *, actor, reason: str = "") -> Nomination:
    if nomination.pk is None:
        return nominate(
            nomination.selection, actor=actor, nominee=nomination.nominee, reason=nomination.reason
        )
    _require(actor, "careers.change_nomination", nomination)
    return edit(nomination, actor=actor, reason=reason)


@transaction.atomic
def vote(selection: Selection, *, actor, nomination: Nomination) -> Vote:
    """The actor's one secret vote in ``selection`` (never for themselves; a second vote is refused:
    the voter changes the one they cast instead, while voting is open)."""
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    _require(actor, "careers.add_vote", selection)
    if Vote.objects.filter(selection=selection, voter=actor).exists():
        raise DomainError(
            _("You have already voted in this selection."), field="nomination", code=ErrorCode.ALREADY_DONE
        )
    ballot = Vote(selection=selection, nomination=nomination, voter=actor)
    return save(ballot, actor=actor, reason=_("Voted"))


@transaction.atomic
def save_vote(ballot: Vote, *, actor, reason: str = "") -> Vote:
    if ballot.pk is None:
        return vote(ballot.selection, actor=actor, nomination=ballot.nomination)
    _require(actor, "careers.change_vote", ballot)
    return edit(ballot, actor=actor, reason=reason)


# --- HR-10: development plans and position moves ----------------------------------------------


@transaction.atomic
def save_plan(plan: DevelopmentPlan, *, actor, reason: str = "") -> DevelopmentPlan:
    """Start (new: the superior defaults to the person's direct superior) or change a draft plan."""
    if plan.pk is None:
        _require(actor, "careers.add_developmentplan")
        if plan.superior_id is None and plan.employee_id:
            plan.superior = superior_of(plan.employee) or actor
        return save(plan, actor=actor, reason=reason or _("Started"))
    _require(actor, "careers.change_developmentplan", plan)
    return edit(plan, actor=actor, reason=reason)


@transaction.atomic
def save_review(review: DevelopmentReview, *, actor, reason: str = "") -> DevelopmentReview:
    """Record (or correct) a review of a running plan; its next review date becomes the plan's."""
    plan = DevelopmentPlan.objects.select_for_update().get(pk=review.plan_id)
    _require(actor, "careers.review_developmentplan", plan)
    if review.pk is None:
        review.recorded_by = actor
        save(review, actor=actor, reason=reason or _("Reviewed"))
    else:
        edit(review, actor=actor, reason=reason)
    if review.next_review_on and review.next_review_on != plan.next_review_on:
        plan.next_review_on = review.next_review_on
        plan._history_user = actor
        plan._change_reason = _("Reviewed")
        plan.save(update_fields=["next_review_on", "updated_at"])
    return review


@transaction.atomic
def save_move(move: PositionMove, *, actor, reason: str = "") -> PositionMove:
    """Propose (new: the person's present position and department are recorded as the start)
    or change a proposed promotion or rotation; management is told of a new one."""
    if move.pk is None:
        _require(actor, "careers.add_positionmove")
        person = move.employee if move.employee_id else None
        _for_own_people(actor, person)
        move.proposed_by = actor
        if person is not None:
            move.from_position_id = person.position_id
            move.from_department_id = person.department_id
        save(move, actor=actor, reason=reason or _("Proposed"))
        notify(
            active_managers(),
            title=_("To approve: %(record)s") % {"record": move},
            url=move.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=move,
        )
        return move
    _require(actor, "careers.change_positionmove", move)
    return edit(move, actor=actor, reason=reason)


@dataclass(frozen=True)
class CareerStep:
    """One change of position in a person's career, whichever record made it."""

    effective_on: date | None
    kind: str
    from_position: str
    to_position: str
    to_department: str
    reason: str
    url: str
    source: str


def career_history(person, user) -> list[CareerStep]:
    """The approved promotions, rotations, transfers and demotions of ``person`` — position moves
    of this app and appraisal result actions alike (both change the position through
    ``people.services.move_person``) — that ``user`` may see, newest first. Two queries."""
    moves = (
        PositionMove.objects.visible_to(user)
        .filter(employee=person, state=PositionMove.State.APPROVED)
        .select_related("from_position", "to_position", "to_department")
    )
    actions = (
        ResultAction.objects.visible_to(user)
        .filter(employee=person, state=ResultAction.State.APPROVED, kind__in=MOVES)
        .select_related("new_position__department")
    )
    steps = [
        CareerStep(
            effective_on=move.effective_on,
            kind=move.get_kind_display(),
            from_position=str(move.from_position or "—"),
            to_position=str(move.to_position),
            to_department=str(move.to_department or move.to_position.department or "—"),
            reason=move.reason,
            url=move.get_absolute_url(),
            source=capfirst(PositionMove._meta.verbose_name),
        )
        for move in moves
    ]
    steps += [
        CareerStep(
            effective_on=action.effective_on or (action.decided_at.date() if action.decided_at else None),
            kind=action.get_kind_display(),
            from_position="—",
            to_position=str(action.new_position),
            to_department=str(action.new_position.department or "—"),
            reason=action.reason,
            url=action.get_absolute_url(),
            source=capfirst(ResultAction._meta.verbose_name),
        )
        for action in actions
    ]
    return sorted(steps, key=lambda step: step.effective_on or date.min, reverse=True)
