"""Every change to the risk register, warnings and emergency responses (RSK-1..5, EXT-1): one
function per use case, called by the pages, the API, the periodic job and the demo alike.

Decisions:

- A risk keeps the matrix version it was first assessed under (``Risk.matrix``): its level and
  suggested strategy are read from that version at every later review, so an administrator's new
  version changes the suggestions of new risks only. The register's history is the
  ``RiskReview`` rows (the first is the inherent assessment; the latest is the residual level).
- The suggested strategy is the matrix cell's (the policy's rule, matrix.py); choosing another
  asks for a reason. Accepting a risk goes to a sign-off by the right level with an expiry date
  (rules.can_sign_acceptance); the other strategies start with at least one response action.
- The next review follows the level's cadence in the matrix (critical weekly, high fortnightly,
  medium monthly, low quarterly).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.accounts.models import User
from onestop.contracts.models import Contract
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.core.services import edit, save
from onestop.core.workflow import perform_transition
from onestop.engagements.services import assess_out_of_scope
from onestop.engagements.states import EngagementStage
from onestop.notifications.models import Notification
from onestop.notifications.services import notify
from onestop.projects.models import Project
from onestop.risks import matrix as m
from onestop.risks import rules
from onestop.risks.models import (
    TRANSFER_CLAUSES,
    EmergencyActionTaken,
    EmergencyActivation,
    EmergencyPlan,
    IdentificationMethod,
    IdentificationSession,
    Outcome,
    QuestionnaireAnswer,
    ResponseAction,
    Risk,
    RiskMatrix,
    RiskReview,
    Warning,
)
from onestop.risks.states import RiskState


def _require(actor, perm: str, obj=None) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied


# --- the matrix (RSK-2) ----------------------------------------------------------------------


def current_matrix(on=None) -> RiskMatrix:
    """The version in force on ``on`` (today): the latest effective one; the policy's default
    5 × 5 matrix is created the first time none exists."""
    on = on or timezone.localdate()
    found = RiskMatrix.objects.filter(effective_from__lte=on).order_by("-effective_from", "-version").first()
    if found is not None:
        return found
    found = RiskMatrix.objects.order_by("effective_from", "version").first()
    return found or _default_matrix()


def _default_matrix() -> RiskMatrix:
    levels, strategies = m.default_grid()
    matrix = RiskMatrix(
        version=1,
        effective_from=timezone.localdate().replace(month=1, day=1),
        likelihood_labels=list(m.DEFAULT_LIKELIHOOD_LABELS),
        impact_labels=list(m.DEFAULT_IMPACT_LABELS),
        levels=levels,
        strategies=strategies,
        colours={str(k): v for k, v in m.DEFAULT_COLOURS.items()},
        review_days={str(k): v for k, v in m.DEFAULT_REVIEW_DAYS.items()},
        note=_("The policy's default 5 × 5 matrix."),
    )
    return save(matrix, actor=None, reason=_("Default matrix"))


@transaction.atomic
def publish_matrix(
    *,
    actor,
    effective_from,
    levels,
    strategies,
    likelihood_labels=None,
    impact_labels=None,
    colours=None,
    review_days=None,
    note="",
) -> RiskMatrix:
    """A new version of the matrix, effective from ``effective_from`` (administrators only)."""
    _require(actor, "risks.add_riskmatrix")
    base = current_matrix()
    likelihood_labels = likelihood_labels or base.likelihood_labels
    impact_labels = impact_labels or base.impact_labels
    rows, columns = len(likelihood_labels), len(impact_labels)
    if not m.validate_grid(levels, rows, columns, set(m.Level.values)):
        raise DomainError(_("Give a level for every cell of the matrix."), field="levels")
    if not m.validate_grid(strategies, rows, columns, set(m.Strategy.values)):
        raise DomainError(_("Give a strategy for every cell of the matrix."), field="strategies")
    if (
        effective_from < timezone.localdate()
        and Risk.objects.filter(assessed_at__date__gte=effective_from).exists()
    ):
        raise DomainError(
            _("Risks were already assessed after that date; a new version takes effect from today or later."),
            field="effective_from",
        )
    last = RiskMatrix.objects.order_by("-version").values_list("version", flat=True).first() or 0
    matrix = RiskMatrix(
        version=last + 1,
        effective_from=effective_from,
        likelihood_labels=list(likelihood_labels),
        impact_labels=list(impact_labels),
        levels=levels,
        strategies=strategies,
        colours=colours or base.colours,
        review_days=review_days or base.review_days,
        note=note,
        created_by=actor,
    )
    return save(matrix, actor=actor, reason=_("New matrix version"))


# --- identification (RSK-1) ------------------------------------------------------------------


def _project_of(engagement):
    if engagement is None:
        return None
    return Project.objects.filter(engagement=engagement).select_related("project_lead").first()


@transaction.atomic
def identify(
    *,
    actor,
    title,
    category,
    cause,
    event,
    consequence,
    owner,
    engagement=None,
    department=None,
    method=IdentificationMethod.OTHER,
    session=None,
    source_review=None,
) -> Risk:
    """Enter a risk in the register (company-level without an engagement)."""
    _require(actor, "risks.add_risk")
    if engagement is None and actor is not None and not rules.keeps_register(actor):
        raise DomainError(
            _("Company-level risks are entered by management or quality; choose the engagement."),
            field="engagement",
        )
    if owner is not None and owner.client_organization_id is not None:
        raise DomainError(_("The risk owner is a member of staff."), field="owner")
    if session is not None:
        method = session.method
    risk = Risk(
        code=next_code("RSK"),
        title=title,
        category=category,
        engagement=engagement,
        project=_project_of(engagement),
        department=department or (owner.department if owner is not None else None),
        cause=cause,
        event=event,
        consequence=consequence,
        owner=owner,
        method=method,
        session=session,
        source_review=source_review,
        identified_by=actor,
        identified_at=timezone.now(),
    )
    save(risk, actor=actor, reason=_("Identified"))
    if owner is not None and owner != actor:
        notify(
            [owner],
            title=_("You own a new risk: %(risk)s") % {"risk": risk},
            body=_("Please assess its likelihood and impact."),
            url=risk.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=risk,
        )
    return risk


@transaction.atomic
def update_risk(risk: Risk, *, actor, reason="", **fields) -> Risk:
    """Correct the text of an open risk (the generic edit page and the API's PATCH)."""
    _require(actor, "risks.change_risk", risk)
    for name, value in fields.items():
        setattr(risk, name, value)
    if "engagement" in fields:
        risk.project = _project_of(risk.engagement)
    return edit(risk, actor=actor, reason=reason)


@transaction.atomic
def raise_from_review(review, *, actor, title, category, cause, event, consequence, owner=None) -> Risk:
    """A reviewer raises a risk from their plan review comment (風險可控性)."""
    if review.reviewer_id != getattr(actor, "pk", None) and not rules.keeps_register(actor):
        raise PermissionDenied
    engagement = review.version.plan.engagement
    owner = owner or review.version.plan.project_lead or actor
    return identify(
        actor=actor,
        title=title,
        category=category,
        cause=cause,
        event=event,
        consequence=consequence,
        owner=owner,
        engagement=engagement,
        method=IdentificationMethod.PLAN_REVIEW,
        source_review=review,
    )


@transaction.atomic
def record_answer(
    session: IdentificationSession, *, actor, respondent, question, answer
) -> QuestionnaireAnswer:
    """One respondent's answer to a question of a questionnaire."""
    _require(actor, "risks.change_identificationsession", session)
    if session.method != IdentificationMethod.QUESTIONNAIRE:
        raise DomainError(_("Answers are recorded on a questionnaire."), field="question")
    if question not in session.question_list:
        raise DomainError(_("Choose one of the questionnaire's questions."), field="question")
    row = QuestionnaireAnswer(session=session, respondent=respondent, question=question, answer=answer)
    save(row, actor=actor, reason=_("Answer recorded"))
    session.participants.add(respondent)
    return row


@transaction.atomic
def answer_to_risk(answer: QuestionnaireAnswer, *, actor, title, category, owner) -> Risk:
    """Turn a questionnaire answer into a risk of the register (the answer is its cause)."""
    _require(actor, "risks.change_identificationsession", answer.session)
    if answer.risk_id is not None:
        raise DomainError(_("This answer already became a risk."), code=ErrorCode.ALREADY_DONE)
    risk = identify(
        actor=actor,
        title=title,
        category=category,
        cause=answer.answer,
        event=title,
        consequence=_("See the questionnaire answer of %(who)s.") % {"who": answer.respondent},
        owner=owner,
        engagement=answer.session.engagement,
        session=answer.session,
    )
    answer.risk = risk
    save(answer, actor=actor, reason=_("Raised as a risk"))
    return risk


# --- assessment (RSK-2) ----------------------------------------------------------------------


def _check_scale(matrix: RiskMatrix, likelihood: int, impact: int) -> None:
    if not 1 <= likelihood <= matrix.rows:
        raise DomainError(_("Choose a likelihood from 1 to %(n)s.") % {"n": matrix.rows}, field="likelihood")
    if not 1 <= impact <= matrix.columns:
        raise DomainError(_("Choose an impact from 1 to %(n)s.") % {"n": matrix.columns}, field="impact")


def _next_review(matrix: RiskMatrix, level: str):
    return timezone.localdate() + timedelta(days=matrix.review_interval(level))


@transaction.atomic
def assess(
    risk: Risk,
    *,
    actor,
    likelihood: int,
    impact: int,
    description: str = "",
    probability: Decimal | None = None,
    cost_impact: Decimal | None = None,
    schedule_impact_days: int | None = None,
    comment: str = "",
) -> Risk:
    """Assess (or re-assess before the response) the likelihood and impact of ``risk``."""
    matrix = risk.matrix or current_matrix()
    _check_scale(matrix, likelihood, impact)
    level = matrix.level_at(likelihood, impact)
    risk.matrix = matrix
    risk.likelihood, risk.impact, risk.level = likelihood, impact, level
    risk.inherent_likelihood, risk.inherent_impact, risk.inherent_level = likelihood, impact, level
    risk.description = description
    risk.probability, risk.cost_impact, risk.schedule_impact_days = (
        probability,
        cost_impact,
        schedule_impact_days,
    )
    risk.suggested_strategy = matrix.strategy_at(likelihood, impact)
    risk.assessed_at = timezone.now()
    risk.next_review = _next_review(matrix, level)
    perform_transition(risk, "assess", actor=actor, comment=comment)
    save(
        RiskReview(
            risk=risk,
            kind=RiskReview.Kind.ASSESSMENT,
            matrix=matrix,
            likelihood=likelihood,
            impact=impact,
            level=level,
            probability=probability,
            cost_impact=cost_impact,
            schedule_impact_days=schedule_impact_days,
            note=description,
            reviewed_by=actor,
        ),
        actor=actor,
    )
    return risk


# --- response (RSK-3) ------------------------------------------------------------------------


def signers_for(risk: Risk):
    """Who signs off an accepted risk: management for high and critical, quality otherwise."""
    roles = (
        (Role.MANAGEMENT,)
        if risk.level in (m.Level.HIGH, m.Level.CRITICAL)
        else (Role.QUALITY, Role.MANAGEMENT)
    )
    return [
        user
        for user in User.objects.with_role(*roles)
        if user.pk != risk.owner_id or Role.MANAGEMENT in roles
    ]


@transaction.atomic
def add_action(risk: Risk, *, actor, title, owner, due_date, description="") -> ResponseAction:
    """A response action of ``risk`` with its owner and due date."""
    if (
        actor is not None
        and not actor.has_perm("risks.respond_risk", risk)
        and not actor.has_perm("risks.review_risk", risk)
    ):
        raise PermissionDenied
    if risk.state == RiskState.CLOSED:
        raise DomainError(_("The risk is closed."), code=ErrorCode.NOT_POSSIBLE_NOW)
    if due_date < timezone.localdate():
        raise DomainError(_("The due date cannot be in the past."), field="due_date")
    action = ResponseAction(risk=risk, title=title, description=description, owner=owner, due_date=due_date)
    save(action, actor=actor, reason=_("Response action added"))
    if owner != actor:
        notify(
            [owner],
            title=_("Risk response action for you: %(action)s") % {"action": title},
            body=_("Risk %(risk)s; due %(date)s.") % {"risk": risk, "date": due_date.strftime("%Y-%m-%d")},
            url=action.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=action,
        )
    return action


@transaction.atomic
def choose_response(
    risk: Risk,
    *,
    actor,
    strategy: str,
    reason: str = "",
    acceptance_expires=None,
    action_title: str = "",
    action_owner=None,
    action_due=None,
    comment: str = "",
    transfer_clause: str = "",
    decline_inquiry: bool = False,
    client_reason: str = "",
    client_suggestions: str = "",
) -> Risk:
    """The owner chooses the strategy (a reason when it differs from the suggestion); accepting
    goes to a sign-off with an expiry date, the others start with a response action.

    Transferring may name the clause of the engagement's contract that transfers the risk (RSK-1).
    Avoiding a risk of an inquiry still awaiting its assessment may decline the inquiry as out of
    scope (RSK-3): the client is told ``client_reason`` (never the risk's internal text) and the
    risk is closed as avoided — in one transaction with the decline."""
    if strategy not in m.Strategy.values:
        raise DomainError(_("Choose a strategy."), field="strategy")
    reason = (reason or "").strip()
    if strategy != risk.suggested_strategy and not reason:
        raise DomainError(
            _("The suggested strategy is “%(suggested)s”; say why you choose another.")
            % {"suggested": m.Strategy(risk.suggested_strategy).label if risk.suggested_strategy else "—"},
            field="reason",
        )
    risk.strategy, risk.strategy_reason = strategy, reason
    if decline_inquiry:
        return _avoid_by_declining(
            risk, actor=actor, client_reason=client_reason, client_suggestions=client_suggestions
        )
    if transfer_clause:
        _name_clause(risk, transfer_clause, strategy)
    if strategy == m.Strategy.ACCEPT:
        if acceptance_expires is None or acceptance_expires <= timezone.localdate():
            raise DomainError(
                _("Give the date until which the risk is accepted."), field="acceptance_expires"
            )
        risk.acceptance_expires = acceptance_expires
        perform_transition(risk, "propose_acceptance", actor=actor, comment=comment or reason)
        notify(
            signers_for(risk),
            title=_("Sign off the acceptance of risk %(risk)s") % {"risk": risk},
            body=_("Level %(level)s; accepted until %(date)s.")
            % {"level": risk.get_level_display(), "date": acceptance_expires.strftime("%Y-%m-%d")},
            url=risk.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=risk,
        )
        return risk
    has_action = risk.actions.filter(state=ResponseAction.State.OPEN).exists()
    if not (action_title or "").strip() and not has_action:
        raise DomainError(_("Name the first response action, its owner and due date."), field="action_title")
    perform_transition(risk, "respond", actor=actor, comment=comment or reason)
    if (action_title or "").strip():
        if action_owner is None or action_due is None:
            raise DomainError(_("Give the action's owner and due date."), field="action_owner")
        add_action(risk, actor=actor, title=action_title, owner=action_owner, due_date=action_due)
    return risk


def _name_clause(risk: Risk, clause: str, strategy: str) -> None:
    if strategy != m.Strategy.TRANSFER:
        raise DomainError(_("Only a transferred risk names a contract clause."), field="transfer_clause")
    if clause not in dict(TRANSFER_CLAUSES):
        raise DomainError(_("Choose a clause of the contract."), field="transfer_clause")
    contract = (
        Contract.objects.filter(engagement_id=risk.engagement_id).first() if risk.engagement_id else None
    )
    if contract is None:
        raise DomainError(
            _("This risk's engagement has no contract whose clause could transfer it."),
            field="transfer_clause",
        )
    risk.transfer_contract, risk.transfer_clause = contract, clause


def _avoid_by_declining(risk: Risk, *, actor, client_reason: str, client_suggestions: str) -> Risk:
    if risk.strategy != m.Strategy.AVOID:
        raise DomainError(_("Only avoiding a risk declines the inquiry."), field="decline_inquiry")
    engagement = risk.engagement
    if engagement is None or engagement.stage != EngagementStage.ASSESSMENT:
        raise DomainError(
            _("Only an inquiry still awaiting its assessment can be declined this way."),
            field="decline_inquiry",
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    if not (client_reason or "").strip():
        raise DomainError(_("Write the reason the client is given."), field="client_reason")
    assess_out_of_scope(engagement, actor=actor, reason=client_reason, suggestions=client_suggestions)
    note = _("Avoided: the inquiry %(code)s was declined as out of scope.") % {"code": engagement.code}
    return close_risk(risk, actor=actor, outcome=Outcome.NOT_REALISED, note=note)


@transaction.atomic
def sign_off_acceptance(risk: Risk, *, actor, comment: str = "") -> Risk:
    """The right level signs off an accepted risk; it is then watched until the expiry date."""
    risk.accepted_by, risk.accepted_at = actor, timezone.now()
    perform_transition(risk, "sign_off", actor=actor, comment=comment)
    return risk


@transaction.atomic
def refuse_acceptance(risk: Risk, *, actor, comment: str = "") -> Risk:
    if not (comment or "").strip():
        raise DomainError(_("Say why the acceptance is refused."), field="comment")
    risk.strategy = ""
    risk.acceptance_expires = None
    perform_transition(risk, "refuse_acceptance", actor=actor, comment=comment)
    notify(
        [risk.owner],
        title=_("The acceptance of risk %(risk)s was refused") % {"risk": risk},
        body=comment,
        url=risk.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=risk,
    )
    return risk


# --- monitoring (RSK-4) ----------------------------------------------------------------------


@transaction.atomic
def review(
    risk: Risk,
    *,
    actor,
    likelihood: int,
    impact: int,
    note: str = "",
    responses_effective: bool | None = None,
    probability: Decimal | None = None,
    cost_impact: Decimal | None = None,
    schedule_impact_days: int | None = None,
    reconsider: bool = False,
) -> RiskReview:
    """A periodic review: the new (residual) assessment under the risk's own matrix version."""
    _require(actor, "risks.review_risk", risk)
    if risk.state not in (RiskState.MONITORED, RiskState.ACCEPTANCE_PENDING, RiskState.ASSESSED):
        raise DomainError(_("Only an assessed, open risk is reviewed."), code=ErrorCode.NOT_POSSIBLE_NOW)
    matrix = risk.matrix
    if matrix is None:
        raise DomainError(_("Assess the risk before reviewing it."), code=ErrorCode.NOT_POSSIBLE_NOW)
    _check_scale(matrix, likelihood, impact)
    level = matrix.level_at(likelihood, impact)
    row = save(
        RiskReview(
            risk=risk,
            kind=RiskReview.Kind.REVIEW,
            matrix=matrix,
            likelihood=likelihood,
            impact=impact,
            level=level,
            probability=probability,
            cost_impact=cost_impact,
            schedule_impact_days=schedule_impact_days,
            note=note,
            responses_effective=responses_effective,
            reviewed_by=actor,
        ),
        actor=actor,
    )
    risk.likelihood, risk.impact, risk.level = likelihood, impact, level
    if probability is not None:
        risk.probability = probability
    if cost_impact is not None:
        risk.cost_impact = cost_impact
    if schedule_impact_days is not None:
        risk.schedule_impact_days = schedule_impact_days
    risk.suggested_strategy = matrix.strategy_at(likelihood, impact)
    risk.last_reviewed_at = timezone.now()
    risk.next_review = _next_review(matrix, level)
    if reconsider and risk.state == RiskState.MONITORED:
        perform_transition(risk, "reconsider", actor=actor, comment=note)
    else:
        save(risk, actor=actor, reason=_("Reviewed"))
    return row


@transaction.atomic
def close_risk(risk: Risk, *, actor, outcome: str, note: str = "") -> Risk:
    """Close a risk with its outcome: realised or not."""
    if outcome not in ("realised", "not_realised"):
        raise DomainError(_("Say whether the risk materialised."), field="outcome")
    if not (note or "").strip():
        raise DomainError(_("Write the closing note."), field="note")
    risk.outcome, risk.closing_note = outcome, note
    risk.closed_at, risk.closed_by = timezone.now(), actor
    risk.next_review = None
    perform_transition(risk, "close", actor=actor, comment=note)
    return risk


# --- warnings (RSK-5) and emergency response (EXT-1) -----------------------------------------


@transaction.atomic
def acknowledge_warning(warning: Warning, *, actor, comment: str = "") -> Warning:
    perform_transition(warning, "acknowledge", actor=actor, comment=comment)
    return warning


@transaction.atomic
def handle_warning(warning: Warning, *, actor, handling: str) -> Warning:
    """Record how the warning was handled (acknowledging it if nobody had)."""
    if not (handling or "").strip():
        raise DomainError(_("Say how the warning was handled."), field="handling")
    perform_transition(warning, "handle", actor=actor, comment=handling)
    return warning


@transaction.atomic
def close_warning(warning: Warning, *, actor, comment: str = "") -> Warning:
    perform_transition(warning, "close", actor=actor, comment=comment)
    return warning


@transaction.atomic
def activate(
    plan: EmergencyPlan, *, actor, situation: str, warning: Warning | None = None, risk: Risk | None = None
) -> EmergencyActivation:
    """Activate an emergency plan from a warning or a realised risk."""
    _require(actor, "risks.activate_emergencyplan", plan)
    if not plan.active:
        raise DomainError(_("This emergency plan is no longer in force."), field="plan")
    if warning is None and risk is None:
        raise DomainError(_("Activate the plan from a warning or a risk."), field="warning")
    activation = EmergencyActivation(
        code=next_code("EMR"),
        plan=plan,
        warning=warning,
        risk=risk,
        situation=situation,
        activated_by=actor,
        activated_at=timezone.now(),
    )
    save(activation, actor=actor, reason=_("Emergency plan activated"))
    notify(
        User.objects.with_role(Role.MANAGEMENT, Role.QUALITY),
        title=_("Emergency plan activated: %(plan)s") % {"plan": plan.title},
        body=situation,
        url=activation.get_absolute_url(),
        level=Notification.Level.ESCALATION,
        target=activation,
    )
    return activation


@transaction.atomic
def record_emergency_action(
    activation: EmergencyActivation, *, actor, description: str
) -> EmergencyActionTaken:
    _require(actor, "risks.run_emergencyactivation", activation)
    if activation.state != EmergencyActivation.State.ACTIVE:
        raise DomainError(_("The emergency response is closed."), code=ErrorCode.NOT_POSSIBLE_NOW)
    row = EmergencyActionTaken(
        activation=activation, taken_by=actor, taken_at=timezone.now(), description=description
    )
    return save(row, actor=actor, reason=_("Action taken"))


@transaction.atomic
def close_activation(
    activation: EmergencyActivation, *, actor, review: str, lessons: str = ""
) -> EmergencyActivation:
    """Close the emergency response with the post-incident review."""
    if not (review or "").strip():
        raise DomainError(_("Write the post-incident review."), field="review")
    activation.review, activation.lessons = review, lessons
    activation.reviewed_by, activation.reviewed_at = actor, timezone.now()
    perform_transition(activation, "close_with_review", actor=actor, comment=review[:200])
    return activation


def risk_list_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items() if value not in (None, ""))
    return reverse("risks:risk_list") + (f"?{query}" if query else "")
