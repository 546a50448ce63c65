"""Every change to appraisals, skills and training (HR-3..HR-8): one function per use case, called
by the pages, the API, the demo loader and the periodic jobs alike (``actor=``, atomic, history).

Decisions:

- A cycle opens one appraisal per member of staff whose position has an active indicator
  template and who has a superior; the template is fixed on the appraisal (a later version does
  not change it) and marked used, so it no longer changes.
- Computed indicators are filled when the cycle opens and again on "refresh figures" while the
  superior scores (metrics.py: one aggregate query per kind of figure for all the people).
- The final score and grade are computed when the superior submits and again when HR closes
  (a quarter's months may have closed since): grading.py holds the arithmetic.
- An approved promotion, demotion or transfer changes the person's position (the user's history
  keeps the former one).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from onestop.accounts.models import User
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.services import save
from onestop.core.workflow import perform_transition
from onestop.notifications.models import Notification
from onestop.notifications.services import notify
from onestop.people import grading, metrics
from onestop.people.access import superior_of
from onestop.people.computed import BY_CODE
from onestop.people.models import (
    ActionKind,
    Appraisal,
    AppraisalScore,
    CheckIn,
    Cycle,
    Enrolment,
    ImprovementPlan,
    IndicatorTemplate,
    PersonSkill,
    ResultAction,
    SkillSource,
)
from onestop.people.states import AppraisalState, EnrolmentState

CERTIFICATE_WARNING_DAYS = 60  # a certificate expiring within this many days is shown and reminded


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _require(actor, perm: str, obj=None) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied


def _stamp(obj, actor, reason: str) -> None:
    obj._history_user = actor
    obj._change_reason = reason


# --- HR-5: indicator templates -----------------------------------------------------------------


@transaction.atomic
def new_template_version(template: IndicatorTemplate, *, actor) -> IndicatorTemplate:
    """A copy of ``template`` with the next version number; it becomes the active one."""
    _require(actor, "people.add_indicatortemplate")
    latest = (
        IndicatorTemplate.objects.filter(position=template.position).order_by("-version").first() or template
    )
    indicators = list(template.indicators.all())
    IndicatorTemplate.objects.filter(position=template.position, is_active=True).update(is_active=False)
    copy = IndicatorTemplate(
        position=template.position,
        version=latest.version + 1,
        title=template.title,
        notes=template.notes,
        is_active=True,
    )
    save(copy, actor=actor, reason=_("New version of v%(version)s") % {"version": template.version})
    for indicator in indicators:
        indicator.pk = None
        indicator.template = copy
        _stamp(indicator, actor, _("Copied"))
    bulk_create_with_history(
        indicators, type(indicators[0]) if indicators else AppraisalScore, default_user=actor
    )
    return copy


def check_template(template: IndicatorTemplate) -> None:
    weights = [indicator.weight for indicator in template.indicators.all()]
    if not weights or sum(weights) != 100:
        raise DomainError(
            _("The weights of “%(template)s” add up to %(total)s%%; they must add up to 100%%.")
            % {"template": template, "total": sum(weights) if weights else 0},
            code=ErrorCode.GATE_NOT_MET,
        )


# --- HR-6: cycles ------------------------------------------------------------------------------


@transaction.atomic
def open_cycle(*, actor, kind: str, year: int, number: int, people=None, **options) -> Cycle:
    """Open a cycle and one appraisal per person (default: every active member of staff whose
    position has an active, complete template and who has a superior)."""
    _require(actor, "people.add_cycle")
    cycle = Cycle(kind=kind, year=year, number=number, opened_by=actor, **options)
    try:
        save(cycle, actor=actor, reason=_("Opened"))
    except IntegrityError:
        raise ConflictError(_("This cycle is already open.")) from None
    templates = {
        t.position_id: t
        for t in IndicatorTemplate.objects.filter(is_active=True).prefetch_related("indicators")
    }
    candidates = (
        people if people is not None else User.objects.staff().filter(is_active=True, position__isnull=False)
    )
    created = []
    for person in (
        candidates.select_related("department") if hasattr(candidates, "select_related") else candidates
    ):
        template = templates.get(person.position_id)
        superior = superior_of(person)
        if template is None or superior is None:
            continue
        check_template(template)
        appraisal = Appraisal(
            cycle=cycle,
            employee=person,
            superior=superior,
            template=template,
            department_id=person.department_id,
            state=AppraisalState.SELF_ASSESSMENT if cycle.self_assessment else AppraisalState.SCORING,
        )
        save(appraisal, actor=actor, reason=_("Opened with the cycle"))
        created.append(appraisal)
    scores = [
        AppraisalScore(appraisal=appraisal, indicator=indicator)
        for appraisal in created
        for indicator in appraisal.template.indicators.all()
    ]
    if scores:
        bulk_create_with_history(
            scores, AppraisalScore, default_user=actor, default_change_reason=_("Opened")
        )
    used = {appraisal.template_id for appraisal in created}
    IndicatorTemplate.objects.filter(pk__in=used, first_used_at__isnull=True).update(
        first_used_at=timezone.now()
    )
    compute_figures(created, actor=actor)
    if created:
        first_step = _("self-assessment") if cycle.self_assessment else _("scoring")
        notify(
            [a.employee for a in created] if cycle.self_assessment else list({a.superior for a in created}),
            title=_("%(cycle)s has opened: %(step)s") % {"cycle": cycle, "step": first_step},
            url=reverse("people:appraisal_list"),
            level=Notification.Level.ACTION,
            target=cycle,
        )
    return cycle


def compute_figures(appraisals, *, actor) -> int:
    """Fill the computed indicators of ``appraisals`` (one aggregate query per kind of figure)."""
    appraisals = list(appraisals)
    if not appraisals:
        return 0
    scores = list(
        AppraisalScore.objects.filter(appraisal__in=appraisals, indicator__source__gt="").select_related(
            "indicator", "appraisal__cycle"
        )
    )
    by_period: dict[tuple, set[int]] = {}
    for score in scores:
        cycle = score.appraisal.cycle
        key = (score.indicator.source, cycle.starts_on, cycle.ends_on)
        by_period.setdefault(key, set()).add(score.appraisal.employee_id)
    answers = {
        key: metrics.figures(key[0], sorted(people), key[1], key[2]) for key, people in by_period.items()
    }
    for score in scores:
        cycle = score.appraisal.cycle
        figure = answers[(score.indicator.source, cycle.starts_on, cycle.ends_on)].get(
            score.appraisal.employee_id
        )
        if figure is None:  # nothing in the period: a count is 0, a share or an average has no value
            figure = metrics.Figure(Decimal(0) if BY_CODE[score.indicator.source].is_count else None, 0)
        score.computed_value = figure.value
        score.computed_count = figure.count
        _stamp(score, actor, _("Figures computed"))
    if scores:
        bulk_update_with_history(
            scores,
            AppraisalScore,
            ["computed_value", "computed_count"],
            default_user=actor,
            default_change_reason=_("Figures computed"),
        )
    Appraisal.objects.filter(pk__in=[a.pk for a in appraisals]).update(computed_at=timezone.now())
    return len(scores)


@transaction.atomic
def refresh_figures(appraisal: Appraisal, *, actor) -> int:
    _require(actor, "people.refresh_appraisal", appraisal)
    return compute_figures([appraisal], actor=actor)


# --- HR-7: the evaluation ----------------------------------------------------------------------


def _scores_by_id(appraisal):
    return {score.pk: score for score in appraisal.scores.select_related("indicator")}


def _field_error(score, message):
    return DomainError(message, field=f"score_{score.pk}", code=ErrorCode.INVALID)


@transaction.atomic
def self_assess(
    appraisal: Appraisal, *, actor, scores: dict[int, int | None], comment: str = ""
) -> Appraisal:
    """The employee's optional self-assessment: a score per indicator (may be left empty) and a
    comment; then the superior scores."""
    rows = _scores_by_id(appraisal)
    changed = []
    for pk, value in scores.items():
        row = rows.get(int(pk))
        if row is None:
            continue
        if value is not None and not 0 <= int(value) <= 100:
            raise _field_error(row, _("A score is from 0 to 100."))
        row.self_score = value
        _stamp(row, actor, _("Self-assessed"))
        changed.append(row)
    appraisal.self_comment = comment
    perform_transition(appraisal, "submit_self", actor=actor, comment="")
    if changed:
        bulk_update_with_history(changed, AppraisalScore, ["self_score"], default_user=actor)
    notify(
        [appraisal.superior],
        title=_("%(name)s has assessed themself: %(cycle)s")
        % {"name": appraisal.employee.display_name, "cycle": appraisal.cycle},
        url=appraisal.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=appraisal,
    )
    return appraisal


@transaction.atomic
def score(
    appraisal: Appraisal,
    *,
    actor,
    scores: dict[int, tuple[int | None, str]],
    comment: str = "",
    submit: bool = True,
) -> Appraisal:
    """The superior's scores (0–100) with a comment for every indicator. ``submit=False`` keeps a
    draft; submitting needs every indicator scored and commented, then the employee reads it."""
    appraisal = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    if appraisal.state != AppraisalState.SCORING:
        raise ConflictError(_("The scores can no longer be changed: the appraisal has moved on."))
    _require(actor, "people.score_appraisal", appraisal)
    rows = _scores_by_id(appraisal)
    for pk, (value, text) in scores.items():
        row = rows.get(int(pk))
        if row is None:
            continue
        if value is not None and not 0 <= int(value) <= 100:
            raise _field_error(row, _("A score is from 0 to 100."))
        row.score = value
        row.comment = text or ""
        _stamp(row, actor, _("Scored"))
    if submit:
        for row in rows.values():
            if row.score is None:
                raise _field_error(row, _("Score “%(indicator)s”.") % {"indicator": row.indicator.name})
            if not row.comment.strip():
                raise _field_error(
                    row, _("Comment on the score of “%(indicator)s”.") % {"indicator": row.indicator.name}
                )
    for row in rows.values():
        if len(row.comment) > 2000:
            raise _field_error(row, _("A comment has at most 2000 characters."))
    bulk_update_with_history(list(rows.values()), AppraisalScore, ["score", "comment"], default_user=actor)
    appraisal.superior_comment = comment
    if not submit:
        save(appraisal, actor=actor, reason=_("Scores saved"))
        return appraisal
    appraisal.own_score = grading.weighted_total((row.indicator.weight, row.score) for row in rows.values())
    apply_rollup(appraisal)
    perform_transition(appraisal, "submit_scores", actor=actor, comment="")
    notify(
        [appraisal.employee],
        title=_("Your appraisal %(cycle)s is ready to read") % {"cycle": appraisal.cycle},
        url=appraisal.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=appraisal,
    )
    return appraisal


def parts_of(appraisal: Appraisal) -> list[Appraisal]:
    """The closed appraisals of the same person this one is built on (its months or quarters)."""
    cycle = appraisal.cycle
    if not cycle.part_kind:
        return []
    return list(
        Appraisal.objects.filter(
            employee_id=appraisal.employee_id,
            cycle__kind=cycle.part_kind,
            cycle__year=cycle.year,
            cycle__number__in=cycle.part_numbers(),
            state=AppraisalState.CLOSED,
        )
        .select_related("cycle")
        .order_by("cycle__number")
    )


def apply_rollup(appraisal: Appraisal) -> None:
    """Set the roll-up, the final score and the grade by the cycle's rule (grading.py)."""
    cycle = appraisal.cycle
    numbers = cycle.part_numbers()
    if numbers:
        found = {part.cycle.number: part.final_score for part in parts_of(appraisal)}
        parts = {position: found.get(number) for position, number in enumerate(numbers, start=1)}
        appraisal.rollup_score = grading.roll_up(
            parts, method=cycle.rollup_method, weights=grading.parse_weights(cycle.part_weights)
        )
        appraisal.final_score = grading.final_score(
            appraisal.own_score, appraisal.rollup_score, cycle.rollup_share
        )
    else:
        appraisal.rollup_score = None
        appraisal.final_score = appraisal.own_score
    appraisal.grade = grading.grade_of(appraisal.final_score)


