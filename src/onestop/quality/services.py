"""Use cases of quality monitoring (QA-1..3). Views and the API both call these."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onestop.accounts.models import User
from onestop.core import services as core_services
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.fields import check_length
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.core.workflow import perform_transition
from onestop.notifications import services as notifications
from onestop.notifications.models import Notification
from onestop.projects.models import Project
from onestop.quality.models import (
    STANDARD_CHECKS,
    ImprovementAction,
    Inspection,
    InspectionItem,
    QCCheckpoint,
    QCPlan,
    QCTemplate,
    RectificationNotice,
    SpotCheckDraw,
)
from onestop.quality.sampling import replay_draw, select_sample, spot_population
from onestop.quality.states import NOTICE_WITH_DEPARTMENT, InspectionState

__all__ = ["replay_draw", "select_sample", "spot_population"]  # the sampling, re-exported

CHECKPOINT_FIELDS = (
    "phase",
    "name",
    "indicators",
    "acceptance_threshold",
    "frequency_days",
    "responsible_department",
    "sort_order",
)


def _require(actor, permission: str, obj=None) -> None:
    if not actor.has_perm(permission, obj):
        raise PermissionDenied(_("You may not do this here."))


# --- QA-1: templates ------------------------------------------------------------------------------


@transaction.atomic
def save_template(template: QCTemplate, *, actor, reason: str = "") -> QCTemplate:
    """Save a template version: a new one gets the next number of its code; activating a
    version deactivates the other versions of that code."""
    if template.pk is None:
        versions = QCTemplate.objects.select_for_update().filter(code=template.code)
        template.version = max(versions.values_list("version", flat=True), default=0) + 1
    if template.is_active:
        for other in QCTemplate.objects.filter(code=template.code, is_active=True).exclude(pk=template.pk):
            other.is_active = False
            other._history_user = actor
            other._change_reason = _("Version %(version)s activated") % {"version": template.version}
            other.save(update_fields=["is_active", "updated_at"])
    return core_services.save(template, actor=actor, reason=reason)


@transaction.atomic
def new_template_version(template: QCTemplate, *, actor) -> QCTemplate:
    """A copy of ``template`` (with its checkpoints) as the next, inactive version of its code."""
    _require(actor, "quality.add_qctemplate")
    copy = save_template(
        QCTemplate(code=template.code, name=template.name, description=template.description),
        actor=actor,
        reason=_("New version of version %(version)s") % {"version": template.version},
    )
    for checkpoint in template.checkpoints.all():
        row = type(checkpoint)(template=copy, **{f: getattr(checkpoint, f) for f in CHECKPOINT_FIELDS})
        core_services.save(row, actor=actor)
    return copy


def active_template() -> QCTemplate | None:
    return QCTemplate.objects.filter(is_active=True).order_by("code", "-version").first()


# --- QA-1: the project's QC plan ----------------------------------------------------------------


@transaction.atomic
def create_qc_plan(project, *, actor, template: QCTemplate | None = None) -> QCPlan:
    """The project's QC plan as a draft, with the checkpoints of ``template`` (default: the
    active one). The template version is marked used, so it no longer changes."""
    _require(actor, "quality.add_qcplan", project)
    if QCPlan.objects.filter(project=project).exists():
        raise DomainError(
            _("This project already has a QC plan."), field="project", code=ErrorCode.ALREADY_DONE
        )
    if project.state not in (project.State.OPENED, project.State.IN_PROGRESS):
        raise DomainError(
            _("A QC plan is made for a project being implemented."),
            field="project",
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    template = template or active_template()
    if template is None:
        raise DomainError(
            _("No QC plan template is active; ask quality to activate one."),
            field="template",
            code=ErrorCode.CONDITION_UNMET,
        )
    if not template.checkpoints.exists():
        raise DomainError(
            _("The template has no checkpoints."), field="template", code=ErrorCode.CONDITION_UNMET
        )
    return _plan_from_template(project, template, actor=actor)


def _plan_from_template(project, template: QCTemplate, *, actor) -> QCPlan:
    plan = QCPlan(project=project, template=template, created_by=actor)
    core_services.save(plan, actor=actor, reason=_("Created from template %(t)s") % {"t": template})
    for source in template.checkpoints.all():
        row = QCCheckpoint(plan=plan, source=source, **{f: getattr(source, f) for f in CHECKPOINT_FIELDS})
        row._history_user = actor
        row.save()
    if template.first_used_at is None:
        QCTemplate.objects.filter(pk=template.pk).update(first_used_at=timezone.now())
        template.first_used_at = timezone.now()
    return plan


@transaction.atomic
def activate_plan(plan: QCPlan, *, actor, comment: str = "") -> QCPlan:
    perform_transition(plan, "activate", actor=actor, comment=comment)
    return plan


@transaction.atomic
def revise_plan(plan: QCPlan, *, actor, comment: str) -> QCPlan:
    """Back to draft to adjust the checkpoints (the reason is required and logged)."""
    perform_transition(plan, "revise", actor=actor, comment=comment)
    return plan


# --- QA-2: inspections ---------------------------------------------------------------------------


def _checklist(inspection: Inspection) -> list[InspectionItem]:
    # The checklist is a record of the inspection, kept in the company's language whoever
    # (or whichever job) creates it, as the printed forms are.
    with translation.override(settings.LANGUAGE_CODE):
        return _checklist_items(inspection)


def _checklist_items(inspection: Inspection) -> list[InspectionItem]:
    items = [
        InspectionItem(inspection=inspection, check_code=code, label=str(label), sort_order=index)
        for index, (code, label) in enumerate(STANDARD_CHECKS, start=1)
    ]
    checkpoint = inspection.checkpoint  # None, without a query, when there is no checkpoint
    if checkpoint is not None:
        for offset, indicator in enumerate(checkpoint.indicator_list, start=len(items) + 1):
            label = _("%(indicator)s (acceptance threshold: %(threshold)s)") % {
                "indicator": indicator,
                "threshold": checkpoint.acceptance_threshold,
            }
            items.append(InspectionItem(inspection=inspection, label=label[:300], sort_order=offset))
    return items


@transaction.atomic
def plan_inspection(
    *,
    project,
    actor,
    planned_date: date,
    checkpoint=None,
    inspector=None,
    kind=Inspection.Kind.SCHEDULED,
    draw=None,
) -> Inspection:
    """One inspection with its checklist: the policy's four checks and the checkpoint's indicators."""
    inspection = Inspection(
        code=next_code("QI"),
        project=project,
        checkpoint=checkpoint,
        kind=kind,
        planned_date=planned_date,
        inspector=inspector,
        draw=draw,
    )
    core_services.save(inspection, actor=actor)
    for row in _checklist(inspection):
        row._history_user = actor
        row.save()
    return inspection


def _due_date(checkpoint: QCCheckpoint, start: date, today: date) -> date | None:
    """The planned date of the checkpoint's current period (None before the project starts)."""
    if today < start:
        return None
    if checkpoint.frequency_days == 0:
        return start
    periods = (today - start).days // checkpoint.frequency_days
    return start + timedelta(days=periods * checkpoint.frequency_days)


