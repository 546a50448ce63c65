"""Pages of the acceptance stage (ACC-1..3): the round list, the round page with every step,
and the generic pages of the round's rows. Every action calls acceptance.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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
from onestop.core import services as core_services
from onestop.core.display import display_value, field_label
from onestop.core.exceptions import DomainError
from onestop.core.views import Column, ObjectDetailView, ObjectViews
from onestop.core.views_workflow import refused

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


class RoundDetailView(ObjectDetailView):
    def get(self, request, pk):
        acceptance_round = self.get_object()
        return render(request, self.viewset.detail_template, round_context(self, acceptance_round))


def round_context(view, acceptance_round, **override):
    user = view.request.user
    fields = [
        (field_label(AcceptanceRound, name), display_value(acceptance_round, name))
        for name in AcceptanceRoundViews.detail_fields
    ]
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
    perm = lambda name: user.has_perm(f"acceptance.{name}_acceptanceround", acceptance_round)  # noqa: E731
    is_staff = user.client_organization_id is None
    context = view.base_context(
        object=acceptance_round,
        fields=fields,
        related=[],
        tab="detail",
        can_change=user.has_perm("acceptance.change_acceptanceround", acceptance_round),
        can_delete=False,
        is_workflow=True,
        team=team,
        checklist=checklist,
        checklist_open=sum(1 for item in checklist if not item.is_done),
        criteria=criteria,
        methods=Method.choices,
        matrix=matrix,
        problems=problems,
        open_problems=sum(1 for p in problems if p.state == AcceptanceProblem.State.OPEN),
        deliverables=list(acceptance_round.deliverables.all()),
        conclusion_label=dict(Conclusion.choices).get(acceptance_round.report_conclusion, ""),
        later_round=later,
        rounds=siblings,
        may_name_team=perm("name_team"),
        may_prepare=perm("prepare"),
        may_start=acceptance_round.state == AcceptanceRound.State.APPLIED and perm("start"),
        may_record=acceptance_round.state == AcceptanceRound.State.IN_ACCEPTANCE and perm("record"),
        may_edit_criteria=user.has_perm("acceptance.add_acceptancecriterion", acceptance_round),
        may_apply_next=(
            acceptance_round.state == AcceptanceRound.State.FAILED and later is None and perm("apply")
        ),
        is_staff=is_staff,
        team_form=forms.TeamMemberAddForm(acceptance_round=acceptance_round) if perm("name_team") else None,
        report_form=forms.ReportForm(),
        problem_form=forms.ProblemAddForm(),
        assign_form=forms.AssignForm() if is_staff else None,
        gaps=services.report_gaps(acceptance_round) if acceptance_round.state == "in_acceptance" else [],
        today=None,
    )
    context.update(override)
    return context


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

    @classmethod
    def urls(cls):
        patterns = super().urls()
        name = f"{cls.model._meta.model_name}_detail"
        return [
            path(p.pattern._route, RoundDetailView.as_view(viewset=cls), name=name) if p.name == name else p
            for p in patterns
        ]


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
        return core_services.save_instance(result, actor=actor)


class ProblemDetailView(ObjectDetailView):
    def get(self, request, pk):
        from django.contrib.auth import get_user_model

        problem = self.get_object()
        user = request.user
        context = self.base_context(
            object=problem,
            fields=[
                (field_label(AcceptanceProblem, n), display_value(problem, n))
                for n in self.viewset.detail_fields
            ],
            related=[],
            tab="detail",
            can_change=user.has_perm("acceptance.change_acceptanceproblem", problem),
            can_delete=user.has_perm("acceptance.delete_acceptanceproblem", problem),
            is_workflow=True,
            assign_owners=(
                get_user_model()
                .objects.filter(client_organization__isnull=True, is_active=True)
                .order_by("full_name")
                if user.client_organization_id is None
                else []
            ),
        )
        return render(request, self.viewset.detail_template, context)


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

    @classmethod
    def urls(cls):
        name = f"{cls.model._meta.model_name}_detail"
        return [
            path(p.pattern._route, ProblemDetailView.as_view(viewset=cls), name=name) if p.name == name else p
            for p in super().urls()
        ]


# --- actions of the round page -------------------------------------------------------------------


def _round(request, pk):
    acceptance_round = get_object_or_404(
        AcceptanceRound.objects.visible_to(request.user).select_related(*ROUND_SELECT), pk=pk
    )
    if not request.user.has_perm("acceptance.view_acceptanceround", acceptance_round):
        raise Http404
    return acceptance_round


def _run(request, record, action, success: str, anchor: str = ""):
    try:
        action()
    except DomainError as exc:
        return refused(request, record, exc.message, exc.status_code, record.get_absolute_url() + anchor)
    messages.success(request, success)
    return HttpResponseRedirect(record.get_absolute_url() + anchor)


def _invalid(request, record, form, anchor=""):
    errors = "; ".join(str(m) for ms in form.errors.values() for m in ms)
    return refused(request, record, errors, 400, record.get_absolute_url() + anchor)


def _post_form(request, record, form_class, anchor, action, success, **form_kwargs):
    form = form_class(request.POST, **form_kwargs)
    if not form.is_valid():
        return _invalid(request, record, form, anchor)
    return _run(request, record, lambda: action(form.cleaned_data), success, anchor)


@login_required
@require_POST
def team_add(request, pk):
    r = _round(request, pk)
    return _post_form(
        request,
        r,
        forms.TeamMemberAddForm,
        "#team",
        lambda d: services.name_team_member(r, actor=request.user, user=d["user"], role=d["role"]),
        _("The team member was named."),
        acceptance_round=r,
    )


@login_required
@require_POST
def team_remove(request, pk, member):
    r = _round(request, pk)
    row = get_object_or_404(AcceptanceTeamMember.objects.filter(round=r), pk=member)
    return _run(
        request,
        r,
        lambda: services.remove_team_member(row, actor=request.user),
        _("Removed from the team."),
        "#team",
    )


@login_required
@require_POST
def checklist_add(request, pk):
    r = _round(request, pk)
    return _post_form(
        request,
        r,
        forms.TextForm,
        "#checklist",
        lambda d: services.add_checklist_item(r, actor=request.user, text=d["text"]),
        _("The item was added to the checklist."),
    )


@login_required
@require_POST
def checklist_tick(request, pk, item):
    r = _round(request, pk)
    row = get_object_or_404(ChecklistItem.objects.filter(round=r), pk=item)
    done = request.POST.get("done", "1") == "1"
    return _run(
        request,
        r,
        lambda: services.tick(row, actor=request.user, done=done, note=request.POST.get("note")),
        _("The checklist was updated."),
        "#checklist",
    )


@login_required
@require_POST
def checklist_skip(request, pk):
    r = _round(request, pk)
    return _post_form(
        request,
        r,
        forms.ReasonForm,
        "#checklist",
        lambda d: services.skip_checklist(r, actor=request.user, reason=d["reason"]),
        _("The checklist was updated."),
    )


@login_required
@require_POST
def round_start(request, pk):
    r = _round(request, pk)
    return _run(
        request,
        r,
        lambda: services.start(r, actor=request.user, comment=request.POST.get("comment", "")),
        _("The acceptance has started; record the results per criterion and method."),
    )


@login_required
@require_POST
def results_record(request, pk):
    """Save the results table: one select (pass / fail / not used) and a note per cell."""
    r = _round(request, pk)
    criteria = {c.pk: c for c in r.criteria.all()}

    def save_all():
        from django.db import transaction

        with transaction.atomic():
            saved = 0
            for criterion in criteria.values():
                for method in Method.values:
                    value = request.POST.get(f"r-{criterion.pk}-{method}", "")
                    if value not in ("pass", "fail"):
                        continue
                    services.record_result(
                        r,
                        actor=request.user,
                        criterion=criterion,
                        method=method,
                        passed=value == "pass",
                        note=request.POST.get(f"n-{criterion.pk}-{method}", "")[:2000],
                    )
                    saved += 1
            if not saved:
                raise DomainError(_("Choose pass or fail for at least one criterion and method."))

    return _run(request, r, save_all, _("The results were recorded."), "#results")


@login_required
@require_POST
def problem_add(request, pk):
    r = _round(request, pk)
    return _post_form(
        request,
        r,
        forms.ProblemAddForm,
        "#problems",
        lambda d: services.add_problem(
            r, actor=request.user, description=d["description"], requirement=d["requirement"]
        ),
        _("The problem was listed."),
    )


@login_required
@require_POST
def report_fill(request, pk):
    r = _round(request, pk)
    return _post_form(
        request,
        r,
        forms.ReportForm,
        "#report",
        lambda d: services.fill_report(
            r, actor=request.user, conclusion=d["conclusion"], summary=d["summary"]
        ),
        _("The acceptance report was filled."),
    )


@login_required
@require_POST
def report_withdraw(request, pk):
    r = _round(request, pk)
    return _run(
        request,
        r,
        lambda: services.withdraw_report(r, actor=request.user),
        _("The conclusion was withdrawn."),
        "#report",
    )


@login_required
@require_POST
def next_round(request, pk):
    r = _round(request, pk)
    try:
        new = services.start_next_round(r, actor=request.user)
    except DomainError as exc:
        return refused(request, r, exc.message, exc.status_code, r.get_absolute_url())
    messages.success(request, _("Round %(number)s was applied for.") % {"number": new.number})
    return HttpResponseRedirect(new.get_absolute_url())


def _problem(request, pk):
    problem = get_object_or_404(
        AcceptanceProblem.objects.visible_to(request.user).select_related("round__project__engagement"), pk=pk
    )
    if not request.user.has_perm("acceptance.view_acceptanceproblem", problem):
        raise Http404
    return problem


@login_required
@require_POST
def problem_assign(request, pk):
    problem = _problem(request, pk)
    if request.user.client_organization_id is not None:
        raise PermissionDenied
    return _post_form(
        request,
        problem,
        forms.AssignForm,
        "",
        lambda d: services.assign_problem(
            problem, actor=request.user, owner=d["owner"], due_date=d["due_date"]
        ),
        _("The owner and deadline were set."),
    )


@login_required
@require_POST
def problem_resolve(request, pk):
    problem = _problem(request, pk)
    return _post_form(
        request,
        problem,
        forms.FixForm,
        "",
        lambda d: services.resolve_problem(problem, actor=request.user, fix=d["fix"]),
        _("The problem was marked rectified."),
    )


@login_required
def project_rounds(request, project):
    """The rounds of one project (all kept, numbered): the list filtered by project."""
    return HttpResponseRedirect(f"{reverse('acceptance:acceptanceround_list')}?project={int(project)}")