@transaction.atomic
def acknowledge(appraisal: Appraisal, *, actor, comment: str = "") -> Appraisal:
    appraisal.employee_comment = comment
    perform_transition(appraisal, "acknowledge", actor=actor, comment="")
    return appraisal


@transaction.atomic
def appeal(appraisal: Appraisal, *, actor, reason: str, comment: str = "") -> Appraisal:
    if not (reason or "").strip():
        raise DomainError(_("Say why you appeal."), field="reason", code=ErrorCode.INVALID)
    appraisal.appeal_reason = reason
    appraisal.employee_comment = comment
    perform_transition(appraisal, "appeal", actor=actor, comment="")
    notify(
        User.objects.with_role("hr").filter(is_active=True),
        title=_("%(name)s appeals the appraisal %(cycle)s")
        % {"name": appraisal.employee.display_name, "cycle": appraisal.cycle},
        url=appraisal.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=appraisal,
    )
    return appraisal


@transaction.atomic
def close_appraisal(appraisal: Appraisal, *, actor, comment: str = "") -> Appraisal:
    """HR closes: the roll-up is taken again (parts may have closed since), then closed."""
    apply_rollup(appraisal)
    perform_transition(appraisal, "close", actor=actor, comment=comment)
    return appraisal


@transaction.atomic
def close_cycle(cycle: Cycle, *, actor, comment: str = "") -> Cycle:
    """HR closes the cycle once every appraisal in it is closed."""
    waiting = cycle.appraisals.exclude(state=AppraisalState.CLOSED).count()
    if waiting:
        raise DomainError(
            _("%(count)s appraisals of this cycle are not closed yet.") % {"count": waiting},
            code=ErrorCode.GATE_NOT_MET,
        )
    perform_transition(cycle, "close", actor=actor, comment=comment)
    return cycle


