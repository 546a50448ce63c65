"""Service plan use cases (PLN-1..3). The HTML views and the API call these; nothing else writes.

Each function takes the acting user, runs in one transaction, writes its history and
transition log, and leaves notifications and e-mail to run after the commit.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from onestop.core import numbering, policy
from onestop.core import services as core_services
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.roles import Role
from onestop.core.workflow import perform_transition
from onestop.engagements.models import Engagement
from onestop.notifications import calendar
from onestop.notifications import services as notifications
from onestop.notifications.models import Notification
from onestop.plans.decision import ReviewerScores, decide
from onestop.plans.models import (
    BudgetLine,
    Milestone,
    Plan,
    PlanApproval,
    PlanReview,
    PlanVersion,
    ReviewCriteriaSet,
    StaffAssignment,
    milestone_outside_message,
)
from onestop.plans.signals import version_took_effect
from onestop.projects.models import ProjectMember
from onestop.projects.states import ProjectState

REVIEW_WITHIN_WORKING_DAYS = 5
APPROVE_WITHIN_WORKING_DAYS = 3
MIN_PANEL_SIZE = 1


def approval_levels(version: PlanVersion) -> int:
    """How many management approvals a version needs: a second above the configured budget
    (``ONESTOP_PLAN_SECOND_APPROVAL_ABOVE``, default 1,000,000)."""
    threshold = policy.value("plans.second_approval_above", at=version.created_at)  # EXT-4
    return 2 if version.budget_total > threshold else 1


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(f"plans.{perm}", obj):
        raise PermissionDenied


def _management():
    return list(get_user_model().objects.with_role(Role.MANAGEMENT))


def _short(text: str, limit: int = 60) -> str:
    """A transition comment short enough for the history's change reason (100 characters with the
    label); the full text is kept on the version (reasons, approval comment) and its approvals."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_lead(user):
    if (
        user is None
        or not user.is_active
        or not user.has_role(Role.PROJECT_LEAD)
        or user.client_organization_id
    ):
        raise DomainError(_("Choose an active project lead."), field="project_lead", code=ErrorCode.INVALID)


# --- PLN-1: drafting ----------------------------------------------------------------------------

# Who can do project work: put on a plan's team (PLN-1) and, from it, on the project's.
PROJECT_WORK_ROLES = (Role.TECHNICIAN, Role.PROJECT_LEAD, Role.REVIEWER)
# A project still takes its team's time until the client has accepted its implementation.
RUNNING_PROJECT_STATES = (ProjectState.OPENED, ProjectState.IN_PROGRESS)


def staffing_candidates():
    """Active internal staff who can do project work, sorted by name, each with ``current_load``:
    the sum of their allocation (%) on running projects. One query, whatever the number."""
    load = (
        ProjectMember.objects.filter(user=OuterRef("pk"), project__state__in=RUNNING_PROJECT_STATES)
        .order_by()
        .values("user")
        .annotate(total=Sum("allocation"))
        .values("total")
    )
    return (
        get_user_model()
        .objects.with_role(*PROJECT_WORK_ROLES)
        .annotate(current_load=Coalesce(Subquery(load, output_field=IntegerField()), Value(0)))
    )


def budget_against_fee(version: PlanVersion, total: Decimal | None = None) -> dict:
    """The budget total against the fee of the engagement's signed confirmation form: the plan
    may not spend more than the client agreed to pay without anyone noticing."""
    terms = version.plan.engagement.agreed_proposal
    total = version.budget_total if total is None else total
    fee = terms.fee if terms is not None else None
    return {
        "total": total,
        "fee": fee,
        "currency": terms.currency if terms is not None else version.currency,
        "over": fee is not None and total > fee,
        "over_by": (total - fee) if fee is not None and total > fee else Decimal("0"),
    }


def submitters(versions) -> dict:
    """Who last submitted each version (version id → user), in one query: shown beside the
    author when someone else submitted what the author wrote."""
    ids = [version.pk for version in versions]
    if not ids:
        return {}
    logs = StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(PlanVersion), object_id__in=ids, transition="submit"
    ).select_related("by")
    found: dict = {}
    for log in logs.order_by("timestamp", "pk"):
        found[int(log.object_id)] = log.by
    return found


