"""Acceptance use cases (ACC-1..3). Every state change of a round or a problem happens here and
is called alike by the HTML views and the API actions."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onestop.acceptance.models import (
    AcceptanceCriterion,
    AcceptanceDeliverable,
    AcceptanceProblem,
    AcceptanceResult,
    AcceptanceRound,
    AcceptanceTeamMember,
    ChecklistItem,
    Conclusion,
    Method,
)
from onestop.acceptance.signals import acceptance_passed
from onestop.acceptance.states import OPEN_ROUND
from onestop.contracts.models import PaymentInstalment
from onestop.core import policy, signatures
from onestop.core import services as core_services
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.workflow import perform_transition
from onestop.notifications.calendar import add_working_days
from onestop.notifications.services import close_deadlines, notify, set_deadline


def _require(actor, permission: str, obj) -> None:
    if not actor.has_perm(permission, obj):
        raise PermissionDenied(_("You may not do this on this acceptance round."))


def _lines(text: str) -> list[str]:
    return [line.strip().lstrip("-•*·").strip() for line in (text or "").splitlines() if line.strip()]


def client_users(acceptance_round):
    return get_user_model().objects.of_client(acceptance_round.project.engagement.client_id)


def implementation_status(project, milestone=None) -> list[dict]:
    """The milestones (or the one milestone) as they are now: planned, completed, % complete."""
    rows = project.milestones.all() if milestone is None else [milestone]
    return [
        {
            "name": m.name,
            "planned_date": m.planned_date.isoformat() if m.planned_date else "",
            "completed_on": m.completed_on.isoformat() if m.completed_on else "",
            "percent_complete": m.percent_complete,
        }
        for m in rows
    ]


def check_may_apply(project, milestone=None) -> None:
    """Refuse (DomainError) an application the project is not ready for (ACC-1)."""
    if milestone is None:
        if project.state != project.State.COMPLETED:
            raise DomainError(
                _("A whole-project acceptance can be applied for only when the project is complete."),
                code=ErrorCode.NOT_POSSIBLE_NOW,
            )
        if project.milestones.filter(completed_on__isnull=True).exists():
            raise DomainError(
                _("Every milestone must be complete before applying for acceptance."),
                code=ErrorCode.CONDITION_UNMET,
            )
    else:
        if milestone.project_id != project.pk:
            raise DomainError(
                _("The milestone belongs to another project."), field="milestone", code=ErrorCode.INVALID
            )
        if project.state not in (project.State.IN_PROGRESS, project.State.COMPLETED):
            raise DomainError(
                _("Milestone acceptance is possible only while the project runs."),
                field="milestone",
                code=ErrorCode.NOT_POSSIBLE_NOW,
            )
        if not milestone.is_complete:
            raise DomainError(
                _("The milestone “%(name)s” is not complete yet.") % {"name": milestone.name},
                field="milestone",
                code=ErrorCode.CONDITION_UNMET,
            )
        if not PaymentInstalment.objects.filter(
            contract_id=project.contract_id, milestone=milestone.name
        ).exists():
            raise DomainError(
                _(
                    "The contract ties no payment instalment to the milestone “%(name)s”; "
                    "only such milestones are accepted on their own."
                )
                % {"name": milestone.name},
                field="milestone",
                code=ErrorCode.CONDITION_UNMET,
            )
    scope = AcceptanceRound.objects.filter(project=project, milestone=milestone)
    if scope.filter(state__in=OPEN_ROUND).exists():
        raise DomainError(
            _("An acceptance round for this scope is already open."), code=ErrorCode.NOT_POSSIBLE_NOW
        )
    if scope.filter(state=AcceptanceRound.State.PASSED).exists():
        raise DomainError(_("This scope has already passed its acceptance."), code=ErrorCode.ALREADY_DONE)
    last = scope.order_by("-number").first()
    if last is not None and last.problems.filter(state=AcceptanceProblem.State.OPEN).exists():
        raise DomainError(
            _("Rectify every problem of round %(number)s first.") % {"number": last.number},
            code=ErrorCode.CONDITION_UNMET,
        )


def _next_number(project) -> int:
    return (AcceptanceRound.objects.filter(project=project).aggregate(m=Max("number"))["m"] or 0) + 1


def _create_round(project, *, actor, milestone, fields: dict, previous=None) -> AcceptanceRound:
    acceptance_round = AcceptanceRound(
        project=project,
        milestone=milestone,
        number=_next_number(project),
        applied_by=actor,
        applied_at=timezone.now(),
        implementation_status=implementation_status(project, milestone),
        previous_round=previous,
        **fields,
    )
    try:
        with transaction.atomic():
            core_services.save(acceptance_round, actor=actor)
    except IntegrityError:
        raise ConflictError(
            _("Someone applied for this project's acceptance at the same moment. Reload.")
        ) from None
    return acceptance_round


def _default_checklist(acceptance_round, actor) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        for kind in (
            ChecklistItem.Kind.DOCUMENTS,
            ChecklistItem.Kind.FUNCTIONS,
            ChecklistItem.Kind.DELIVERABLES,
        ):
            core_services.save(
                ChecklistItem(round=acceptance_round, kind=kind, text=str(kind.label)), actor=actor
            )


def _criteria_from_contract(acceptance_round, actor) -> None:
    contract = acceptance_round.project.contract
    number = 0
    for source, text in (
        (AcceptanceCriterion.Source.QUALITY, contract.quality_standard),
        (AcceptanceCriterion.Source.METHOD, contract.acceptance_method),
    ):
        for line in _lines(text):
            number += 1
            core_services.save(
                AcceptanceCriterion(round=acceptance_round, number=number, text=line, source=source),
                actor=actor,
            )


def _deliverable_rows(deliverables) -> list[dict]:
    """Rows of name / description / delivered_on from dicts or from text lines (“name：description”)."""
    if deliverables is None:
        return []
    if isinstance(deliverables, str):
        deliverables = _lines(deliverables)
    rows = []
    for item in deliverables:
        if isinstance(item, str):
            name, _sep, description = item.replace("：", ":").partition(":")
            rows.append({"name": name.strip(), "description": description.strip(), "delivered_on": None})
        else:
            rows.append(
                {
                    "name": str(item.get("name", "")).strip(),
                    "description": str(item.get("description", "") or "").strip(),
                    "delivered_on": item.get("delivered_on") or None,
                }
            )
    return [row for row in rows if row["name"]]


def _notify_client(acceptance_round, *, title: str, body: str = "") -> None:
    notify(
        client_users(acceptance_round),
        title=title,
        body=body,
        url=acceptance_round.get_absolute_url(),
        target=acceptance_round,
    )


def _notify_staff(acceptance_round, users, *, title: str, body: str = "") -> None:
    notify(users, title=title, body=body, url=acceptance_round.get_absolute_url(), target=acceptance_round)


@transaction.atomic
def apply(
    project,
    *,
    actor,
    milestone=None,
    self_assessment: str,
    service_content: str | None = None,
    deliverables=None,
) -> AcceptanceRound:
    """ACC-1: the project lead applies for acceptance (《一站式技術服務驗收申請單》)."""
    if not actor.has_perm("acceptance.apply_acceptanceround", AcceptanceRound(project=project)):
        raise PermissionDenied(_("Only the project lead or management apply for acceptance."))
    check_may_apply(project, milestone)
    if not (self_assessment or "").strip():
        raise DomainError(
            _("Give the self-assessment conclusion."), field="self_assessment", code=ErrorCode.INVALID
        )
    rows = _deliverable_rows(deliverables)
    if service_content is None or not service_content.strip():
        service_content = project.contract.scope_items
    acceptance_round = _create_round(
        project,
        actor=actor,
        milestone=milestone,
        fields={"service_content": service_content.strip(), "self_assessment": self_assessment.strip()},
    )
    for row in rows:
        core_services.save(AcceptanceDeliverable(round=acceptance_round, **row), actor=actor)
    _default_checklist(acceptance_round, actor)
    _criteria_from_contract(acceptance_round, actor)
    _notify_client(
        acceptance_round,
        title=_("Acceptance application: %(round)s") % {"round": acceptance_round},
        body=_("Please name your acceptance team and prepare the acceptance of %(project)s.")
        % {"project": project.name},
    )
    return acceptance_round


@transaction.atomic
def edit_application(acceptance_round, *, actor, **fields) -> AcceptanceRound:
    """Change the application's texts before the acceptance starts and before the lead signed it."""
    from onestop.acceptance.documents import application_form  # noqa: PLC0415 — cycle: acceptance.documents imports this module at load

    _require(actor, "acceptance.change_acceptanceround", acceptance_round)
    core_services.ensure_editable(acceptance_round)
    signatures.ensure_unsigned(application_form(), acceptance_round)
    for name in ("service_content", "self_assessment"):
        if name in fields:
            setattr(acceptance_round, name, (fields[name] or "").strip())
    return core_services.save(acceptance_round, actor=actor)