# --- HR-8: results applied ---------------------------------------------------------------------

MOVES = (ActionKind.PROMOTION, ActionKind.DEMOTION, ActionKind.TRANSFER)


@transaction.atomic
def propose_action(*, actor, appraisal: Appraisal, kind: str, reason: str, **fields) -> ResultAction:
    _require(actor, "people.add_resultaction")
    action = ResultAction(
        appraisal=appraisal,
        employee_id=appraisal.employee_id,
        kind=kind,
        reason=reason,
        proposed_by=actor,
        **fields,
    )
    save(action, actor=actor, reason=_("Proposed"))
    notify(
        User.objects.with_role("management").filter(is_active=True),
        title=_("To approve: %(action)s") % {"action": action},
        url=action.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=action,
    )
    return action


@transaction.atomic
def approve_action(action: ResultAction, *, actor, comment: str = "") -> ResultAction:
    """Management approves; a promotion, demotion or transfer moves the person to the new position."""
    perform_transition(action, "approve", actor=actor, comment=comment)
    position = action.new_position
    if action.kind in MOVES and position is not None:
        move_person(action.employee_id, position=position, actor=actor, reason=str(action))
    return action


def move_person(person_id: int, *, position, actor, reason: str, department=None) -> User:
    """The one way a person's position changes (an approved promotion, demotion or transfer here,
    a promotion or job rotation of the careers app): the position, and the department — the one
    given, else the position's — saved with the acting user and the reason, so the user's history
    keeps the former ones. Runs inside the caller's transaction."""
    person = User.objects.select_for_update().get(pk=person_id)
    person.position_id = position.pk
    department_id = getattr(department, "pk", None) or position.department_id
    if department_id:
        person.department_id = department_id
    _stamp(person, actor, reason[:100])
    person.save(update_fields=["position", "department"])
    return person


