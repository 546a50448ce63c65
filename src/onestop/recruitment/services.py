"""Every change to hiring needs, candidates, interviews and onboarding (HR-1..HR-3): one function
per use case, called by the pages, the API and the demo data alike.

Decisions:

- A candidate's steps are the transitions of ``Candidate``; the ones that take input (the written
  test's score, the offer, the hire) run here, the others (pass a stage, approve the offer,
  not selected with a reason) through ``perform_transition`` directly.
- An interviewer scores once: the score claims the interview with a conditional UPDATE
  (``scored_at IS NULL``), so of two submissions one wins and the other is told (409).
- The hire creates the staff account with ``accounts.services.create_user`` (the same function as
  the user pages): name, e-mail, phone, department and position of the opening, the start date as
  the day joined, no password (the person sets one through the password reset) and no role (roles
  are granted by the system administrator, accounts/grants.py). The superior and start date are
  on the onboarding programme, assigned in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from onestop.accounts import services as accounts
from onestop.accounts.models import Position, User
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.core.services import save
from onestop.core.workflow import perform_transition
from onestop.notifications.models import Notification
from onestop.notifications.services import notify
from onestop.plans.models import StaffAssignment
from onestop.projects.models import Project, ProjectMember
from onestop.recruitment import states
from onestop.recruitment.models import (
    Candidate,
    Channel,
    HiringNeed,
    Interview,
    Onboarding,
    OnboardingPart,
    OnboardingTask,
    criteria_list,
)
from onestop.recruitment.template import default_parts

SCORE_MIN, SCORE_MAX = 1, 5


def _require(actor, permission: str, obj=None) -> None:
    if actor is not None and not actor.has_perm(permission, obj):
        raise PermissionDenied(_("You may not do this."))


def _hr():
    return list(User.objects.with_role(Role.HR))


# --- staffing gap (the suggestion shown when a need is written) ----------------------------------


def staffing_gap() -> list[dict]:
    """Per position, the people the approved plans and running projects ask for against the
    people who hold that position.

    The rule: demand = the sum of the allocations (%) of every assignment of a holder of the
    position on a running project (opened or in progress) and on an approved plan version whose
    engagement has no project yet; capacity = 100 % per active holder. A gap is shown where demand
    exceeds capacity, in whole persons rounded up. Three queries whatever the number of projects.
    """
    demand: dict[int, int] = defaultdict(int)
    where: dict[int, set[str]] = defaultdict(set)
    members = (
        ProjectMember.objects.filter(
            project__state__in=("opened", "in_progress"), user__position__isnull=False
        )
        .values("user__position_id", "project__code")
        .annotate(total=Sum("allocation"))
    )
    for row in members:
        demand[row["user__position_id"]] += row["total"]
        where[row["user__position_id"]].add(row["project__code"])
    with_project = Project.objects.values("engagement_id")
    planned = (
        StaffAssignment.objects.filter(version__state="approved", user__position__isnull=False)
        .exclude(version__plan__engagement_id__in=with_project)
        .values("user__position_id", "version__plan__engagement__code")
        .annotate(total=Sum("allocation"))
    )
    for plan_row in planned:
        demand[plan_row["user__position_id"]] += plan_row["total"]
        where[plan_row["user__position_id"]].add(plan_row["version__plan__engagement__code"])
    if not demand:
        return []
    holders = dict(
        User.objects.staff()
        .filter(position_id__in=demand)
        .values("position_id")
        .annotate(n=Count("pk"))
        .values_list("position_id", "n")
    )
    positions = {p.pk: p for p in Position.objects.filter(pk__in=demand).select_related("department")}
    rows = []
    for position_id, wanted in demand.items():
        capacity = holders.get(position_id, 0) * 100
        if wanted <= capacity:
            continue
        missing = wanted - capacity
        rows.append(
            {
                "position": positions[position_id],
                "demand": wanted,
                "capacity": capacity,
                "gap_people": -(-missing // 100),
                "where": sorted(where[position_id]),
            }
        )
    rows.sort(key=lambda row: (-row["gap_people"], row["position"].name))
    return rows


# --- hiring needs --------------------------------------------------------------------------------


@transaction.atomic
def record_need(need: HiringNeed, *, actor) -> HiringNeed:
    """A new hiring need, as a draft of the person recording it."""
    _require(actor, "recruitment.add_hiringneed")
    if need.hiring_manager_id is None and need.department_id:
        need.hiring_manager = need.department.head or actor
    need.requested_by = actor
    need.code = next_code("RN")
    return save(need, actor=actor, reason=_("Recorded"))


def _notify_need(need, recipients, title):
    notify(recipients, title=title, url=need.get_absolute_url(), level=Notification.Level.ACTION, target=need)


@transaction.atomic
def submit_need(need, *, actor, comment=""):
    perform_transition(need, "submit", actor=actor, comment=comment)
    _notify_need(
        need,
        User.objects.with_role(Role.MANAGEMENT),
        _("Hiring need %(code)s to approve: %(position)s × %(n)s")
        % {"code": need.code, "position": need.position, "n": need.headcount},
    )
    return need


# --- candidates ----------------------------------------------------------------------------------


@transaction.atomic
def add_candidate(candidate: Candidate, *, actor) -> Candidate:
    _require(actor, "recruitment.add_candidate")
    candidate.code = next_code("CA")
    candidate.stage_since = timezone.now()
    return save(candidate, actor=actor, reason=_("Recorded"))


@transaction.atomic
def schedule_interview(interview: Interview, *, actor) -> Interview:
    """Arrange one round with one interviewer, who is told and finds it on "My work"."""
    _require(actor, "recruitment.add_interview")
    try:
        save(interview, actor=actor, reason=_("Arranged"))
    except IntegrityError:
        raise DomainError(
            _("This interviewer already has this round with the candidate."), field="interviewer"
        ) from None
    notify(
        [interview.interviewer],
        title=_("Interview to hold and score: %(name)s, round %(round)s, %(when)s")
        % {
            "name": interview.candidate.full_name,
            "round": interview.round,
            "when": timezone.localtime(interview.scheduled_at).strftime("%Y-%m-%d %H:%M"),
        },
        url=interview.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=interview,
    )
    return interview


def validate_scores(interview: Interview, scores: list[dict]) -> dict:
    """Field errors of a scoring: every criterion of the opening once, 1–5, each with a comment."""
    wanted = criteria_list(interview.candidate.need.criteria)
    given: dict[str, dict] = {}
    for item in scores or []:
        criterion = str(item.get("criterion", "")).strip()
        given[criterion] = item
    errors = []
    for criterion in wanted:
        found = given.get(criterion)
        if found is None:
            errors.append(_("Score “%(criterion)s”.") % {"criterion": criterion})
            continue
        item = found
        score: int | None
        try:
            score = int(item.get("score"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            score = None
        if (
            score is None
            or not SCORE_MIN <= score <= SCORE_MAX
            or str(score) != str(item.get("score")).strip()
        ):
            errors.append(_("“%(criterion)s” takes a whole number from 1 to 5.") % {"criterion": criterion})
        if not str(item.get("comment", "")).strip():
            errors.append(_("Say why you gave “%(criterion)s” this score.") % {"criterion": criterion})
        elif len(str(item["comment"])) > 2000:
            errors.append(
                _("Keep the comment on “%(criterion)s” under 2,000 characters.") % {"criterion": criterion}
            )
    unknown = set(given) - set(wanted)
    if unknown:
        errors.append(
            _("Not a criterion of this opening: %(names)s.") % {"names": "、".join(sorted(unknown))}
        )
    return {"scores": errors} if errors else {}


@transaction.atomic
def score_interview(
    interview: Interview, *, actor, scores: list[dict], recommendation: str, summary: str = ""
):
    """The interviewer's scores of every criterion (1–5, each with a comment), once."""
    if interview.scored_at is not None:
        raise DomainError(_("You have already scored this interview."), code=ErrorCode.ALREADY_DONE)
    _require(actor, "recruitment.score_interview", interview)
    if interview.candidate.stage != states.Stage.INTERVIEW:
        raise DomainError(
            _("Interviews are scored while the candidate is at the interview stage."),
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    errors = validate_scores(interview, scores)
    if errors:
        raise DomainError(" ".join(errors["scores"]), field="scores", code=ErrorCode.INVALID)
    if recommendation not in Interview.Recommendation.values:
        raise DomainError(_("Choose a recommendation."), field="recommendation", code=ErrorCode.INVALID)
    clean: list[dict] = [
        {"criterion": c, "score": int(item["score"]), "comment": str(item["comment"]).strip()}
        for c in criteria_list(interview.candidate.need.criteria)
        for item in scores
        if str(item.get("criterion", "")).strip() == c
    ]
    average = (Decimal(sum(i["score"] for i in clean)) / len(clean)).quantize(Decimal("0.01"))
    now = timezone.now()
    # Claim it: of two submissions at once, one finds it unscored.
    if not Interview.objects.filter(pk=interview.pk, scored_at__isnull=True).update(scored_at=now):
        raise ConflictError(_("This interview was scored meanwhile."))
    interview.scores = clean
    interview.average = average
    interview.recommendation = recommendation
    interview.summary = summary
    interview.scored_at = now
    save(interview, actor=actor, reason=_("Scored"))
    notify(
        _hr(),
        title=_("%(interviewer)s scored %(name)s (round %(round)s): %(average)s of 5")
        % {
            "interviewer": actor.display_name if actor else "",
            "name": interview.candidate.full_name,
            "round": interview.round,
            "average": average,
        },
        url=interview.candidate.get_absolute_url(),
        target=interview.candidate,
    )
    return interview


@transaction.atomic
def record_test(candidate: Candidate, *, actor, score, note: str = "", comment: str = ""):
    """The written test's score (0–100); the candidate moves on to the background check."""
    if score is None or not Decimal(0) <= Decimal(score) <= Decimal(100):
        raise DomainError(_("The score is from 0 to 100."), field="score", code=ErrorCode.INVALID)
    perform_transition(candidate, "record_test", actor=actor, comment=comment, score=score, note=note)
    return candidate


@transaction.atomic
def propose_offer(
    candidate: Candidate, *, actor, background_note, salary, start_date, superior, terms: str = "", comment=""
):
    """The background check's result and the offer, put to management for approval."""
    if not (background_note or "").strip():
        raise DomainError(_("Record the result of the background check."), field="background_note")
    if salary is None or Decimal(salary) <= 0:
        raise DomainError(_("Give the monthly salary offered."), field="salary", code=ErrorCode.INVALID)
    if start_date is None or start_date < timezone.localdate():
        raise DomainError(
            _("The start date cannot be in the past."), field="start_date", code=ErrorCode.INVALID
        )
    if superior is None or superior.client_organization_id is not None or not superior.is_active:
        raise DomainError(
            _("Name the superior, a member of staff."), field="superior", code=ErrorCode.INVALID
        )
    perform_transition(
        candidate,
        "propose_offer",
        actor=actor,
        comment=comment,
        background_note=background_note,
        salary=salary,
        start_date=start_date,
        superior=superior,
        terms=terms,
    )
    notify(
        User.objects.with_role(Role.MANAGEMENT),
        title=_("Offer to approve: %(name)s for %(position)s")
        % {"name": candidate.full_name, "position": candidate.need.position},
        url=candidate.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=candidate,
    )
    return candidate


def _username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


@transaction.atomic
def hire(candidate: Candidate, *, actor, username: str, employee_no: str = "", comment: str = ""):
    """Create the staff account of an accepted candidate and assign the onboarding programme."""
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("need", "offer_superior")
        .get(pk=candidate.pk)
    )
    if candidate.stage != states.Stage.ACCEPTED:
        raise DomainError(
            _("Only a candidate who accepted the offer is hired."), code=ErrorCode.NOT_POSSIBLE_NOW
        )
    _require(actor, "recruitment.advance_candidate", candidate)
    username = (username or "").strip()
    if not username:
        raise DomainError(_("Choose the log-in name of the new account."), field="username")
    if _username_taken(username):
        raise DomainError(_("The log-in name “%(name)s” is taken.") % {"name": username}, field="username")
    need = candidate.need
    start = candidate.offer_start_date or timezone.localdate()
    user = accounts.create_user(
        actor=actor,
        password=None,
        username=username,
        full_name=candidate.full_name,
        email=candidate.email,
        phone=candidate.phone,
        employee_no=employee_no,
        department=need.department,
        position=need.position,
        date_joined=timezone.make_aware(datetime.combine(start, time(9, 0))),
    )
    perform_transition(candidate, "hire", actor=actor, comment=comment, user=user)
    superior = candidate.offer_superior or need.hiring_manager
    assign_onboarding(user=user, superior=superior, start_date=start, actor=actor, candidate=candidate)
    return candidate


