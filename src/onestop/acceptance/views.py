"""Pages of the acceptance stage (ACC-1..3): the round list, the round page with every step,
and the generic pages of the round's rows. Every action calls acceptance.services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onestop.acceptance import filters, forms, services
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
from onestop.acceptance.states import AcceptanceRoundState as State
from onestop.core import services as core_services
from onestop.core.actions import RecordAction, calls
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.forms import CommentForm
from onestop.core.panels import panels
from onestop.core.views import Column, ObjectViews

ROUND_SELECT = (
    "project",
    "project__engagement",
    "project__engagement__client",
    "project__contract",
    "project__project_lead",
    "milestone",
    "applied_by",
    "report_filled_by",
    "previous_round",
)


def _recording(acceptance_round, user) -> bool:
    """The team records results, problems and the report while the round is in acceptance."""
    return acceptance_round.state == State.IN_ACCEPTANCE and user.has_perm(
        "acceptance.record_acceptanceround", acceptance_round
    )


class AcceptanceRoundViews(ObjectViews):
    model = AcceptanceRound
    filterset_class = filters.AcceptanceRoundFilterSet
    form_class = forms.RoundForm
    add_form_class = forms.ApplyForm
    icon = "clipboard2-check"
    allow_delete = False
    detail_template = "acceptance/acceptanceround_detail.html"
    list_select_related = ("project", "project__engagement__client", "milestone", "applied_by")
    detail_select_related = ROUND_SELECT
    default_sort = "-applied_at"
    columns = [
        Column("project", link=True, sort="project__code"),
        Column("number", link=True),
        Column("scope_label", sort=False),
        Column("state"),
        Column("applied_by", sort="applied_by__full_name"),
        Column("applied_at"),
        Column("concluded_at"),
    ]
    detail_fields = [
        "project",
        "number",
        "scope_label",
        "state",
        "applied_by",
        "applied_at",
        "started_at",
        "concluded_at",
        "previous_round",
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.apply(
                data["project"],
                actor=actor,
                milestone=data.get("milestone"),
                self_assessment=data["self_assessment"],
                service_content=data.get("service_content") or None,
                deliverables=data.get("deliverables") or None,
            )
        return services.edit_application(obj, actor=actor, **form.cleaned_data)

    actions = [
        RecordAction(
            "team",
            lambda r, request, data: services.name_team_member(
                r, actor=request.user, user=data["user"], role=data["role"]
            ),
            form=forms.TeamMemberAddForm,
            form_kwargs=lambda r, user: {"acceptance_round": r},
            when=lambda r, user: user.has_perm("acceptance.name_team_acceptanceround", r),
            success=_("The team member was named."),
            anchor="#team",
        ),
        RecordAction(
            "team-remove",
            lambda r, request, data: services.remove_team_member(
                get_object_or_404(AcceptanceTeamMember.objects.filter(round=r), pk=data["member"]),
                actor=request.user,
            ),
            route="team/<int:member>/remove/",
            when=lambda r, user: user.has_perm("acceptance.name_team_acceptanceround", r),
            success=_("Removed from the team."),
            anchor="#team",
        ),
        RecordAction(
            "checklist",
            lambda r, request, data: services.add_checklist_item(r, actor=request.user, text=data["text"]),
            form=forms.TextForm,
            when=lambda r, user: user.has_perm("acceptance.prepare_acceptanceround", r),
            success=_("The item was added to the checklist."),
            anchor="#checklist",
        ),
        RecordAction(
            "checklist-tick",
            lambda r, request, data: services.tick(
                get_object_or_404(ChecklistItem.objects.filter(round=r), pk=data.pop("item")),
                actor=request.user,
                **data,
            ),
            form=forms.TickForm,
            route="checklist/<int:item>/tick/",
            when=lambda r, user: user.has_perm("acceptance.prepare_acceptanceround", r),
            success=_("The checklist was updated."),
            anchor="#checklist",
        ),
        RecordAction(
            "checklist-skip",
            lambda r, request, data: services.skip_checklist(r, actor=request.user, reason=data["reason"]),
            form=forms.ReasonForm,
            route="checklist/skip/",
            when=lambda r, user: user.has_perm("acceptance.prepare_acceptanceround", r),
            success=_("The checklist was updated."),
            anchor="#checklist",
        ),
        RecordAction(
            "start",
            calls(services.start),
            form=CommentForm,
            transition="start",
            success=_("The acceptance has started; record the results per criterion and method."),
        ),
        RecordAction(
            "results",
            lambda r, request, data: record_results(r, request),
            when=_recording,
            success=_("The results were recorded."),
            anchor="#results",
        ),
        RecordAction(
            "problems",
            calls(services.add_problem),
            form=forms.ProblemAddForm,
            when=lambda r, user: _recording(r, user) and not r.report_conclusion,
            success=_("The problem was listed."),
            anchor="#problems",
        ),
        RecordAction(
            "report",
            calls(services.fill_report),
            form=forms.ReportForm,
            when=lambda r, user: _recording(r, user) and not r.report_conclusion,
            success=_("The acceptance report was filled."),
            anchor="#report",
        ),
        RecordAction(
            "report-withdraw",
            calls(services.withdraw_report),
            route="report/withdraw/",
            when=lambda r, user: _recording(r, user) and bool(r.report_conclusion),
            success=_("The conclusion was withdrawn."),
            anchor="#report",
        ),
        RecordAction(
            "next-round",
            calls(services.start_next_round),
            when=lambda r, user: (
                r.state == State.FAILED
                and user.has_perm("acceptance.apply_acceptanceround", r)
                and not AcceptanceRound.objects.filter(previous_round=r).exists()
            ),
            success=lambda r, new: _("Round %(number)s was applied for.") % {"number": new.number},
            redirect=lambda r, new: new.get_absolute_url(),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms):
        """The application, team, checklist, results matrix, problems and report of the round."""
        acceptance_round = obj
        user = request.user
        criteria = list(acceptance_round.criteria.all())
        results = list(acceptance_round.results.select_related("recorded_by"))
        by_cell = {(r.criterion_id, r.method): r for r in results}
        matrix = [
            (c, [(value, by_cell.get((c.pk, value))) for value, _label in Method.choices]) for c in criteria
        ]
        team = list(acceptance_round.team.select_related("user"))
        acceptance_round._team_user_ids = {m.user_id for m in team}
        checklist = list(acceptance_round.checklist.select_related("done_by"))
        problems = list(acceptance_round.problems.select_related("owner", "done_by"))
        later = AcceptanceRound.objects.filter(previous_round=acceptance_round).first()
        siblings = list(
            AcceptanceRound.objects.filter(project=acceptance_round.project_id)
            .select_related("milestone")
            .order_by("number")
        )
        in_acceptance = acceptance_round.state == State.IN_ACCEPTANCE
        return {
            "team": team,
            "checklist": checklist,
            "checklist_open": sum(1 for item in checklist if not item.is_done),
            "criteria": criteria,
            "methods": Method.choices,
            "matrix": matrix,
            "problems": problems,
            "open_problems": sum(1 for p in problems if p.state == AcceptanceProblem.State.OPEN),
            "deliverables": list(acceptance_round.deliverables.all()),
            "conclusion_label": dict(Conclusion.choices).get(acceptance_round.report_conclusion, ""),
            "Conclusion": Conclusion,
            "ProblemState": AcceptanceProblem.State,
            "later_round": later,
            "rounds": siblings,
            "may_edit_criteria": user.has_perm("acceptance.add_acceptancecriterion", acceptance_round),
            "gaps": services.report_gaps(acceptance_round) if in_acceptance else [],
            "panels": panels("acceptance_round", acceptance_round, user),  # e.g. delivered documents
        }


class RowViews(ObjectViews):
    list_select_related = ("round", "round__project")
    detail_select_related = ("round", "round__project", "round__project__engagement")

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        row = form.save(commit=False)
        require_row(actor, row, "change" if obj is not None else "add")
        return core_services.save_form(form, actor=actor)


def require_row(actor, row, action: str) -> None:
    """The rule for this row of this round (the generic pages ask only the kind of record)."""
    opts = row._meta
    if not actor.has_perm(f"{opts.app_label}.{action}_{opts.model_name}", row):
        raise PermissionDenied


class AcceptanceDeliverableViews(RowViews):
    model = AcceptanceDeliverable
    filterset_class = filters.AcceptanceDeliverableFilterSet
    form_class = forms.DeliverableForm
    icon = "box-seam"
    columns = [Column("name", link=True), Column("round", sort="round__number"), Column("delivered_on")]
    detail_fields = ["round", "name", "description", "delivered_on"]


class AcceptanceTeamMemberViews(RowViews):
    model = AcceptanceTeamMember
    filterset_class = filters.AcceptanceTeamMemberFilterSet
    form_class = forms.TeamMemberForm
    icon = "people"
    list_select_related = ("round", "round__project", "user")
    columns = [
        Column("user", link=True, sort="user__full_name"),
        Column("role"),
        Column("round", sort="round__number"),
    ]
    detail_fields = ["round", "user", "role"]


class ChecklistItemViews(RowViews):
    model = ChecklistItem
    filterset_class = filters.ChecklistItemFilterSet
    form_class = forms.ChecklistItemForm
    icon = "list-check"
    list_select_related = ("round", "round__project", "done_by")
    columns = [
        Column("text", link=True),
        Column("kind"),
        Column("round", sort="round__number"),
        Column("done_by", sort="done_by__full_name"),
        Column("done_at"),
    ]
    detail_fields = ["round", "kind", "text", "done_by", "done_at", "note"]


class AcceptanceCriterionViews(RowViews):
    model = AcceptanceCriterion
    filterset_class = filters.AcceptanceCriterionFilterSet
    form_class = forms.CriterionForm
    icon = "rulers"
    columns = [
        Column("number", link=True),
        Column("text", link=True, sort=False),
        Column("source"),
        Column("round", sort="round__number"),
    ]
    detail_fields = ["round", "number", "text", "source"]


class AcceptanceResultViews(RowViews):
    model = AcceptanceResult
    filterset_class = filters.AcceptanceResultFilterSet
    form_class = forms.ResultForm
    icon = "check2-square"
    list_select_related = ("round", "round__project", "criterion", "recorded_by")
    detail_select_related = ("round", "round__project", "criterion", "recorded_by")
    columns = [
        Column("criterion", link=True, sort="criterion__number"),
        Column("method"),
        Column("passed"),
        Column("recorded_by", sort="recorded_by__full_name"),
        Column("round", sort="round__number"),
    ]
    detail_fields = ["round", "criterion", "method", "passed", "note", "recorded_by"]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        result = form.save(commit=False)
        require_row(actor, result, "change" if obj is not None else "add")
        result.recorded_by = actor
        return core_services.save(result, actor=actor)


class AcceptanceProblemViews(RowViews):
    model = AcceptanceProblem
    filterset_class = filters.AcceptanceProblemFilterSet
    form_class = forms.ProblemForm
    icon = "exclamation-triangle"
    detail_template = "acceptance/acceptanceproblem_detail.html"
    list_select_related = ("round", "round__project", "owner")
    detail_select_related = ("round", "round__project", "round__project__engagement", "owner", "done_by")
    columns = [
        Column("description", link=True, sort=False),
        Column("round", sort="round__number"),
        Column("owner", sort="owner__full_name"),
        Column("due_date"),
        Column("state"),
    ]
    detail_fields = [
        "round",
        "description",
        "requirement",
        "owner",
        "due_date",
        "state",
        "fix",
        "done_by",
        "done_at",
    ]

    actions = [
        RecordAction(
            "assign",
            calls(services.assign_problem),
            form=forms.AssignForm,
            when=lambda problem, user: (
                user.client_organization_id is None
                and problem.state == AcceptanceProblem.State.OPEN
                and problem.round.state == State.FAILED
            ),
            initial=lambda problem, user: {"owner": problem.owner_id, "due_date": problem.due_date},
            success=_("The owner and deadline were set."),
        ),
        RecordAction(
            "resolve",
            calls(services.resolve_problem),
            form=forms.FixForm,
            when=lambda problem, user: (
                user.client_organization_id is None
                and problem.state == AcceptanceProblem.State.OPEN
                and problem.round.state == State.FAILED
            ),
            success=_("The problem was marked rectified."),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms):
        return {"RoundState": State}


# --- the round page's results table -----------------------------------------------------------------


def record_results(acceptance_round, request):
    """Save the results table: one select (pass / fail / not used) and a note per cell."""
    with transaction.atomic():
        saved = 0
        for criterion in acceptance_round.criteria.all():
            for method in Method.values:
                value = request.POST.get(f"r-{criterion.pk}-{method}", "")
                if value not in ("pass", "fail"):
                    continue
                services.record_result(
                    acceptance_round,
                    actor=request.user,
                    criterion=criterion,
                    method=method,
                    passed=value == "pass",
                    note=request.POST.get(f"n-{criterion.pk}-{method}", "")[:2000],
                )
                saved += 1
        if not saved:
            raise DomainError(
                _("Choose pass or fail for at least one criterion and method."), code=ErrorCode.INVALID
            )


@login_required
def project_rounds(request, project):
    """The rounds of one project (all kept, numbered): the list filtered by project."""
    return HttpResponseRedirect(f"{reverse('acceptance:acceptanceround_list')}?project={int(project)}")
