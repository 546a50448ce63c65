"""Pages of appraisal, skills and training (HR-3..HR-8): thin views over people.services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from onestop.accounts.models import Department
from onestop.core.actions import RecordAction, calls, visible_record
from onestop.core.forms import bootstrapify
from onestop.core.views import Column, ObjectViews, RelatedTable
from onestop.people import filters, forms, grading, metrics, services, skills, summaries
from onestop.people.computed import BY_CODE
from onestop.people.models import (
    Appraisal,
    CheckIn,
    Course,
    Cycle,
    Enrolment,
    ImprovementPlan,
    Indicator,
    IndicatorTemplate,
    PersonSkill,
    ResultAction,
    Skill,
    TrainingSession,
)
from onestop.people.states import AppraisalState

# label, icon, button style of each record action shown by people/_actions.html
ACTION_META = {
    "new_version": (gettext_lazy("New version"), "files", "outline-primary"),
    "close": (gettext_lazy("Close"), "lock", "primary"),
    "approve": (gettext_lazy("Approve"), "check2-circle", "success"),
    "check_in": (gettext_lazy("Record a check-in"), "chat-square-text", "primary"),
    "conclude": (gettext_lazy("Conclude the plan"), "flag", "outline-primary"),
    "record": (gettext_lazy("Record the result"), "award", "primary"),
}


class PanelViews(ObjectViews):
    """Shows the record actions as forms (people/_actions.html) beside the generic page."""

    detail_template = "people/actions_detail.html"

    @classmethod
    def panel_actions(cls, obj) -> list[dict]:
        name = cls.model._meta.model_name
        return [
            {
                "key": action.key,
                "name": action.name,
                "url": reverse(f"people:{name}_{action.key}", args=[obj.pk]),
                "label": ACTION_META[action.key][0],
                "icon": ACTION_META[action.key][1],
                "style": ACTION_META[action.key][2],
            }
            for action in cls.actions
            if action.key in ACTION_META
        ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        return {"panel_actions": cls.panel_actions(obj)}


# --- HR-5: indicator templates -----------------------------------------------------------------


class IndicatorTemplateViews(PanelViews):
    model = IndicatorTemplate
    filterset_class = filters.IndicatorTemplateFilterSet
    form_class = forms.IndicatorTemplateForm
    icon = "list-check"
    list_select_related = ("position",)
    columns = [
        Column("title", link=True),
        Column("position", sort="position__name"),
        Column("version"),
        Column("is_active"),
        Column("first_used_at"),
    ]
    detail_fields = ["position", "title", "version", "is_active", "first_used_at", "notes"]
    related_tables = [
        RelatedTable(
            "indicators",
            [
                Column("category"),
                Column("name", link=True),
                Column("weight"),
                Column("target"),
                Column("source"),
            ],
            add_url_param="template",
        )
    ]
    actions = [
        RecordAction(
            "new-version",
            calls(services.new_template_version),
            when=lambda template, user: user.has_perm("people.add_indicatortemplate"),
            redirect=lambda template, copy: copy.get_absolute_url(),
            success=gettext_lazy("A new version was made; change its indicators there."),
        )
    ]
    detail_template = "people/template_detail.html"


class IndicatorViews(ObjectViews):
    model = Indicator
    filterset_class = filters.IndicatorFilterSet
    form_class = forms.IndicatorForm
    icon = "bullseye"
    list_select_related = ("template__position",)
    columns = [
        Column("name", link=True),
        Column("template", sort="template__title"),
        Column("category"),
        Column("weight"),
        Column("target"),
        Column("source"),
    ]
    detail_fields = [
        "template",
        "category",
        "name",
        "weight",
        "target",
        "target_value",
        "source",
        "sort_order",
    ]


# --- HR-6: cycles ------------------------------------------------------------------------------


class CycleViews(PanelViews):
    model = Cycle
    filterset_class = filters.CycleFilterSet
    form_class = forms.CycleForm
    icon = "calendar3"
    allow_delete = False
    columns = [
        Column("title", link=True, sort="starts_on"),
        Column("kind"),
        Column("starts_on"),
        Column("ends_on"),
        Column("due_on"),
        Column("state"),
    ]
    detail_fields = [
        "kind",
        "starts_on",
        "ends_on",
        "self_assessment",
        "rollup_method",
        "part_weights",
        "rollup_share",
        "rule_text",
        "due_on",
        "state",
        "opened_by",
        "closed_at",
    ]
    default_sort = "-starts_on"
    actions = [
        RecordAction(
            "close",
            calls(services.close_cycle),
            form=forms.CloseForm,
            transition="close",
            success=gettext_lazy("The cycle is closed."),
        )
    ]
    detail_template = "people/cycle_detail.html"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.open_cycle(actor=actor, **form.cleaned_data)
        return super().save(form, actor=actor, request=request, obj=obj)

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        counts = dict(
            Appraisal.objects.visible_to(request.user)
            .filter(cycle=obj)
            .order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
        )
        return {
            **super().detail_context(request, obj, bound_forms),
            "is_workflow": False,
            "state_counts": [(label, counts.get(value, 0)) for value, label in Appraisal.State.choices],
            "total": sum(counts.values()),
        }


# --- HR-7: appraisals --------------------------------------------------------------------------


def _appraisal_form(appraisal, user):
    return {"appraisal": appraisal}


def _rows_of(data: dict, prefix: str) -> dict[int, object]:
    """``{row id: value}`` of the per-indicator fields ``<prefix>_<row id>`` of a cleaned form."""
    return {int(key[len(prefix) + 1 :]): value for key, value in data.items() if key.startswith(prefix + "_")}


def _self_assess(appraisal, request, data):
    return services.self_assess(
        appraisal, actor=request.user, scores=_rows_of(data, "self"), comment=data.get("comment", "")
    )


def _score(appraisal, request, data):
    values, comments = _rows_of(data, "score"), _rows_of(data, "comment")
    return services.score(
        appraisal,
        actor=request.user,
        scores={pk: (value, comments.get(pk) or "") for pk, value in values.items()},
        comment=data.get("overall", ""),
        submit=bool(data.get("submit")),
    )


class AppraisalViews(ObjectViews):
    model = Appraisal
    filterset_class = filters.AppraisalFilterSet
    icon = "clipboard-data"
    allow_add = False
    allow_delete = False
    list_select_related = ("employee", "superior", "cycle", "department")
    detail_select_related = ("employee__position", "superior", "cycle", "department", "template")
    columns = [
        Column("employee", link=True, sort="employee__full_name"),
        Column("cycle", sort="cycle__starts_on"),
        Column("department", sort="department__name"),
        Column("superior", sort="superior__full_name"),
        Column("state"),
        Column("own_score"),
        Column("final_score"),
        Column("grade"),
    ]
    detail_fields = []
    default_sort = "-cycle__starts_on"
    detail_template = "people/appraisal_detail.html"
    actions = [
        RecordAction(
            "self-assess",
            _self_assess,
            form=forms.SelfAssessmentForm,
            form_kwargs=_appraisal_form,
            transition="submit_self",
            success=gettext_lazy("Your self-assessment was sent to your superior."),
        ),
        RecordAction(
            "score",
            _score,
            form=forms.ScoreForm,
            form_kwargs=_appraisal_form,
            when=lambda a, user: (
                a.state == AppraisalState.SCORING and user.has_perm("people.score_appraisal", a)
            ),
            success=lambda a, result: (
                gettext_lazy("The scores were sent to the employee to read.")
                if result.state == AppraisalState.EMPLOYEE_REVIEW
                else gettext_lazy("The scores were saved as a draft.")
            ),
        ),
        RecordAction(
            "refresh-figures",
            calls(services.refresh_figures),
            when=lambda a, user: user.has_perm("people.refresh_appraisal", a),
            success=gettext_lazy("The computed figures were taken again from the records."),
        ),
        RecordAction(
            "acknowledge",
            calls(services.acknowledge),
            form=forms.AcknowledgeForm,
            transition="acknowledge",
            success=gettext_lazy("Thank you; HR will close the appraisal."),
        ),
        RecordAction(
            "appeal",
            calls(services.appeal),
            form=forms.AppealForm,
            transition="appeal",
            success=gettext_lazy("Your appeal was sent to HR."),
        ),
        RecordAction(
            "close",
            calls(services.close_appraisal),
            form=forms.CloseForm,
            transition="close",
            success=gettext_lazy("The appraisal is closed."),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        rows = list(obj.scores.select_related("indicator").order_by("indicator__sort_order", "indicator_id"))
        for row in rows:
            row.computed = BY_CODE.get(row.indicator.source)
        parts = services.parts_of(obj) if obj.cycle.part_kind else []
        user = request.user
        score_form = self_form = None
        if obj.state == AppraisalState.SCORING and user.has_perm("people.score_appraisal", obj):
            score_form = bound_forms.get("score") or forms.ScoreForm(appraisal=obj, auto_id="id_score_%s")
            bootstrapify(score_form)
        if obj.state == AppraisalState.SELF_ASSESSMENT and user.has_perm("people.self_assess_appraisal", obj):
            self_form = bound_forms.get("self_assess") or forms.SelfAssessmentForm(
                appraisal=obj, auto_id="id_self_assess_%s"
            )
            bootstrapify(self_form)
        for row in rows:
            row.score_field = score_form[f"score_{row.pk}"] if score_form else None
            row.comment_field = score_form[f"comment_{row.pk}"] if score_form else None
            row.self_field = self_form[f"self_{row.pk}"] if self_form else None
        return {
            "score_form": score_form,
            "self_form": self_form,
            "rows": rows,
            "parts": parts,
            "own_weight": 100 - obj.cycle.rollup_share,
            "grades": grading.GRADES,
            "is_employee": request.user.pk == obj.employee_id,
            "actions_taken": obj.actions.select_related("employee")
            if request.user.has_perm("people.view_resultaction", obj)
            else [],
        }


@login_required
def appraisal_figures(request, pk, code):
    """The records a computed figure of an appraisal counts (HR-7: each figure links to them)."""
    appraisal = visible_record(request, Appraisal, pk, Appraisal.objects.select_related("employee", "cycle"))
    computed = BY_CODE.get(code)
    if computed is None:
        raise Http404
    cycle = appraisal.cycle
    rows = list(metrics.records(code, appraisal.employee, cycle.starts_on, cycle.ends_on)[:200])
    return render(
        request,
        "people/appraisal_figures.html",
        {
            "object": appraisal,
            "computed": computed,
            "rows": rows,
            "shares": not computed.is_count and code != "csat",
        },
    )


@login_required
def distribution(request):
    """HR-8: the grade distribution per department of a cycle (management sees this summary)."""
    if not request.user.has_perm("people.distribution_appraisal"):
        raise PermissionDenied
    cycles = Cycle.objects.order_by("-starts_on")
    cycle = (
        cycles.filter(pk=request.GET.get("cycle") or 0).first()
        or cycles.filter(appraisals__grade__gt="").first()
    )
    lines, totals = summaries.distribution(request.user, cycle)
    return render(
        request,
        "people/distribution.html",
        {
            "cycle": cycle,
            "cycles": cycles[:36],
            "grades": grading.GRADES,
            "lines": lines,
            "totals": totals,
            "total": sum(totals),
        },
    )


# --- HR-8: results applied ---------------------------------------------------------------------


class ResultActionViews(PanelViews):
    model = ResultAction
    filterset_class = filters.ResultActionFilterSet
    form_class = forms.ResultActionForm
    icon = "award"
    allow_delete = False
    list_select_related = ("employee", "appraisal__cycle", "appraisal__employee", "new_position")
    detail_select_related = (
        "employee",
        "appraisal__cycle",
        "appraisal__employee",
        "new_position",
        "proposed_by",
    )
    columns = [
        Column("employee", link=True, sort="employee__full_name"),
        Column("kind"),
        Column("appraisal", sort="appraisal__cycle__starts_on"),
        Column("amount"),
        Column("new_position"),
        Column("effective_on"),
        Column("state"),
    ]
    detail_fields = [
        "employee",
        "appraisal",
        "kind",
        "reason",
        "amount",
        "new_position",
        "effective_on",
        "state",
        "proposed_by",
        "decided_at",
    ]
    actions = [
        RecordAction(
            "approve",
            calls(services.approve_action),
            form=forms.DecideForm,
            transition="approve",
            success=gettext_lazy("Approved."),
        )
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.propose_action(actor=actor, **form.cleaned_data)
        return super().save(form, actor=actor, request=request, obj=obj)


class ImprovementPlanViews(PanelViews):
    model = ImprovementPlan
    filterset_class = filters.ImprovementPlanFilterSet
    form_class = forms.ImprovementPlanForm
    icon = "graph-up-arrow"
    allow_delete = False
    list_select_related = ("employee", "superior")
    detail_select_related = ("employee", "superior", "appraisal__cycle")
    columns = [
        Column("employee", link=True, sort="employee__full_name"),
        Column("superior", sort="superior__full_name"),
        Column("starts_on"),
        Column("ends_on"),
        Column("state"),
        Column("outcome"),
    ]
    detail_fields = [
        "employee",
        "superior",
        "appraisal",
        "starts_on",
        "ends_on",
        "goals",
        "support",
        "state",
        "outcome",
        "outcome_note",
        "concluded_at",
    ]
    related_tables = [RelatedTable("check_ins", [Column("held_on"), Column("progress"), Column("notes")])]
    actions = [
        RecordAction(
            "check-in",
            calls(services.check_in),
            form=forms.PlanCheckInForm,
            when=lambda plan, user: (
                plan.state == ImprovementPlan.State.ACTIVE
                and user.has_perm("people.check_in_improvementplan", plan)
            ),
            success=gettext_lazy("The check-in was recorded."),
        ),
        RecordAction(
            "conclude",
            calls(services.conclude_plan),
            form=forms.ConcludeForm,
            transition="conclude",
            success=gettext_lazy("The plan is concluded."),
        ),
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.start_plan(actor=actor, **form.cleaned_data)
        return super().save(form, actor=actor, request=request, obj=obj)


class CheckInViews(ObjectViews):
    model = CheckIn
    filterset_class = filters.CheckInFilterSet
    form_class = forms.CheckInForm
    icon = "chat-square-text"
    list_select_related = ("plan__employee",)
    columns = [
        Column("plan", link=True, sort="plan__employee__full_name"),
        Column("held_on"),
        Column("progress"),
    ]
    detail_fields = ["plan", "held_on", "progress", "notes", "recorded_by"]


# --- HR-4: skills ------------------------------------------------------------------------------


class SkillViews(ObjectViews):
    model = Skill
    filterset_class = filters.SkillFilterSet
    form_class = forms.SkillForm
    icon = "stars"
    columns = [Column("name", link=True), Column("category"), Column("description", sort=False)]
    detail_fields = ["name", "category", "description"]


class PersonSkillViews(ObjectViews):
    model = PersonSkill
    filterset_class = filters.PersonSkillFilterSet
    form_class = forms.PersonSkillForm
    icon = "person-badge"
    list_select_related = ("employee", "skill")
    detail_select_related = ("employee", "skill", "assessed_by")
    columns = [
        Column("employee", link=True, sort="employee__full_name"),
        Column("skill", sort="skill__name"),
        Column("level"),
        Column("source"),
        Column("assessed_on"),
        Column("evidence"),
    ]
    detail_fields = ["employee", "skill", "level", "source", "assessed_on", "evidence", "assessed_by"]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        form.instance.assessed_by = actor
        return super().save(form, actor=actor, request=request, obj=obj)


MATRIX_PAGE = 25


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode() + "&" if query else ""


@login_required
def skills_matrix(request):
    """HR-4: people × skills, the best level of each person in each skill, and the search."""
    if not request.user.has_perm("people.view_personskill"):
        raise PermissionDenied
    user = request.user
    search_form = forms.SkillSearchForm(request.GET if "skill" in request.GET else None)
    found = None
    if search_form.is_bound and search_form.is_valid() and user.has_perm("people.search_personskill"):
        data = search_form.cleaned_data
        found = list(
            skills.search(
                user,
                skill=data["skill"],
                level=data["level"],
                month=data.get("month"),
                free_at_least=data.get("free") or 0,
            )[:100]
        )
    people = (
        skills.people_for(user)
        .select_related("department", "position")
        .order_by("department__sort_order", "full_name")
    )
    page = Paginator(people, MATRIX_PAGE).get_page(request.GET.get("page"))
    catalogue = list(Skill.objects.order_by("category", "name")[:40])
    levels = skills.matrix(user, list(page.object_list), catalogue)
    rows = [
        (person, [levels.get((person.pk, skill.pk)) for skill in catalogue]) for person in page.object_list
    ]
    return render(
        request,
        "people/skills_matrix.html",
        {
            "form": bootstrapify(search_form),
            "found": found,
            "may_search": user.has_perm("people.search_personskill"),
            "skills": catalogue,
            "rows": rows,
            "page": page,
            "query": _without_page(request),
        },
    )


# --- HR-3: training ----------------------------------------------------------------------------


@login_required
def training_plan(request):
    """HR-3: the yearly training plan of a department from its skills gaps."""
    if not request.user.has_perm("people.search_personskill"):
        raise PermissionDenied
    departments = Department.objects.order_by("sort_order", "name")
    department = (
        departments.filter(pk=request.GET.get("department") or 0).first()
        or departments.filter(pk=request.user.department_id).first()
    )
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    plan = skills.training_plan(department, year) if department is not None else []
    return render(
        request,
        "people/training_plan.html",
        {
            "departments": departments,
            "department": department,
            "year": year,
            "plan": plan,
            "working_level": skills.WORKING_LEVEL,
        },
    )


class CourseViews(ObjectViews):
    model = Course
    filterset_class = filters.CourseFilterSet
    form_class = forms.CourseForm
    icon = "mortarboard"
    list_select_related = ("skill",)
    columns = [
        Column("title", link=True),
        Column("kind"),
        Column("provider"),
        Column("hours"),
        Column("skill", sort="skill__name"),
        Column("certificate_months"),
    ]
    detail_fields = [
        "title",
        "kind",
        "provider",
        "hours",
        "skill",
        "level_awarded",
        "certificate_months",
        "description",
    ]
    related_tables = [
        RelatedTable(
            "articles",
            [Column("title", link=True), Column("kind"), Column("published_at")],
            title=gettext_lazy("Materials from the knowledge base"),
        ),
        RelatedTable(
            "sessions",
            [
                Column("starts_on", link=True),
                Column("ends_on"),
                Column("trainer"),
                Column("location"),
                Column("capacity"),
            ],
            add_url_param="course",
        ),
    ]


class TrainingSessionViews(ObjectViews):
    model = TrainingSession
    filterset_class = filters.TrainingSessionFilterSet
    form_class = forms.TrainingSessionForm
    icon = "easel"
    list_select_related = ("course",)
    columns = [
        Column("course", link=True, sort="course__title"),
        Column("starts_on"),
        Column("ends_on"),
        Column("trainer"),
        Column("location"),
        Column("capacity"),
    ]
    detail_fields = ["course", "starts_on", "ends_on", "trainer", "location", "capacity"]
    related_tables = [
        RelatedTable(
            "enrolments",
            [
                Column("employee", link=True),
                Column("state"),
                Column("score"),
                Column("passed"),
                Column("certificate_expires_on"),
            ],
            add_url_param="session",
        )
    ]


class EnrolmentViews(PanelViews):
    model = Enrolment
    filterset_class = filters.EnrolmentFilterSet
    form_class = forms.EnrolmentForm
    icon = "journal-check"
    allow_delete = False
    list_select_related = ("employee", "session__course")
    detail_select_related = ("employee", "session__course", "requested_by")
    columns = [
        Column("employee", link=True, sort="employee__full_name"),
        Column("session", sort="session__starts_on"),
        Column("attended"),
        Column("score"),
        Column("passed"),
        Column("certificate_no"),
        Column("certificate_expires_on"),
        Column("state"),
    ]
    detail_fields = [
        "employee",
        "session",
        "state",
        "requested_by",
        "attended",
        "score",
        "passed",
        "certificate_no",
        "certificate_expires_on",
    ]
    default_sort = "-session__starts_on"
    actions = [
        RecordAction(
            "record",
            calls(services.record_result),
            form=forms.ResultForm,
            transition="complete",
            success=gettext_lazy("The result was recorded."),
        )
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.enrol(actor=actor, **form.cleaned_data)
        return super().save(form, actor=actor, request=request, obj=obj)