# --- ACC-2: preparation ----------------------------------------------------------------------


@transaction.atomic
def name_team_member(acceptance_round, *, actor, user, role: str) -> AcceptanceTeamMember:
    _require(actor, "acceptance.name_team_acceptanceround", acceptance_round)
    if not (role or "").strip():
        raise DomainError(_("Give the member's role in the team."), field="role", code=ErrorCode.INVALID)
    member = AcceptanceTeamMember.objects.filter(round=acceptance_round, user=user).first()
    if member is None:
        member = AcceptanceTeamMember(round=acceptance_round, user=user)
    member.role = role.strip()
    core_services.save(member, actor=actor)
    acceptance_round.__dict__.pop("_team_user_ids", None)
    return member


@transaction.atomic
def remove_team_member(member, *, actor) -> None:
    _require(actor, "acceptance.delete_acceptanceteammember", member)
    core_services.delete_instance(member, actor=actor)
    member.round.__dict__.pop("_team_user_ids", None)


@transaction.atomic
def add_checklist_item(acceptance_round, *, actor, text: str) -> ChecklistItem:
    _require(actor, "acceptance.prepare_acceptanceround", acceptance_round)
    if not (text or "").strip():
        raise DomainError(_("Describe the preparation item."), field="text", code=ErrorCode.INVALID)
    return core_services.save(ChecklistItem(round=acceptance_round, text=text.strip()), actor=actor)