def generate_due_inspections(today: date | None = None, *, actor=None) -> list[Inspection]:
    """Scheduled inspections for the current period of every checkpoint of every active QC plan
    of a project in progress. Idempotent: a period that has its inspection gets no second one
    (a unique constraint holds this even when two workers run at once)."""
    today = today or timezone.localdate()
    checkpoints = (
        QCCheckpoint.objects.filter(
            plan__state=QCPlan.State.ACTIVE, plan__project__state=Project.State.IN_PROGRESS
        )
        .select_related("plan__project", "responsible_department")
        .order_by("pk")
    )
    existing = set(
        Inspection.objects.filter(kind=Inspection.Kind.SCHEDULED, checkpoint__in=checkpoints).values_list(
            "checkpoint_id", "planned_date"
        )
    )
    once = set(
        Inspection.objects.filter(
            kind=Inspection.Kind.SCHEDULED, checkpoint__in=checkpoints, checkpoint__frequency_days=0
        ).values_list("checkpoint_id", flat=True)
    )
    created = []
    for checkpoint in checkpoints:
        project = checkpoint.plan.project
        start = project.actual_start or project.planned_start
        due = _due_date(checkpoint, start, today)
        if due is None or (checkpoint.pk, due) in existing:
            continue
        if checkpoint.frequency_days == 0 and checkpoint.pk in once:
            continue
        try:
            with transaction.atomic():
                created.append(
                    plan_inspection(project=project, checkpoint=checkpoint, planned_date=due, actor=actor)
                )
        except IntegrityError:
            continue  # another run made it meanwhile
    return created