# --- onboarding ----------------------------------------------------------------------------------


@transaction.atomic
def assign_onboarding(*, user, superior, start_date, actor, candidate=None) -> Onboarding:
    """The onboarding programme of ``user``: one part per active part of the template, each due
    its number of days after the start."""
    _require(actor, "recruitment.add_onboarding")
    if Onboarding.objects.filter(user=user).exists():
        raise DomainError(
            _("%(name)s already has an onboarding programme.") % {"name": user.display_name}, field="user"
        )
    if not OnboardingPart.objects.exists():
        for part in default_parts(OnboardingPart):  # the policy's five parts, HR adapts them later
            save(part, actor=actor, reason=_("The policy's onboarding programme"))
    parts = list(OnboardingPart.objects.filter(is_active=True).order_by("order", "pk"))
    if not parts:
        raise DomainError(_("The onboarding template has no part in use; HR sets it up first."))
    onboarding = Onboarding(
        user=user, superior=superior, start_date=start_date, candidate=candidate, assigned_by=actor
    )
    try:
        save(onboarding, actor=actor, reason=_("Assigned"))
    except IntegrityError:
        raise ConflictError(_("%(name)s was just given a programme.") % {"name": user.display_name}) from None
    tasks = [
        OnboardingTask(
            onboarding=onboarding,
            topic=part.topic,
            title=part.title,
            content=part.content,
            order=part.order,
            due_date=start_date + timedelta(days=part.due_days),
            has_test=part.has_test,
            pass_score=part.pass_score,
        )
        for part in parts
    ]
    for task in tasks:
        task._history_user = actor
        task.save()
    notify(
        [user, superior],
        title=_("Onboarding programme of %(name)s: %(n)s parts from %(date)s")
        % {"name": user.display_name, "n": len(tasks), "date": start_date.strftime("%Y-%m-%d")},
        url=onboarding.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=onboarding,
    )
    return onboarding