@transaction.atomic
def tick(item, *, actor, done: bool = True, note: str | None = None) -> ChecklistItem:
    _require(actor, "acceptance.change_checklistitem", item)
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    if note is not None:
        item.note = note.strip()
    return core_services.save(item, actor=actor, reason=_("Ticked") if done else _("Unticked"))


@transaction.atomic
def skip_checklist(acceptance_round, *, actor, reason: str) -> AcceptanceRound:
    _require(actor, "acceptance.prepare_acceptanceround", acceptance_round)
    acceptance_round.checklist_skip_reason = (reason or "").strip()
    return core_services.save(
        acceptance_round,
        actor=actor,
        reason=_("Checklist skipped") if reason else _("Checklist required again"),
    )


# --- ACC-3: acceptance -----------------------------------------------------------------------


@transaction.atomic
def start(acceptance_round, *, actor, comment: str = "") -> AcceptanceRound:
    """Testing starts: the team is named and the checklist is done (or skipped with a reason)."""
    if not acceptance_round.criteria.exists():
        raise DomainError(
            _("Give at least one acceptance criterion before starting."), code=ErrorCode.CONDITION_UNMET
        )
    perform_transition(acceptance_round, "start", actor=actor, comment=comment)
    _notify_staff(
        acceptance_round,
        [acceptance_round.project.project_lead],
        title=_("The client started the acceptance: %(round)s") % {"round": acceptance_round},
    )
    return acceptance_round


