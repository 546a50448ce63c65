"""Who holds the ball (X-1, X-6): for an engagement anywhere on its path, the step that waits,
who must take it — a person, a role's queue when nobody is assigned yet, or the client — and
since when, read from the stage's own records.

One answer for the engagement page, the engagement list and "My work": ``balls_for`` works on
any number of engagements with one query per stage, whatever their number.

Before the confirmation the engagement's own ``holder`` field says it (intake hands it from
customer service to the technician and back). After it, the stages keep their own records,
so the ball is read from the furthest record: the plan's latest version, the contract, the
project with its kickoff, its final acceptance round and the settlement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.core.roles import Role


@dataclass
class Ball:
    step: str  # what waits, as a task: "Draft the contract"
    since: datetime | None
    url: str
    person: object | None = None  # a user
    role: str | None = None  # a role's queue (anyone of that role may take it)
    client: object | None = None  # the client organisation
    signatory: bool = False  # any staff member holding a signing authorization
    members: frozenset[int] | None = None  # of the role's queue, only these users (a review panel)
    phase: str = "intake"  # where on the path: intake, or one of engagements.path.DOWNSTREAM

    @property
    def phase_label(self) -> str:
        from onestop.engagements.path import DOWNSTREAM

        return str(dict(DOWNSTREAM).get(self.phase, ""))

    @property
    def holder_label(self) -> str:
        if self.person is not None:
            return self.person.display_name
        if self.client is not None:
            return _("Client (%(name)s)") % {"name": self.client.name}
        if self.signatory:
            return _("Authorized signatory (queue)")
        if self.members is not None:
            return _("Review panel")
        if self.role:
            return _("%(role)s (queue)") % {"role": Role(self.role).label}
        return "—"

    def is_for(self, user, *, signatory: bool = False) -> bool:
        """Whether ``user`` is the one (or one of those) the step waits for; ``signatory``: the
        user holds a signing authorization."""
        if self.person is not None:
            return self.person.pk == user.pk
        if self.client is not None:
            return user.client_organization_id == self.client.pk
        if user.client_organization_id is not None:
            return False
        if self.signatory:
            return signatory
        if self.members is not None and user.pk not in self.members:
            return False
        return bool(self.role) and user.has_role(self.role)


def _model(label):
    return apps.get_model(*label.split("."))


def _by_engagement(queryset, field="engagement_id"):
    return {getattr(row, field): row for row in queryset}


def balls_for(engagements) -> dict[int, Ball | None]:
    """``{engagement pk: Ball or None}``; None for a closed engagement. Eight queries at most,
    whatever the number of engagements."""
    engagements = list(engagements)
    found: dict[int, Ball | None] = {}
    later = [e for e in engagements if e.stage == e.Stage.CONFIRMED]
    for engagement in engagements:
        if engagement.is_open:
            found[engagement.pk] = _intake_ball(engagement)
        elif engagement.stage != engagement.Stage.CONFIRMED:
            found[engagement.pk] = None
    if not later:
        return found
    pks = [e.pk for e in later]

    PlanVersion = _model("plans.PlanVersion")
    latest = PlanVersion.objects.filter(plan=OuterRef("pk")).order_by("-number")
    plans = _by_engagement(
        _model("plans.Plan")
        .objects.filter(engagement_id__in=pks)
        .select_related("project_lead")
        .annotate(
            latest_pk=Subquery(latest.values("pk")[:1]),
            latest_number=Subquery(latest.values("number")[:1]),
            latest_state=Subquery(latest.values("state")[:1]),
            latest_created=Subquery(latest.values("created_at")[:1]),
            latest_submitted=Subquery(latest.values("submitted_at")[:1]),
            latest_decided=Subquery(latest.values("decided_at")[:1]),
            latest_approved=Subquery(latest.values("approved_at")[:1]),
        )
    )
    contracts = _by_engagement(
        _model("contracts.Contract").objects.filter(engagement_id__in=pks).select_related("drafter")
    )
    Round = _model("acceptance.AcceptanceRound")
    final_round = Round.objects.filter(project=OuterRef("pk"), milestone__isnull=True).order_by("-number")
    Settlement = _model("settlement.Settlement")
    settlement = Settlement.objects.filter(contract=OuterRef("contract")).order_by("-pk")
    projects = _by_engagement(
        _model("projects.Project")
        .objects.filter(engagement_id__in=pks)
        .select_related("project_lead")
        .annotate(
            has_kickoff=Exists(_model("projects.KickoffMeeting").objects.filter(project=OuterRef("pk"))),
            round_pk=Subquery(final_round.values("pk")[:1]),
            round_state=Subquery(final_round.values("state")[:1]),
            round_since=Subquery(final_round.values("updated_at")[:1]),
            settlement_pk=Subquery(settlement.values("pk")[:1]),
            settlement_state=Subquery(settlement.values("state")[:1]),
            settlement_since=Subquery(settlement.values("updated_at")[:1]),
        )
    )
    signed = _signed_roles([c for c in contracts.values() if c.state == c.State.APPROVED])
    in_review = [p.latest_pk for p in plans.values() if p.latest_state == PlanVersion.State.IN_REVIEW]
    panels: dict[int, set[int]] = {}
    if in_review:
        through = PlanVersion.reviewers.through.objects.filter(planversion_id__in=in_review)
        for version_id, user_id in through.values_list("planversion_id", "user_id"):
            panels.setdefault(version_id, set()).add(user_id)
        # A reviewer who has given their review waits no more.
        reviews = _model("plans.PlanReview").objects.filter(version_id__in=in_review)
        for version_id, user_id in reviews.values_list("version_id", "reviewer_id"):
            panels.get(version_id, set()).discard(user_id)
    for engagement in later:
        plan, contract, project = (
            plans.get(engagement.pk),
            contracts.get(engagement.pk),
            projects.get(engagement.pk),
        )
        ball = _later_ball(engagement, plan, contract, project, signed, panels)
        ball.phase = phase_of(plan, contract, project)
        found[engagement.pk] = ball
    return found


def phase_of(plan, contract, project) -> str:
    """Where a confirmed engagement stands on its path; ``in_phase`` is the same rule in SQL."""
    if plan is None or plan.effective_version_id is None:
        return "plan"
    if contract is None or contract.state not in (contract.State.SIGNED, contract.State.ARCHIVED):
        return "contract"
    if project is None or project.state in (project.State.OPENED, project.State.IN_PROGRESS):
        return "implementation"
    if project.state == project.State.COMPLETED:
        return "acceptance"
    return "settlement"


def in_phase(queryset, phase: str):
    """The confirmed engagements of ``queryset`` at ``phase`` of their path (as ``phase_of``)."""
    approved = Exists(
        _model("plans.Plan").objects.filter(engagement=OuterRef("pk"), effective_version__isnull=False)
    )
    Contract = _model("contracts.Contract")
    in_force = Exists(
        Contract.objects.filter(
            engagement=OuterRef("pk"), state__in=[Contract.State.SIGNED, Contract.State.ARCHIVED]
        )
    )
    Project = _model("projects.Project")
    implemented = Exists(
        Project.objects.filter(
            engagement=OuterRef("pk"), state__in=[Project.State.COMPLETED, Project.State.ACCEPTED]
        )
    )
    accepted = Exists(Project.objects.filter(engagement=OuterRef("pk"), state=Project.State.ACCEPTED))
    confirmed = queryset.filter(stage=queryset.model.Stage.CONFIRMED)
    return {
        "plan": lambda: confirmed.exclude(approved),
        "contract": lambda: confirmed.filter(approved).exclude(in_force),
        "implementation": lambda: confirmed.filter(in_force).exclude(implemented),
        "acceptance": lambda: confirmed.filter(implemented).exclude(accepted),
        "settlement": lambda: confirmed.filter(accepted),
    }[phase]()


def ball_of(engagement) -> Ball | None:
    return balls_for([engagement])[engagement.pk]


def _intake_ball(engagement) -> Ball:
    url = engagement.get_absolute_url()
    if engagement.holder_id:
        return Ball(engagement.get_stage_display(), engagement.holder_since, url, person=engagement.holder)
    if engagement.stage == engagement.Stage.CONFIRMATION:
        return Ball(
            _("Answer the proposal or sign the confirmation"),
            engagement.holder_since,
            url,
            client=engagement.client,
        )
    return Ball(engagement.get_stage_display(), engagement.stage_since, url, role=Role.CUSTOMER_SERVICE)


def _signed_roles(contracts) -> dict[int, set[str]]:
    if not contracts:
        return {}
    from django.contrib.contenttypes.models import ContentType

    from onestop.core.models import Signature

    Contract = type(contracts[0])
    versions = {c.pk: c.version for c in contracts}
    roles: dict[int, set[str]] = {pk: set() for pk in versions}
    rows = Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(Contract),
        object_id__in=list(versions),
        document="contract",
    ).values_list("object_id", "version", "role")
    for pk, version, role in rows:
        if versions.get(pk) == version:
            roles[pk].add(role)
    return roles


def _later_ball(engagement, plan, contract, project, signed, panels) -> Ball:
    """The first step not yet done, stage by stage (the plan, the contract, the project, the
    acceptance, the settlement)."""
    if plan is None:
        return Ball(
            _("Start the service plan and appoint its project lead"),
            engagement.confirmed_at or engagement.stage_since,
            reverse("plans:plan_add") + f"?engagement={engagement.pk}",
            role=Role.MANAGEMENT,
        )
    if plan.effective_version_id is not None:
        # Approved once: the path goes on with the contract; a later revision of the plan (a
        # change request) is the lead's work beside it (plans/work.py).
        return _approved_plan_ball(engagement, plan, contract, project, signed)
    # A version is shown on its plan's page (as PlanVersion.get_absolute_url).
    version_url = plan.get_absolute_url() + (f"#version-{plan.latest_number}" if plan.latest_number else "")
    State = _model("plans.PlanVersion").State
    state = plan.latest_state
    if state in (State.DRAFT, State.REVISE, State.REJECTED) or state is None:
        step = {
            State.DRAFT: _("Write the plan and submit it for review"),
            State.REVISE: _("Revise the plan"),
            State.REJECTED: _("Start a new version of the rejected plan"),
        }.get(state, _("Write the plan and submit it for review"))
        since = plan.latest_decided or plan.latest_created or plan.created_at
        return Ball(step, since, version_url, person=plan.project_lead, role=Role.PROJECT_LEAD)
    if state == State.IN_REVIEW:
        panel = frozenset(panels.get(plan.latest_pk, ()))
        return Ball(
            _("Review the plan"), plan.latest_submitted, version_url, role=Role.REVIEWER, members=panel
        )
    if state == State.PASSED:
        return Ball(_("Approve the plan"), plan.latest_decided, version_url, role=Role.MANAGEMENT)
    return _approved_plan_ball(engagement, plan, contract, project, signed)


def _approved_plan_ball(engagement, plan, contract, project, signed) -> Ball:
    if contract is None:
        return Ball(
            _("Draft the contract"),
            plan.latest_approved or plan.updated_at,
            reverse("contracts:contract_add") + f"?engagement={engagement.pk}",
            role=Role.LEGAL,
        )
    return _contract_ball(engagement, contract, project, signed)


def _contract_ball(engagement, contract, project, signed) -> Ball:
    S = contract.State
    url = contract.get_absolute_url()
    if contract.state in (S.DRAFT, S.RETURNED):
        step = _("Draft the contract") if contract.state == S.DRAFT else _("Correct the returned contract")
        return Ball(step, contract.updated_at, url, person=contract.drafter, role=Role.LEGAL)
    if contract.state == S.IN_REVIEW:
        if contract.legal_passed_at is None:
            return Ball(_("Legal review of the contract"), contract.submitted_at, url, role=Role.LEGAL)
        return Ball(_("Business review of the contract"), contract.legal_passed_at, url, role=Role.MANAGEMENT)
    if contract.state == S.APPROVED:
        roles = signed.get(contract.pk, set())
        if "client" not in roles:
            return Ball(_("Sign the contract"), contract.approved_at, url, client=engagement.client)
        return Ball(_("Sign the contract for the company"), contract.approved_at, url, signatory=True)
    # Signed: the project starts; archiving the original runs beside it (contracts/work.py).
    return _project_ball(engagement, contract, project)


def _project_ball(engagement, contract, project) -> Ball:
    if project is None:
        return Ball(
            _("Open the project"),
            contract.updated_at,
            reverse("projects:project_add") + f"?contract={contract.pk}",
            role=Role.MANAGEMENT,
        )
    url = project.get_absolute_url()
    lead = project.project_lead
    State = type(project).State
    if project.state == State.OPENED:
        if not project.has_kickoff:
            return Ball(_("Hold and record the kickoff meeting"), project.created_at, url, person=lead)
        return Ball(_("Start the implementation"), project.updated_at, url, person=lead)
    if project.state == State.IN_PROGRESS:
        return Ball(_("Implement the project"), project.updated_at, url, person=lead)
    Round = _model("acceptance.AcceptanceRound")
    R = Round.State
    if project.state == State.COMPLETED or project.round_state != R.PASSED:
        if project.round_pk is None:
            return Ball(
                _("Apply for acceptance"),
                project.updated_at,
                reverse("acceptance:acceptanceround_add") + f"?project={project.pk}",
                person=lead,
            )
        round_url = reverse("acceptance:acceptanceround_detail", args=[project.round_pk])
        if project.round_state in (R.APPLIED, R.IN_ACCEPTANCE):
            step = (
                _("Prepare the acceptance")
                if project.round_state == R.APPLIED
                else _("Carry out the acceptance")
            )
            return Ball(step, project.round_since, round_url, client=engagement.client)
        if project.round_state == R.FAILED:
            return Ball(
                _("Rectify and apply for acceptance again"), project.round_since, round_url, person=lead
            )
    # Accepted: the settlement.
    S = _model("settlement.Settlement").State
    if project.settlement_pk is None:
        return Ball(
            _("Apply for settlement"),
            project.round_since or project.updated_at,
            reverse("settlement:settlement_add") + f"?contract={contract.pk}",
            person=lead,
        )
    settlement_url = reverse("settlement:settlement_detail", args=[project.settlement_pk])
    if project.settlement_state in (S.DRAFT, S.RETURNED):
        step = (
            _("Apply for settlement")
            if project.settlement_state == S.DRAFT
            else _("Correct the returned settlement")
        )
        return Ball(step, project.settlement_since, settlement_url, person=lead)
    if project.settlement_state == S.SUBMITTED:
        return Ball(_("Review the settlement"), project.settlement_since, settlement_url, role=Role.FINANCE)
    return Ball(
        _("Collect the payment"),
        project.settlement_since,
        reverse("settlement:contract_balance", args=[contract.pk]),
        role=Role.FINANCE,
    )