def _check_staffing(staffing) -> None:
    """Only people who can do project work are put on a plan's team."""
    if not staffing:
        return
    allowed = set(staffing_candidates().values_list("pk", flat=True))
    for row in staffing:
        user = row.get("user")
        if user is not None and getattr(user, "pk", user) not in allowed:
            raise DomainError(
                _(
                    "%(name)s cannot be put on a project team: choose an active technician, project lead or reviewer."
                )
                % {"name": getattr(user, "display_name", user)},
                field="staffing",
                code=ErrorCode.INVALID,
            )


def check_gate(engagement: Engagement) -> None:
    """X-2: no plan before the confirmation form is signed (the engagement is confirmed)."""
    if engagement.stage != Engagement.Stage.CONFIRMED or engagement.agreed_proposal_id is None:
        raise DomainError(
            _(
                "A service plan can be made only after the requirement confirmation form is signed "
                "by both parties; %(code)s is “%(stage)s”."
            )
            % {"code": engagement.code, "stage": engagement.get_stage_display()},
            field="engagement",
            code=ErrorCode.GATE_NOT_MET,
        )


@transaction.atomic
def create_plan(engagement: Engagement, *, actor, project_lead, title: str = "") -> Plan:
    """Management opens the plan of a confirmed engagement and assigns its project lead.

    Version 1 is prefilled from the agreed terms of the signed confirmation form.
    """
    _require(actor, "add_plan")
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("agreed_proposal")
        .get(pk=engagement.pk)
    )
    check_gate(engagement)
    _check_lead(project_lead)
    if Plan.objects.filter(engagement=engagement).exists():
        raise ConflictError(
            _("%(code)s already has a service plan.") % {"code": engagement.code}, field="engagement"
        )
    plan = Plan(
        code=numbering.next_code("PLN"),
        engagement=engagement,
        title=(title or engagement.title)[:200],
        project_lead=project_lead,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            core_services.save(plan, actor=actor, reason=_("Plan opened"))
    except IntegrityError:
        raise ConflictError(_("%(code)s already has a service plan.") % {"code": engagement.code}) from None
    terms = engagement.agreed_proposal
    assert terms is not None, "check_gate() let through only an engagement with agreed terms"
    version = PlanVersion(
        plan=plan,
        number=1,
        service_content=terms.service_content,
        technical_route="",
        implementation_steps="",
        quality_measures="",
        period_start=terms.period_start,
        period_end=terms.period_end,
        fee=terms.fee,
        currency=terms.currency,
        change_note=_("Prefilled from the signed confirmation form.")
        + "\n"
        + _("Technical requirements: %(text)s") % {"text": terms.technical_requirements},
        author=actor,
    )
    core_services.save(version, actor=actor, reason=_("Version 1 prefilled from the confirmation"))
    notifications.notify(
        [project_lead],
        title=_("You lead the service plan %(code)s %(title)s") % {"code": plan.code, "title": plan.title},
        body=_("Draft the plan and submit it for review."),
        url=plan.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=plan,
    )
    return plan


@transaction.atomic
def assign_lead(plan: Plan, *, actor, project_lead, title: str | None = None) -> Plan:
    _require(actor, "change_plan", plan)
    _check_lead(project_lead)
    changed = project_lead != plan.project_lead
    plan.project_lead = project_lead
    if title:
        plan.title = title
    core_services.save(plan, actor=actor)
    if changed:
        notifications.notify(
            [project_lead],
            title=_("You lead the service plan %(code)s %(title)s")
            % {"code": plan.code, "title": plan.title},
            url=plan.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=plan,
        )
    return plan


def _replace_parts(version, actor, milestones, staffing, budget_lines):
    for model, rows, accessor in (
        (Milestone, milestones, "milestones"),
        (StaffAssignment, staffing, "staffing"),
        (BudgetLine, budget_lines, "budget_lines"),
    ):
        if rows is None:
            continue
        for old in getattr(version, accessor).all():
            old._history_user = actor
            old.delete()
        for index, data in enumerate(rows):
            part = model(version=version, **data)
            try:
                part.full_clean(exclude=["version"])
            except Exception as exc:
                if isinstance(exc, ValidationError):
                    raise ValidationError({f"{accessor}[{index}]": exc.messages}) from None
                raise
            part._history_user = actor
            part.save()


@transaction.atomic
def update_version(
    version: PlanVersion, *, actor, milestones=None, staffing=None, budget_lines=None, **content
) -> PlanVersion:
    """Edit a draft version. A submitted or approved version is never changed (make a new version)."""
    _require(actor, "change_planversion", version)
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if locked.state != PlanVersion.State.DRAFT:
        raise DomainError(
            _("Version %(number)s is “%(state)s” and can no longer be changed; make a new version instead.")
            % {"number": version.number, "state": locked.state_label()},
            code=ErrorCode.NOT_EDITABLE,
        )
    for name, value in content.items():
        if name not in (*PlanVersion.CONTENT, "change_note"):
            raise DomainError(
                _("“%(name)s” cannot be changed here.") % {"name": name}, field=name, code=ErrorCode.INVALID
            )
        setattr(version, name, value)
    _check_staffing(staffing)
    # The author is who writes the draft (not who opened the plan, nor who submits it).
    version.author = actor
    core_services.save(
        version, actor=actor, reason=_("Version %(number)s edited") % {"number": version.number}
    )
    _replace_parts(version, actor, milestones, staffing, budget_lines)
    _check_dates(version)
    return version


def _check_dates(version: PlanVersion) -> None:
    """Every milestone within the service period, also after only the period was changed."""
    outside = version.milestones_outside_period()
    if outside:
        raise DomainError(
            milestone_outside_message(outside[0], version), field="milestones", code=ErrorCode.INVALID
        )


@transaction.atomic
def new_version(plan: Plan, *, actor, change_note: str = "") -> PlanVersion:
    """Start the next version as a copy of the latest one (after revision, rejection or approval)."""
    _require(actor, "draft_plan", plan)
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    latest = plan.versions.order_by("-number").first()
    assert latest is not None, "a plan is created with its version 1 (create_plan)"
    if latest.state in PlanVersion.OPEN_STATES:
        raise DomainError(
            _("Version %(number)s is still “%(state)s”; finish it before starting a new version.")
            % {"number": latest.number, "state": latest.state_label()},
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    version = PlanVersion(
        plan=plan,
        number=latest.number + 1,
        author=actor,
        change_note=change_note,
        **{name: getattr(latest, name) for name in PlanVersion.CONTENT},
    )
    try:
        with transaction.atomic():
            core_services.save(
                version, actor=actor, reason=_("Version %(number)s started") % {"number": version.number}
            )
    except IntegrityError:
        raise ConflictError(_("Someone started a new version at the same moment. Reload the page.")) from None
    for accessor, fields in (
        ("milestones", ("name", "due_date", "deliverables")),
        ("staffing", ("user", "role", "allocation")),
        ("budget_lines", ("category", "description", "amount")),
    ):
        for part in getattr(latest, accessor).all():
            copy = type(part)(version=version, **{f: getattr(part, f) for f in fields})
            copy._history_user = actor
            copy.save()
    return version


# --- PLN-2: review ------------------------------------------------------------------------------


def reviewer_candidates():
    """Who may sit on a review panel: active staff with the reviewer role."""
    return get_user_model().objects.with_role(Role.REVIEWER)


def reviewer_suggestions(version: PlanVersion) -> list[dict]:
    """PLN-2: the reviewers to choose a panel from, grouped by department — the departments of
    the version's staffing first (marked ``relevant``), then the others, then those without one.

    Each group is ``{"department": Department | None, "relevant": bool, "reviewers": [User]}``.
    """
    staffing_departments = set(
        StaffAssignment.objects.filter(version=version, user__department__isnull=False).values_list(
            "user__department", flat=True
        )
    )
    groups: dict = {}
    for user in reviewer_candidates().select_related("department").order_by("full_name", "username"):
        groups.setdefault(user.department_id, {"department": user.department, "reviewers": []})
        groups[user.department_id]["reviewers"].append(user)
    for key, group in groups.items():
        group["relevant"] = key in staffing_departments

    def order(group):
        department = group["department"]
        if department is None:
            return (2, 0, "")
        return (0 if group["relevant"] else 1, department.sort_order, department.name)

    return sorted(groups.values(), key=order)


@transaction.atomic
def submit_version(version: PlanVersion, *, actor, reviewers, comment: str = "") -> PlanVersion:
    """The project lead submits a draft to a review panel of experts (role reviewer)."""
    reviewers = list(dict.fromkeys(reviewers))
    if len(reviewers) < max(MIN_PANEL_SIZE, policy.value("plans.min_panel_size", at=version.created_at)):
        raise DomainError(
            _("Choose at least one reviewer for the panel.")
            if len(reviewers) == 0
            else _("The panel needs at least %(count)s reviewers.")
            % {"count": policy.value("plans.min_panel_size", at=version.created_at)},
            field="reviewers",
            code=ErrorCode.INVALID,
        )
    for reviewer in reviewers:
        if not reviewer.is_active or reviewer.client_organization_id or not reviewer.has_role(Role.REVIEWER):
            raise DomainError(
                _("%(name)s is not an active reviewer.") % {"name": reviewer.display_name},
                field="reviewers",
                code=ErrorCode.INVALID,
            )
    if not all(
        model.objects.filter(version=version).exists() for model in (Milestone, StaffAssignment, BudgetLine)
    ):
        raise DomainError(
            _("Add milestones, staffing and the cost budget before submitting."),
            code=ErrorCode.CONDITION_UNMET,
        )
    # A version whose dates contradict each other is not put before the panel.
    try:
        core_services.validate(version)
    except ValidationError as exc:
        raise core_services.domain_error(exc) from None
    _check_dates(version)
    version.reviewers.set(reviewers)
    version.criteria_set = ReviewCriteriaSet.active()
    version.submitted_at = timezone.now()
    version.review_due = calendar.add_working_days(
        version.submitted_at, policy.value("plans.review_working_days", at=version.created_at)
    )
    version.decision_reasons = []
    version.weighted_mean = None
    perform_transition(version, "submit", actor=actor, comment=_short(comment))
    for reviewer in reviewers:
        notifications.set_deadline(
            version,
            kind="plan_review",
            title=_("Review %(version)s (%(name)s)") % {"version": version, "name": reviewer.display_name},
            due_at=version.review_due,
            responsible=reviewer,
            escalate_to=version.plan.project_lead,
            url=version.get_absolute_url(),
            actor=actor,
        )
    notifications.notify(
        reviewers,
        title=_("Please review the service plan %(version)s %(title)s")
        % {"version": version, "title": version.plan.title},
        body=comment,
        url=version.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=version.plan,
    )
    return version


def validate_scores(version: PlanVersion, scores) -> dict:
    criteria_set = version.criteria_set or ReviewCriteriaSet.active()
    if not isinstance(scores, dict):
        raise DomainError(_("Give a score for every criterion."), field="scores", code=ErrorCode.INVALID)
    clean = {}
    for criterion in criteria_set.criterion_list():
        value: Any = scores.get(criterion.code)  # as sent: int() below refuses a missing or odd value
        try:
            number = int(value)
            if str(number) != str(value).strip():
                raise ValueError
        except (TypeError, ValueError):
            raise DomainError(
                _("Give %(criterion)s a whole number from %(low)s to %(high)s.")
                % {
                    "criterion": criterion.label,
                    "low": criteria_set.scale_min,
                    "high": criteria_set.scale_max,
                },
                field="scores",
                code=ErrorCode.INVALID,
            ) from None
        if not criteria_set.scale_min <= number <= criteria_set.scale_max:
            raise DomainError(
                _("The score for %(criterion)s must be from %(low)s to %(high)s.")
                % {
                    "criterion": criterion.label,
                    "low": criteria_set.scale_min,
                    "high": criteria_set.scale_max,
                },
                field="scores",
                code=ErrorCode.INVALID,
            )
        clean[criterion.code] = number
    return clean


@transaction.atomic
def submit_review(
    version: PlanVersion, *, actor, scores: dict, recommendation: str, comments: str = ""
) -> PlanReview:
    """A panel member scores the version; the last review decides pass or revise by the rule."""
    _require(actor, "review_planversion", version)
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if locked.state != PlanVersion.State.IN_REVIEW:
        raise DomainError(_("This plan version is not in review."), code=ErrorCode.NOT_POSSIBLE_NOW)
    if recommendation not in PlanReview.Recommendation.values:
        raise DomainError(_("Choose pass, revise or reject."), field="recommendation", code=ErrorCode.INVALID)
    if recommendation != PlanReview.Recommendation.PASS and not (comments or "").strip():
        raise DomainError(
            _("Explain what must change in your comments."), field="comments", code=ErrorCode.INVALID
        )
    review = PlanReview(
        version=version,
        reviewer=actor,
        scores=validate_scores(version, scores),
        recommendation=recommendation,
        comments=(comments or "").strip(),
    )
    review._history_user = actor
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise ConflictError(_("You have already reviewed this version.")) from None
    notifications.close_deadlines(version, responsible=actor, actor=actor)
    # Fresh reads: the caller's object may carry prefetched (stale) reviews.
    reviews = list(PlanReview.objects.filter(version=version).order_by("pk"))
    panel_size = PlanVersion.reviewers.through.objects.filter(planversion_id=version.pk).count()
    if len(reviews) >= panel_size:
        conclude(version, actor=actor, reviews=reviews)
    return review


def decision_for(version: PlanVersion, reviews=None):
    criteria_set = version.criteria_set or ReviewCriteriaSet.active()
    reviews = list(version.reviews.all()) if reviews is None else reviews
    if not reviews:
        return None
    return decide(
        [ReviewerScores(r.scores, r.recommendation) for r in reviews],
        criteria_set.criterion_list(),
        review_rule(version, criteria_set),
    )


def review_rule(version: PlanVersion, criteria_set: ReviewCriteriaSet):
    """The decision rule: the criteria set's, with the thresholds the policy settings in force
    when the version was created set (EXT-4; empty there: the criteria set's own)."""
    rule = criteria_set.rule()
    pass_mean = policy.value("plans.pass_mean", at=version.created_at)
    min_mean = policy.value("plans.min_criterion_mean", at=version.created_at)
    changes = {}
    if pass_mean is not None:
        changes["pass_mean"] = Fraction(pass_mean)
    if min_mean is not None:
        changes["min_criterion_mean"] = Fraction(min_mean)
    return replace(rule, **changes) if changes else rule


def conclude(version: PlanVersion, *, actor, reviews) -> PlanVersion:
    decision = decision_for(version, reviews)
    version.weighted_mean = Decimal(decision.weighted_mean.numerator) / Decimal(
        decision.weighted_mean.denominator
    )
    version.weighted_mean = version.weighted_mean.quantize(Decimal("0.01"))
    version.decision_reasons = decision.reasons
    version.decided_at = timezone.now()
    plan = version.plan
    reasons = "\n".join(decision.reasons)
    if decision.passed:
        perform_transition(version, "conclude_pass", actor=actor, comment=_short(reasons))
        notifications.close_deadlines(version, actor=actor)
        managers = _management()
        for manager in managers[:1]:
            notifications.set_deadline(
                version,
                kind="plan_approval",
                title=_("Approve %(version)s") % {"version": version},
                due_at=calendar.add_working_days(
                    timezone.now(), policy.value("plans.approve_working_days", at=version.created_at)
                ),
                responsible=manager,
                url=version.get_absolute_url(),
                actor=actor,
            )
        notifications.notify(
            [*managers, plan.project_lead],
            title=_("%(version)s passed review and awaits approval") % {"version": version},
            body=reasons,
            url=version.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=plan,
        )
    else:
        perform_transition(version, "conclude_revise", actor=actor, comment=_short(reasons))
        notifications.close_deadlines(version, actor=actor)
        notifications.notify(
            [plan.project_lead],
            title=_("%(version)s must be revised") % {"version": version},
            body=reasons,
            url=version.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=plan,
        )
    return version


# --- PLN-3: approval ---------------------------------------------------------------------------


@transaction.atomic
def approve_version(version: PlanVersion, *, actor, comment: str = "") -> PlanVersion:
    """Management approves; above the configured budget a second, different approver completes it.

    Of two people approving the same step at once, one succeeds and the other gets a conflict.
    """
    _require(actor, "approve_planversion", version)
    seen_state = version.state
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if locked.state != seen_state:
        raise ConflictError(
            _("Someone else decided on %(version)s meanwhile; it is now “%(state)s”. Reload the page.")
            % {"version": version, "state": locked.state_label()}
        )
    if locked.state != PlanVersion.State.PASSED:
        raise DomainError(
            _("Only a version that passed review can be approved; %(version)s is “%(state)s”.")
            % {"version": version, "state": locked.state_label()},
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    done = list(version.approvals.order_by("level"))
    if any(a.approver_id == actor.pk for a in done):
        raise DomainError(
            _("You have already approved this version; another member of management must approve it."),
            code=ErrorCode.ALREADY_DONE,
        )
    level = len(done) + 1
    approval = PlanApproval(version=version, level=level, approver=actor, comment=(comment or "").strip())
    approval._history_user = actor
    try:
        with transaction.atomic():
            approval.save()
    except IntegrityError:
        raise ConflictError(
            _("Someone else approved this version at the same moment. Reload the page.")
        ) from None
    plan = version.plan
    if level < approval_levels(version):
        notifications.notify(
            [m for m in _management() if m != actor],
            title=_("%(version)s needs a second approval") % {"version": version},
            body=comment,
            url=version.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=plan,
        )
        return version
    version.approved_at = timezone.now()
    version.approval_comment = (comment or "").strip()
    perform_transition(version, "approve", actor=actor, comment=_short(comment), expected_state=seen_state)
    plan.effective_version = version
    core_services.save(
        plan, actor=actor, reason=_("Version %(number)s took effect") % {"number": version.number}
    )

    version_took_effect.send(sender=PlanVersion, plan=plan, version=version, actor=actor)
    notifications.close_deadlines(version, actor=actor)
    notifications.notify(
        [plan.project_lead, *version.reviewers.all()],
        title=_("%(version)s was approved and is now the effective plan") % {"version": version},
        body=comment,
        url=version.get_absolute_url(),
        target=plan,
    )
    return version


@transaction.atomic
def reject_version(version: PlanVersion, *, actor, comment: str) -> PlanVersion:
    _require(actor, "approve_planversion", version)
    seen_state = version.state
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if locked.state != seen_state:
        raise ConflictError(
            _("Someone else decided on %(version)s meanwhile; it is now “%(state)s”. Reload the page.")
            % {"version": version, "state": locked.state_label()}
        )
    version.approval_comment = (comment or "").strip()
    perform_transition(version, "reject", actor=actor, comment=_short(comment), expected_state=seen_state)
    notifications.close_deadlines(version, actor=actor)
    notifications.notify(
        [version.plan.project_lead],
        title=_("%(version)s was rejected by management") % {"version": version},
        body=comment,
        url=version.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=version.plan,
    )
    return version


# --- the gate for the contract stage ------------------------------------------------------------


def require_effective_plan(engagement) -> PlanVersion:
    """The approved, effective plan version of ``engagement``; DomainError when there is none."""
    plan = Plan.objects.filter(engagement=engagement).select_related("effective_version").first()
    if plan is None or plan.effective_version is None:
        raise DomainError(
            _("A contract can be drafted only from an approved service plan; %(code)s has none yet.")
            % {"code": engagement.code},
            code=ErrorCode.GATE_NOT_MET,
        )
    return plan.effective_version