@transaction.atomic
def draw_spot_check(
    *, actor, sample_size: int, planned_date: date, inspector=None, seed: int | None = None, note: str = ""
) -> SpotCheckDraw:
    """An unannounced spot check: draw ``sample_size`` units and plan a spot inspection for each."""
    _require(actor, "quality.add_spotcheckdraw")
    if sample_size is None or sample_size < 1:
        raise DomainError(_("Draw at least one."), field="sample_size", code=ErrorCode.INVALID)
    population = spot_population()
    if not population:
        raise DomainError(
            _("No project is in progress: there is nothing to draw from."),
            field="sample_size",
            code=ErrorCode.CONDITION_UNMET,
        )
    if sample_size > len(population):
        raise DomainError(
            _("The sample (%(size)s) is larger than the population (%(population)s).")
            % {"size": sample_size, "population": len(population)},
            field="sample_size",
            code=ErrorCode.INVALID,
        )
    seed = secrets.randbelow(2**53) if seed is None else int(seed)
    draw = SpotCheckDraw(
        code=next_code("QS"),
        seed=seed,
        sample_size=sample_size,
        population=population,
        selection=select_sample(population, seed, sample_size),
        planned_date=planned_date,
        inspector=inspector,
        drawn_by=actor,
        note=note,
    )
    core_services.save(draw, actor=actor)
    projects = Project.objects.in_bulk([unit["project"] for unit in draw.selection])
    checkpoints = QCCheckpoint.objects.in_bulk([u["checkpoint"] for u in draw.selection if u["checkpoint"]])
    for unit in draw.selection:
        plan_inspection(
            project=projects[unit["project"]],
            checkpoint=checkpoints.get(unit["checkpoint"]),
            planned_date=planned_date,
            inspector=inspector,
            kind=Inspection.Kind.SPOT,
            draw=draw,
            actor=actor,
        )
    return draw


@transaction.atomic
def start_inspection(inspection: Inspection, *, actor) -> Inspection:
    if inspection.inspector_id is None:
        Inspection.objects.filter(pk=inspection.pk).update(inspector=actor)
        inspection.inspector = actor
    perform_transition(inspection, "start", actor=actor)
    return inspection


@transaction.atomic
def record_item(
    item: InspectionItem,
    *,
    actor,
    result: str,
    evidence: str = "",
    category: str = "",
    cause: str = "",
    note: str = "",
) -> InspectionItem:
    """Answer one checklist item; a failure needs its category and cause."""
    _require(actor, "quality.change_inspectionitem", item)
    if item.inspection.state == InspectionState.PLANNED:
        perform_transition(item.inspection, "start", actor=actor)
    item.result, item.evidence, item.category, item.cause, item.note = result, evidence, category, cause, note
    item.recorded_by, item.recorded_at = actor, timezone.now()
    return core_services.save(item, actor=actor)


ANSWER_FIELDS = ("result", "evidence", "category", "cause", "note")


@transaction.atomic
def record_checklist(inspection: Inspection, *, actor, answers: list[dict]) -> list[InspectionItem]:
    """Answer the whole checklist at once (the one-page checklist, QA-1): ``answers`` holds, per
    item (``item``: its id), the fields of ``record_item``. Only the items whose answer changed
    are recorded, all in one transaction: one refused answer (a failure without its category
    or cause) records none, and the refusal names that item."""
    # One checklist is saved at a time; a second save waits and then sees the first one's answers.
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _require(actor, "quality.run_inspection", locked)
    if locked.state not in (InspectionState.PLANNED, InspectionState.IN_PROGRESS):
        raise DomainError(
            _("The inspection is “%(state)s”; its checklist can no longer be changed.")
            % {"state": locked.state_label(locked.state)},
            code=ErrorCode.NOT_EDITABLE,
        )
    items = {item.pk: item for item in locked.items.all()}
    changed = []
    for answer in answers:
        item = items.get(answer.get("item"))
        if item is None:
            raise DomainError(
                _("Item %(item)s is not on this inspection's checklist.") % {"item": answer.get("item")},
                field="answers",
                code=ErrorCode.INVALID,
            )
        values = {name: answer.get(name) or "" for name in ANSWER_FIELDS}
        if all(getattr(item, name) == value for name, value in values.items()):
            continue
        try:
            changed.append(record_item(item, actor=actor, **values))
        except DomainError as error:
            raise DomainError(
                f"{item.label}：{error.message}",
                field=f"item-{item.pk}-{error.field}" if error.field else "answers",
                code=error.code,
            ) from None
    return changed


@transaction.atomic
def complete_inspection(inspection: Inspection, *, actor, summary: str = "") -> Inspection:
    """Complete an inspection whose every item is answered; its outcome is fixed."""
    if summary:
        check_length(summary, Inspection._meta.get_field("summary").max_length, field="summary")
        inspection.summary = summary
        Inspection.objects.filter(pk=inspection.pk).update(summary=summary)
    perform_transition(inspection, "complete", actor=actor)
    return inspection


# --- QA-2: rectification notices -----------------------------------------------------------------


def _due_at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(18, 0)))


def _deadline_title(notice: RectificationNotice) -> str:
    return _("Rectification %(code)s") % {"code": notice.code}


def _department_people(department):
    people = list(User.objects.staff().filter(department=department))
    if department.head is not None and department.head not in people:
        people.append(department.head)
    return people