@transaction.atomic
def record_result(
    acceptance_round, *, actor, criterion, method: str, passed: bool, note: str = ""
) -> AcceptanceResult:
    _require(actor, "acceptance.record_acceptanceround", acceptance_round)
    if acceptance_round.state != AcceptanceRound.State.IN_ACCEPTANCE:
        raise DomainError(
            _("Results are recorded while the acceptance is under way."), code=ErrorCode.NOT_POSSIBLE_NOW
        )
    if criterion.round_id != acceptance_round.pk:
        raise DomainError(
            _("The criterion belongs to another round."), field="criterion", code=ErrorCode.INVALID
        )
    if method not in Method.values:
        raise DomainError(_("Choose an acceptance method."), field="method", code=ErrorCode.INVALID)
    result = AcceptanceResult.objects.filter(criterion=criterion, method=method).first()
    if result is None:
        result = AcceptanceResult(round=acceptance_round, criterion=criterion, method=method)
    result.passed = bool(passed)
    result.note = (note or "").strip()
    result.recorded_by = actor
    return core_services.save(result, actor=actor)


@transaction.atomic
def add_problem(acceptance_round, *, actor, description: str, requirement: str, owner=None, due_date=None):
    _require(actor, "acceptance.record_acceptanceround", acceptance_round)
    if acceptance_round.state != AcceptanceRound.State.IN_ACCEPTANCE or acceptance_round.report_conclusion:
        raise DomainError(
            _("Problems are listed while the acceptance is under way, before the report."),
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    problem = AcceptanceProblem(
        round=acceptance_round,
        description=(description or "").strip(),
        requirement=(requirement or "").strip(),
        owner=owner,
        due_date=due_date,
    )
    return core_services.save(problem, actor=actor)


def report_gaps(acceptance_round) -> list[str]:
    """What is missing before the report can conclude “pass”."""
    gaps = []
    criteria = list(acceptance_round.criteria.prefetch_related("results"))
    if not criteria:
        gaps.append(_("There are no acceptance criteria."))
    for criterion in criteria:
        results = list(criterion.results.all())
        if not results:
            gaps.append(_("Criterion %(number)s has no result yet.") % {"number": criterion.number})
        elif not all(result.passed for result in results):
            gaps.append(_("Criterion %(number)s failed.") % {"number": criterion.number})
    return gaps


@transaction.atomic
def fill_report(acceptance_round, *, actor, conclusion: str, summary: str) -> AcceptanceRound:
    """The team fills the acceptance report (《一站式技術服務驗收報告》).

    “fail” ends the round at once: its problems become rectification tasks with owners and
    deadlines. “pass” waits for the client's signature on the report, which passes the round.
    """
    from onestop.acceptance.documents import report_form  # noqa: PLC0415 — cycle: acceptance.documents imports this module at load

    _require(actor, "acceptance.conclude_acceptanceround", acceptance_round)
    if acceptance_round.state != AcceptanceRound.State.IN_ACCEPTANCE:
        raise DomainError(
            _("The report is filled while the acceptance is under way."), code=ErrorCode.NOT_POSSIBLE_NOW
        )
    if conclusion not in Conclusion.values:
        raise DomainError(
            _("Choose the conclusion: pass or fail."), field="conclusion", code=ErrorCode.INVALID
        )
    if not (summary or "").strip():
        raise DomainError(_("Write the acceptance conclusion."), field="summary", code=ErrorCode.INVALID)
    signatures.ensure_unsigned(report_form(), acceptance_round)
    if conclusion == Conclusion.PASS:
        gaps = report_gaps(acceptance_round)
        if gaps:
            raise DomainError(
                " ".join([_("The acceptance cannot pass:"), *gaps]),
                field="conclusion",
                code=ErrorCode.CONDITION_UNMET,
            )
        if acceptance_round.problems.exists():
            raise DomainError(
                _("Remove the listed problems, or conclude “fail”."),
                field="conclusion",
                code=ErrorCode.CONDITION_UNMET,
            )
    acceptance_round.report_conclusion = conclusion
    acceptance_round.conclusion = summary.strip()
    acceptance_round.report_filled_by = actor
    core_services.save(acceptance_round, actor=actor, reason=_("Acceptance report filled"))
    if conclusion == Conclusion.FAIL:
        _fail(acceptance_round, actor=actor)
    else:
        _notify_client(
            acceptance_round,
            title=_("Acceptance report ready to sign: %(round)s") % {"round": acceptance_round},
        )
    return acceptance_round


@transaction.atomic
def withdraw_report(acceptance_round, *, actor) -> AcceptanceRound:
    """Take back an unsigned “pass” conclusion (to record more results or list problems)."""
    from onestop.acceptance.documents import report_form  # noqa: PLC0415 — cycle: acceptance.documents imports this module at load

    _require(actor, "acceptance.conclude_acceptanceround", acceptance_round)
    if (
        acceptance_round.state != AcceptanceRound.State.IN_ACCEPTANCE
        or not acceptance_round.report_conclusion
    ):
        raise DomainError(_("There is no report conclusion to withdraw."), code=ErrorCode.NOT_POSSIBLE_NOW)
    signatures.ensure_unsigned(report_form(), acceptance_round)
    acceptance_round.report_conclusion = ""
    acceptance_round.report_filled_by = None
    return core_services.save(acceptance_round, actor=actor, reason=_("Report conclusion withdrawn"))


def _fail(acceptance_round, *, actor) -> None:
    perform_transition(acceptance_round, "fail_round", actor=actor)
    lead = acceptance_round.project.project_lead
    rectify_days = policy.value("acceptance.rectify_working_days", at=acceptance_round.created_at)  # EXT-4
    default_due = timezone.localdate(add_working_days(timezone.now(), rectify_days))
    owners = {}
    for problem in acceptance_round.problems.select_related("owner"):
        problem.owner = problem.owner or lead
        problem.due_date = problem.due_date or default_due
        core_services.save(problem, actor=actor)
        _problem_deadline(problem, actor=actor)
        owners[problem.owner.pk] = problem.owner
    _notify_staff(
        acceptance_round,
        [lead, *owners.values()],
        title=_("Acceptance failed: %(round)s — rectify the problems") % {"round": acceptance_round},
        body=acceptance_round.conclusion,
    )
    _notify_client(
        acceptance_round, title=_("Acceptance report filled: %(round)s failed") % {"round": acceptance_round}
    )


def _due_moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.max.time().replace(microsecond=0)))