# --- performance-improvement plans -------------------------------------------------------------


@transaction.atomic
def start_plan(*, actor, **fields) -> ImprovementPlan:
    _require(actor, "people.add_improvementplan")
    plan = ImprovementPlan(**fields)
    if plan.superior_id is None and plan.employee_id:
        plan.superior = superior_of(plan.employee)
    save(plan, actor=actor, reason=_("Started"))
    return plan


@transaction.atomic
def check_in(plan: ImprovementPlan, *, actor, held_on: date, progress: str, notes: str) -> CheckIn:
    _require(actor, "people.check_in_improvementplan", plan)
    row = CheckIn(plan=plan, held_on=held_on, progress=progress, notes=notes, recorded_by=actor)
    return save(row, actor=actor, reason=_("Check-in"))


@transaction.atomic
def conclude_plan(plan: ImprovementPlan, *, actor, outcome: str, note: str) -> ImprovementPlan:
    if not (note or "").strip():
        raise DomainError(_("Describe the outcome."), field="note", code=ErrorCode.INVALID)
    perform_transition(plan, "conclude", actor=actor, comment="", outcome=outcome, note=note)
    return plan


# --- HR-4: skills ------------------------------------------------------------------------------


def record_level(
    *, actor, employee, skill, level: int, source: str, evidence: str = "", on=None
) -> PersonSkill:
    """Record a level from one source (the highest of a source is kept: a lower result does not
    take a level away)."""
    row = PersonSkill.objects.filter(employee=employee, skill=skill, source=source).first()
    if row is None:
        row = PersonSkill(employee=employee, skill=skill, source=source)
    elif row.level >= level and source != SkillSource.SUPERIOR:
        return row
    row.level = level
    row.evidence = evidence
    row.assessed_on = on or timezone.localdate()
    row.assessed_by = actor
    return save(row, actor=actor, reason=_("Level recorded"))