@transaction.atomic
def raise_notice(
    item: InspectionItem, *, department, deadline: date, requirement: str, actor
) -> RectificationNotice:
    """整改通知 from a failed item to ``department`` by ``deadline``: the department's people are
    told; the deadline reminds the head before and escalates to the head and the project lead after."""
    _require(actor, "quality.add_rectificationnotice")
    if item.result != InspectionItem.Result.FAIL:
        raise DomainError(
            _("A rectification notice is raised from a failed checklist item."),
            field="item",
            code=ErrorCode.INVALID,
        )
    if not (requirement or "").strip():
        raise DomainError(_("State what must be rectified."), field="requirement", code=ErrorCode.INVALID)
    if deadline is None or deadline < timezone.localdate():
        raise DomainError(_("The deadline cannot be in the past."), field="deadline", code=ErrorCode.INVALID)
    inspection = item.inspection
    notice = RectificationNotice(
        code=next_code("ZG"),
        item=item,
        inspection=inspection,
        project=inspection.project,
        department=department,
        requirement=requirement.strip(),
        deadline=deadline,
        issued_by=actor,
    )
    core_services.save(notice, actor=actor)
    _set_notice_deadline(notice, actor=actor)
    notifications.notify(
        _department_people(department),
        title=_("Rectification notice %(code)s for %(department)s, due %(due)s")
        % {"code": notice.code, "department": department, "due": deadline.isoformat()},
        body=notice.requirement,
        url=notice.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=notice,
    )
    return notice


def _set_notice_deadline(notice: RectificationNotice, *, actor) -> None:
    lead = notice.project.project_lead
    responsible = notice.department.head or lead
    notifications.set_deadline(
        notice,
        title=_deadline_title(notice),
        due_at=_due_at(notice.deadline),
        responsible=responsible,
        escalate_to=lead if lead != responsible else notice.issued_by,
        actor=actor,
    )


@transaction.atomic
def update_notice(
    notice: RectificationNotice, *, actor, requirement: str, deadline: date
) -> RectificationNotice:
    """Quality changes the requirement or moves the deadline of an open notice."""
    core_services.ensure_editable(notice)
    moved = deadline != notice.deadline
    notice.requirement, notice.deadline = requirement, deadline
    core_services.save(notice, actor=actor)
    if moved and notice.state in NOTICE_WITH_DEPARTMENT:
        notifications.close_deadlines(notice, actor=actor)
        _set_notice_deadline(notice, actor=actor)
    return notice


@transaction.atomic
def respond_notice(notice: RectificationNotice, *, actor, response: str) -> RectificationNotice:
    """The department states the corrective action; quality is asked to verify."""
    if not (response or "").strip():
        raise DomainError(
            _("Describe the corrective action taken."), field="response", code=ErrorCode.INVALID
        )
    perform_transition(notice, "respond", actor=actor, response=response.strip())
    notifications.close_deadlines(notice, actor=actor)
    recipients = [notice.issued_by] if notice.issued_by else []
    notifications.notify(
        recipients,
        title=_("Rectification notice %(code)s was answered; please verify") % {"code": notice.code},
        body=notice.response,
        url=notice.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=notice,
    )
    return notice


@transaction.atomic
def verify_notice(notice: RectificationNotice, *, actor, verification: str = "") -> RectificationNotice:
    """Quality verified the rectification: the notice is closed."""
    perform_transition(notice, "close", actor=actor, verification=(verification or "").strip())
    notifications.notify(
        _department_people(notice.department),
        title=_("Rectification notice %(code)s was verified and closed") % {"code": notice.code},
        url=notice.get_absolute_url(),
        target=notice,
    )
    return notice


@transaction.atomic
def reopen_notice(notice: RectificationNotice, *, actor, reason: str) -> RectificationNotice:
    """The rectification is not sufficient: back to the department with the reason; the deadline
    stands (or the verifier moves it)."""
    perform_transition(notice, "reopen", actor=actor, comment=reason, reason=(reason or "").strip())
    _set_notice_deadline(notice, actor=actor)
    notifications.notify(
        _department_people(notice.department),
        title=_("Rectification notice %(code)s was reopened") % {"code": notice.code},
        body=notice.verification,
        url=notice.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=notice,
    )
    return notice


# --- QA-3: improvement actions -------------------------------------------------------------------


@transaction.atomic
def complete_action(action: ImprovementAction, *, actor, comment: str = "") -> ImprovementAction:
    perform_transition(action, "mark_done", actor=actor, comment=comment)

    notifications.notify(
        User.objects.with_role(Role.QUALITY),
        title=_("Improvement action “%(title)s” is done; check its effectiveness") % {"title": action.title},
        url=action.get_absolute_url(),
        target=action,
    )
    return action


@transaction.atomic
def check_action(action: ImprovementAction, *, actor, effective: bool, note: str) -> ImprovementAction:
    """The effectiveness check: effective or not, with a note (required)."""
    name = "confirm_effective" if effective else "mark_not_effective"
    perform_transition(action, name, actor=actor, comment=note)
    return action