@transaction.atomic
def complete_task(task: OnboardingTask, *, actor, note: str = "", score=None, comment: str = ""):
    """The new hire marks a part done; a part with a test takes its score (0–100)."""
    if task.has_test:
        if score is None:
            raise DomainError(_("Give the score of this part's test."), field="score", code=ErrorCode.INVALID)
        if not Decimal(0) <= Decimal(score) <= Decimal(100):
            raise DomainError(_("The score is from 0 to 100."), field="score", code=ErrorCode.INVALID)
    else:
        score = None
    perform_transition(task, "complete", actor=actor, comment=comment, note=note, score=score)
    onboarding = task.onboarding
    recipients = [onboarding.superior, *_hr()]
    notify(
        recipients,
        title=_("%(name)s completed “%(part)s”: please acknowledge")
        % {"name": onboarding.user.display_name, "part": task.title},
        url=task.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=onboarding,
    )
    return task


@transaction.atomic
def acknowledge_task(task: OnboardingTask, *, actor, comment: str = ""):
    """HR or the superior acknowledges a completed part; a failed test is sent back, not acknowledged."""
    _require(actor, "recruitment.acknowledge_onboardingtask", task)
    if task.passed is False:
        raise DomainError(
            _("The test score %(score)s is below the pass score %(pass)s: ask to redo the part.")
            % {"score": task.test_score, "pass": task.pass_score},
            code=ErrorCode.CONDITION_UNMET,
        )
    perform_transition(task, "acknowledge", actor=actor, comment=comment)
    onboarding = Onboarding.objects.select_for_update().get(pk=task.onboarding_id)
    if not onboarding.tasks.exclude(state=OnboardingTask.State.ACKNOWLEDGED).exists():
        onboarding.completed_at = timezone.now()
        save(onboarding, actor=actor, reason=_("Every part acknowledged"))
        notify(
            [onboarding.user, onboarding.superior, *_hr()],
            title=_("Onboarding of %(name)s completed") % {"name": onboarding.user.display_name},
            url=onboarding.get_absolute_url(),
            target=onboarding,
        )
    return task