def _problem_deadline(problem, *, actor):
    return set_deadline(
        problem,
        title=str(_("Rectify: %(problem)s") % {"problem": problem.description[:80]}),
        due_at=_due_moment(problem.due_date),
        responsible=problem.owner,
        escalate_to=problem.round.project.project_lead,
        url=problem.get_absolute_url(),
        actor=actor,
    )


@transaction.atomic
def assign_problem(problem, *, actor, owner, due_date: date) -> AcceptanceProblem:
    """The project lead gives a rectification task its owner and deadline."""
    _require(actor, "acceptance.change_acceptanceproblem", problem)
    if problem.state != AcceptanceProblem.State.OPEN:
        raise DomainError(_("The problem has been rectified already."), code=ErrorCode.ALREADY_DONE)
    problem.owner, problem.due_date = owner, due_date
    core_services.save(problem, actor=actor)
    if problem.round.state == AcceptanceRound.State.FAILED:
        close_deadlines(problem, actor=actor)
        _problem_deadline(problem, actor=actor)
    return problem


@transaction.atomic
def resolve_problem(problem, *, actor, fix: str) -> AcceptanceProblem:
    """The owner reports the rectification done (ACC-3)."""
    if problem.round.state != AcceptanceRound.State.FAILED:
        raise DomainError(
            _("Problems are rectified after the round has failed."), code=ErrorCode.NOT_POSSIBLE_NOW
        )
    if not (fix or "").strip():
        raise DomainError(_("Describe the rectification."), field="fix", code=ErrorCode.INVALID)
    problem.fix = fix.strip()
    perform_transition(problem, "resolve", actor=actor, comment=fix.strip())
    close_deadlines(problem, actor=actor)
    acceptance_round = problem.round
    if not acceptance_round.problems.filter(state=AcceptanceProblem.State.OPEN).exists():
        _notify_staff(
            acceptance_round,
            [acceptance_round.project.project_lead],
            title=_("Every problem of %(round)s is rectified; start the next round.")
            % {"round": acceptance_round},
        )
    return problem


