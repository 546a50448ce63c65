"""Use cases of staff allocation, team building and project costs (RES-4..7).

Every function takes ``actor=``, runs in one transaction, stamps the history and refuses with
``DomainError`` (400) naming the field. Transitions (reallocation decisions, expense approval)
run through ``core.workflow.perform_transition`` from the generic buttons and API actions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.accounts.models import User
from onestop.core import services as core
from onestop.core.attachments import add_attachment
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.costs import alerts
from onestop.costs.models import (
    Allocation,
    CostRate,
    Expense,
    Purchase,
    ReallocationRequest,
    TeamActivity,
    TeamParticipant,
    Timesheet,
)
from onestop.costs.rules import heads
from onestop.notifications.services import notify
from onestop.plans.models import StaffAssignment
from onestop.projects.models import Project, ProjectMember
from onestop.projects.states import ProjectState

HOURS_PER_DAY = Decimal("24")
# The projects people still work on (and book time to).
WORKING_STATES = (ProjectState.OPENED, ProjectState.IN_PROGRESS, ProjectState.COMPLETED)


def _require(actor, permission: str, obj=None) -> None:
    if not actor.has_perm(permission, obj):
        raise PermissionDenied


# --- RES-4: allocations ------------------------------------------------------------------------


@transaction.atomic
def save_allocation(allocation: Allocation, *, actor) -> Allocation:
    _require(actor, "costs.change_allocation" if allocation.pk else "costs.add_allocation", allocation)
    return core.save(allocation, actor=actor)


@transaction.atomic
def allocate_team(project: Project, *, actor) -> list[Allocation]:
    """Allocate every member of the project's team not allocated yet, at their team share, over
    the project's planned period; the plan's staffing fills the share of a member without one."""
    if not actor.has_perm("costs.add_allocation") or not (
        actor.has_perm("costs.change_allocation", Allocation(project=project))
    ):
        raise PermissionDenied
    # Two presses at once allocate once: the second waits for the first (the project's row lock
    # on PostgreSQL, the IMMEDIATE transaction on SQLite) and then finds everyone allocated.
    list(Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True))
    allocated = set(Allocation.objects.filter(project=project).values_list("user_id", flat=True))
    planned = {
        row.user_id: row
        for row in StaffAssignment.objects.filter(version_id=project.plan_version_id).order_by("pk")
    }
    created = []
    for member in ProjectMember.objects.filter(project=project).select_related("user").order_by("pk"):
        if member.user_id in allocated:
            continue
        plan_row = planned.get(member.user_id)
        allocation = Allocation(
            project=project,
            user=member.user,
            role=member.role or (plan_row.role if plan_row else ""),
            percent=member.allocation or (plan_row.allocation if plan_row else 100),
            start=project.actual_start or project.planned_start,
            end=project.planned_end,
            source=Allocation.Source.TEAM,
        )
        created.append(core.save(allocation, actor=actor))
    return created


def unstaffed_roles(projects):
    """The plan's staffing rows of ``projects`` whose person is not on the project's team."""
    members = ProjectMember.objects.filter(project__plan_version=OuterRef("version"), user=OuterRef("user"))
    return (
        StaffAssignment.objects.filter(version__in=projects.values("plan_version"))
        .annotate(staffed=Exists(members))
        .filter(staffed=False)
        .select_related("user", "version__plan__engagement")
    )


@transaction.atomic
def request_reallocation(
    *, actor, project, user, role: str, percent: int, start: date, end: date, reason: str
) -> ReallocationRequest:
    """Ask another department for a person; its head is told and decides."""
    _require(actor, "costs.add_reallocationrequest")
    if user.department_id is None:
        raise DomainError(_("This person belongs to no department; allocate them directly."), field="user")
    request = ReallocationRequest(
        project=project,
        user=user,
        from_department=user.department,
        role=role,
        percent=percent,
        start=start,
        end=end,
        reason=reason,
        requested_by=actor,
    )
    core.save(request, actor=actor)
    heads_ = _department_heads(user.department)
    notify(
        heads_,
        title=_("%(requester)s asks for %(person)s on %(project)s")
        % {
            "requester": actor.display_name,
            "person": user.display_name,
            "project": project.code,
        },
        body=reason,
        url=request.get_absolute_url(),
        target=request,
    )
    return request


def _department_heads(department) -> list:
    result, seen = [], set()
    while department is not None and department.pk not in seen:
        seen.add(department.pk)
        if department.head_id:
            result.append(department.head)
            break  # the nearest head decides; the ones above see it through the department
        department = department.parent
    return result


@transaction.atomic
def edit_reallocation(request: ReallocationRequest, *, actor) -> ReallocationRequest:
    _require(actor, "costs.change_reallocationrequest", request)
    return core.edit(request, actor=actor)


def may_decide(user, request: ReallocationRequest) -> bool:
    return heads(user, request.from_department)


# --- RES-5: team building ------------------------------------------------------------------------


@transaction.atomic
def save_activity(activity: TeamActivity, *, actor) -> TeamActivity:
    _require(actor, "costs.change_teamactivity" if activity.pk else "costs.add_teamactivity", activity)
    if activity.pk is None:
        activity.organizer = actor
    return core.save(activity, actor=actor)


@transaction.atomic
def save_participant(participant: TeamParticipant, *, actor) -> TeamParticipant:
    _require(
        actor, "costs.change_teamparticipant" if participant.pk else "costs.add_teamparticipant", participant
    )
    return core.save(participant, actor=actor)


# --- RES-6: rates and cost entries ----------------------------------------------------------------


def rate_for(user, day: date) -> Decimal:
    """The hourly cost of ``user``'s position on ``day`` (the default rate if the position has
    none; 0 when there is no rate at all — the cost page lists such hours)."""
    rates = CostRate.objects.filter(effective_from__lte=day).order_by("-effective_from")
    rate = None
    if user.position_id:
        rate = rates.filter(position_id=user.position_id).values_list("hourly_rate", flat=True).first()
    if rate is None:
        rate = rates.filter(position__isnull=True).values_list("hourly_rate", flat=True).first()
    return rate or Decimal("0")


def not_allocated_message(user, project, day) -> str:
    return _(
        "%(person)s is not allocated to %(project)s on %(day)s, so the hours cannot be booked there. "
        "Ask the project lead to allocate you (Resources › Staff allocations) first."
    ) % {"person": user.display_name, "project": project.code, "day": day.isoformat()}


def _check_timesheet(timesheet: Timesheet) -> None:
    user, project, day = timesheet.user, timesheet.project, timesheet.day
    if day > timezone.localdate():
        raise DomainError(_("Hours are booked for days already worked, not in advance."), field="day")
    if not Allocation.objects.filter(user=user, project=project, start__lte=day, end__gte=day).exists():
        raise DomainError(not_allocated_message(user, project, day), field="project", code=ErrorCode.REFUSED)
    list(
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True)
    )  # one day's hours are added up in turn
    others = Timesheet.objects.filter(user=user, day=day).exclude(pk=timesheet.pk)
    booked = others.aggregate(total=Sum("hours"))["total"] or Decimal("0")
    if booked + (timesheet.hours or 0) > HOURS_PER_DAY:
        raise DomainError(
            _("%(day)s already has %(booked)s hours booked; a day has 24.")
            % {"day": day.isoformat(), "booked": booked},
            field="hours",
        )


@transaction.atomic
def log_time(
    *, actor, project, day: date, hours: Decimal, task=None, description: str = "", user=None
) -> Timesheet:
    """Book hours: refused on a project the person is not allocated to on that day."""
    user = user or actor
    if user.pk != actor.pk:
        _require(actor, "costs.change_timesheet", Timesheet(user=user, project=project))
    else:
        _require(actor, "costs.add_timesheet")
    timesheet = Timesheet(
        user=user, project=project, day=day, hours=hours, task=task, description=description or ""
    )
    return _save_timesheet(timesheet, actor=actor)


def _save_timesheet(timesheet: Timesheet, *, actor) -> Timesheet:
    if timesheet.day is not None and timesheet.project_id is not None:
        _check_timesheet(timesheet)
        timesheet.rate = rate_for(timesheet.user, timesheet.day)
        timesheet.cost = (timesheet.rate * (timesheet.hours or 0)).quantize(Decimal("0.01"))
    core.save(timesheet, actor=actor)
    alerts.check(timesheet.project)
    return timesheet


@transaction.atomic
def edit_time(timesheet: Timesheet, *, actor) -> Timesheet:
    _require(actor, "costs.change_timesheet", timesheet)
    return _save_timesheet(timesheet, actor=actor)


@transaction.atomic
def claim_expense(
    *, actor, project, category: str, description: str, amount: Decimal, spent_on: date, receipt=None
) -> Expense:
    """A draft expense with its receipt; the claimant submits it for approval."""
    _require(actor, "costs.add_expense")
    expense = Expense(
        project=project,
        category=category,
        description=description,
        amount=amount,
        spent_on=spent_on,
        claimant=actor,
    )
    core.save(expense, actor=actor)
    if receipt is not None:
        add_attachment(expense, receipt, actor=actor, description=_("Receipt"))
    return expense


@transaction.atomic
def edit_expense(expense: Expense, *, actor) -> Expense:
    _require(actor, "costs.change_expense", expense)
    return core.edit(expense, actor=actor)


def after_expense_decision(expense: Expense, *, actor, approved: bool) -> None:
    """The claimant is told; an approved expense counts as spent and may cross a threshold."""
    if approved:
        alerts.check(expense.project)
    title = (
        _("Your expense “%(expense)s” was approved")
        if approved
        else _("Your expense “%(expense)s” was rejected")
    )
    notify(
        [expense.claimant], title=title % {"expense": expense}, url=expense.get_absolute_url(), target=expense
    )


@transaction.atomic
def record_purchase(purchase: Purchase, *, actor) -> Purchase:
    """A purchase for a project; past the approval threshold only management records one."""
    new = purchase.pk is None
    _require(actor, "costs.add_purchase" if new else "costs.change_purchase", purchase)
    if (
        new
        and alerts.spending_blocked(purchase.project)
        and not actor.has_perm("costs.approve_expense", _blocked(purchase))
    ):
        raise DomainError(
            _(
                "%(project)s has spent its budget up to the approval threshold: further purchases need "
                "management's approval and are recorded by management."
            )
            % {"project": purchase.project.code},
            field="project",
            code=ErrorCode.REFUSED,
        )
    if new:
        purchase.recorded_by = actor
    core.save(purchase, actor=actor)
    alerts.check(purchase.project)
    return purchase


def _blocked(purchase: Purchase) -> Expense:
    """A stand-in expense of the purchase's project, to ask the approval rule (RES-6)."""
    return Expense(project=purchase.project, state=Expense.State.SUBMITTED)


@transaction.atomic
def save_rate(rate: CostRate, *, actor) -> CostRate:
    _require(actor, "costs.change_costrate" if rate.pk else "costs.add_costrate", rate)
    return core.save(rate, actor=actor)


# --- "My work" helpers ---------------------------------------------------------------------------


def expected_hours(percent_total: int, working_days: int) -> Decimal:
    return (Decimal(percent_total) * 8 * working_days / 100).quantize(Decimal("0.5"))


def finance_people():
    return User.objects.with_role("finance")


def project_cost_url(project) -> str:
    return reverse("costs:project_costs", args=[project.pk])


def active_allocations(user, start: date, end: date):
    return Allocation.objects.filter(user=user, start__lte=end, end__gte=start).filter(
        Q(project__state__in=WORKING_STATES)
    )