# --- HR-3: training ----------------------------------------------------------------------------


@transaction.atomic
def enrol(*, actor, session, employee) -> Enrolment:
    """HR or the superior enrol directly; an employee enrolling themself waits for approval."""
    _require(actor, "people.add_enrolment")
    taken = session.enrolments.filter(state__in=[EnrolmentState.ENROLLED, EnrolmentState.COMPLETED]).count()
    enrolment = Enrolment(session=session, employee=employee, requested_by=actor)
    direct = actor is None or actor.has_perm("people.approve_enrolment", enrolment)
    if employee.pk != getattr(actor, "pk", None) and not direct:
        raise PermissionDenied
    if direct and taken >= session.capacity:
        raise DomainError(
            _("The session is full (%(capacity)s places).") % {"capacity": session.capacity},
            field="session",
            code=ErrorCode.GATE_NOT_MET,
        )
    if direct:
        enrolment = Enrolment(
            session=session, employee=employee, requested_by=actor, state=EnrolmentState.ENROLLED
        )
    try:
        save(enrolment, actor=actor, reason=_("Enrolled") if direct else _("Requested"))
    except DomainError as error:
        if "session" in (error.field or "") or "already" in error.message:
            raise DomainError(
                _("%(name)s is already enrolled in this session.") % {"name": employee.display_name},
                field="employee",
                code=ErrorCode.ALREADY_DONE,
            ) from None
        raise
    if not direct:
        superior = superior_of(employee)
        if superior is not None:
            notify(
                [superior],
                title=_("%(name)s asks to attend %(session)s")
                % {"name": employee.display_name, "session": session},
                url=enrolment.get_absolute_url(),
                level=Notification.Level.ACTION,
                target=enrolment,
            )
    return enrolment


@transaction.atomic
def record_result(
    enrolment: Enrolment, *, actor, score=None, passed: bool, certificate_no: str = "", comment: str = ""
) -> Enrolment:
    """Attendance and the assessment; a pass records the course's skill level and, where the
    course gives one, a certificate valid for the course's months."""
    course = enrolment.session.course
    enrolment.score = score
    enrolment.passed = passed
    if passed and course.certificate_months:
        if not certificate_no.strip():
            raise DomainError(
                _("Give the certificate number."), field="certificate_no", code=ErrorCode.INVALID
            )
        enrolment.certificate_no = certificate_no
        enrolment.certificate_expires_on = add_months(enrolment.session.ends_on, course.certificate_months)
    perform_transition(enrolment, "complete", actor=actor, comment=comment)
    if passed and course.skill_id and course.level_awarded:
        source = SkillSource.CERTIFICATE if course.certificate_months else SkillSource.TRAINING
        record_level(
            actor=actor,
            employee=enrolment.employee,
            skill=course.skill,
            level=course.level_awarded,
            source=source,
            evidence=str(course),
            on=enrolment.session.ends_on,
        )
    return enrolment


def expiring_certificates(today: date | None = None, days: int = CERTIFICATE_WARNING_DAYS):
    today = today or timezone.localdate()
    return Enrolment.objects.filter(
        state=EnrolmentState.COMPLETED,
        certificate_expires_on__isnull=False,
        certificate_expires_on__range=(today, today + timedelta(days=days)),
    ).select_related("employee", "session__course")


def remind_expiring_certificates(today: date | None = None) -> int:
    """Once a certificate enters its last ``CERTIFICATE_WARNING_DAYS``: tell the holder and their
    superior (once: the reminder's target is the enrolment)."""
    sent = 0
    for enrolment in expiring_certificates(today):
        if Notification.objects.filter(
            target_type__model="enrolment", target_id=enrolment.pk, level=Notification.Level.REMINDER
        ).exists():
            continue
        people = [enrolment.employee]
        superior = superior_of(enrolment.employee)
        if superior is not None:
            people.append(superior)
        notify(
            people,
            title=_("Certificate %(course)s of %(name)s expires on %(date)s")
            % {
                "course": enrolment.session.course,
                "name": enrolment.employee.display_name,
                "date": enrolment.certificate_expires_on.strftime("%Y-%m-%d"),
            },
            url=enrolment.get_absolute_url(),
            level=Notification.Level.REMINDER,
            target=enrolment,
        )
        sent += 1
    return sent