@transaction.atomic
def start_next_round(failed_round, *, actor, self_assessment: str = "") -> AcceptanceRound:
    """After a failed round is fully rectified: the next round, copying application and team."""
    if not actor.has_perm("acceptance.apply_acceptanceround", failed_round):
        raise PermissionDenied(_("Only the project lead or management apply for acceptance."))
    if failed_round.state != AcceptanceRound.State.FAILED:
        raise DomainError(_("A next round follows a failed round."), code=ErrorCode.NOT_POSSIBLE_NOW)
    if failed_round.problems.filter(state=AcceptanceProblem.State.OPEN).exists():
        raise DomainError(
            _("Every problem of this round must be rectified before the next round."),
            code=ErrorCode.CONDITION_UNMET,
        )
    project = failed_round.project
    if AcceptanceRound.objects.filter(
        project=project, milestone=failed_round.milestone, number__gt=failed_round.number
    ).exists():
        raise DomainError(_("A later round of this scope exists already."), code=ErrorCode.ALREADY_DONE)
    check_may_apply(project, failed_round.milestone)
    fixes = "\n".join(f"- {p.description} → {p.fix}" for p in failed_round.problems.all())
    assessment = (self_assessment or "").strip() or (
        f"{failed_round.self_assessment}\n\n"
        + _("Rectified after round %(number)s:") % {"number": failed_round.number}
        + f"\n{fixes}"
    )
    acceptance_round = _create_round(
        project,
        actor=actor,
        milestone=failed_round.milestone,
        fields={"service_content": failed_round.service_content, "self_assessment": assessment},
        previous=failed_round,
    )
    for row in failed_round.deliverables.all():
        core_services.save(
            AcceptanceDeliverable(
                round=acceptance_round,
                name=row.name,
                description=row.description,
                delivered_on=row.delivered_on,
            ),
            actor=actor,
        )
    for member in failed_round.team.select_related("user"):
        if member.user.is_active:
            core_services.save(
                AcceptanceTeamMember(round=acceptance_round, user=member.user, role=member.role), actor=actor
            )
    _default_checklist(acceptance_round, actor)
    for criterion in failed_round.criteria.all():
        core_services.save(
            AcceptanceCriterion(
                round=acceptance_round, number=criterion.number, text=criterion.text, source=criterion.source
            ),
            actor=actor,
        )
    _notify_client(
        acceptance_round,
        title=_("Rectified: acceptance round %(number)s is open") % {"number": acceptance_round.number},
        body=str(acceptance_round),
    )
    return acceptance_round


def after_report_signed(acceptance_round, signature, *, actor) -> None:
    """Inside the signing transaction: the client's signature on a “pass” report passes the round."""
    if signature.role != "client" or acceptance_round.state != AcceptanceRound.State.IN_ACCEPTANCE:
        return
    perform_transition(acceptance_round, "pass_round", actor=actor)
    project = acceptance_round.project
    if acceptance_round.milestone_id is None and project.state == project.State.COMPLETED:
        # The client's signature decides: whoever may see the project (its client) records it.
        perform_transition(
            project,
            "record_acceptance",
            actor=actor,
            comment=_("Accepted by the signed report of %(round)s") % {"round": acceptance_round},
        )
    _notify_staff(
        acceptance_round,
        [project.project_lead],
        title=_("Acceptance passed: %(round)s") % {"round": acceptance_round},
    )

    def send():
        acceptance_passed.send(sender=AcceptanceRound, round=acceptance_round, actor=actor)

    transaction.on_commit(send)