@transaction.atomic
def redo_task(task: OnboardingTask, *, actor, reason: str):
    if not (reason or "").strip():
        raise DomainError(_("Say what to redo."), field="reason")
    perform_transition(task, "redo", actor=actor, comment=reason)
    notify(
        [task.onboarding.user],
        title=_("Please redo “%(part)s”") % {"part": task.title},
        body=reason,
        url=task.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=task.onboarding,
    )
    return task


# --- the figures of an opening -------------------------------------------------------------------


def figures(need: HiringNeed) -> dict:
    """Time in stage and source-to-hire of one opening (HR-2), in three queries.

    Time in stage: for every candidate, the days from entering a stage (the application, then each
    logged transition) to leaving it — or to now for the stage they are in; averaged per stage.
    Source-to-hire: per source, the candidates, those who reached an interview, an offer and the
    hire, and the average days from the application to the hire.
    """
    candidates = list(need.candidates.all())
    if not candidates:
        return {"stages": [], "sources": [], "total": 0}
    content_type = ContentType.objects.get_for_model(Candidate)
    logs = defaultdict(list)
    for log in (
        StateLog.objects.filter(content_type=content_type, object_id__in=[c.pk for c in candidates])
        .order_by("timestamp", "pk")
        .values("object_id", "source_state", "state", "timestamp")
    ):
        logs[log["object_id"]].append(log)
    now = timezone.now()
    spent: dict[str, list[float]] = defaultdict(list)
    reached: dict[int, set[str]] = defaultdict(set)
    for candidate in candidates:
        entered, stage = candidate.created_at, states.Stage.SCREENING.value
        for log in logs[candidate.pk]:
            spent[stage].append((log["timestamp"] - entered).total_seconds() / 86400)
            reached[candidate.pk].add(stage)
            entered, stage = log["timestamp"], log["state"]
        reached[candidate.pk].add(stage)
        if stage in states.PIPELINE and stage != states.Stage.HIRED:
            spent[stage].append((now - entered).total_seconds() / 86400)
    stage_rows = [
        {
            "stage": stage,
            "label": stage.label,
            "candidates": len(spent[stage.value]),
            "average_days": round(sum(spent[stage.value]) / len(spent[stage.value]), 1),
        }
        for stage in states.PIPELINE
        if stage != states.Stage.HIRED and spent[stage.value]
    ]
    by_source: dict[str, list] = defaultdict(list)
    for candidate in candidates:
        by_source[candidate.source].append(candidate)
    offer_reached = {s.value for s in states.OFFER_STAGES}
    source_rows = []
    for source, rows in sorted(by_source.items(), key=lambda item: -len(item[1])):
        hired = [c for c in rows if c.stage == states.Stage.HIRED]
        days = [(timezone.localdate(c.hired_at) - c.applied_on).days for c in hired if c.hired_at]
        source_rows.append(
            {
                "source": source,
                "label": Channel(source).label,
                "candidates": len(rows),
                "interviewed": sum(1 for c in rows if states.Stage.INTERVIEW.value in reached[c.pk]),
                "offers": sum(1 for c in rows if reached[c.pk] & offer_reached),
                "hired": len(hired),
                "hire_rate": round(100 * len(hired) / len(rows)),
                "days_to_hire": round(sum(days) / len(days), 1) if days else None,
            }
        )
    return {"stages": stage_rows, "sources": source_rows, "total": len(candidates)}
