from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from onestop.core import services as core_services
from onestop.core.actions import RecordAction, calls, record_action
from onestop.core.forms import bootstrapify
from onestop.core.panels import panels
from onestop.core.views import Column, ObjectViews, RelatedTable
from onestop.quality import analytics, filters, forms, services
from onestop.quality.models import (
    ImprovementAction,
    Inspection,
    InspectionItem,
    QCCheckpoint,
    QCPlan,
    QCTemplate,
    QCTemplateCheckpoint,
    RectificationNotice,
    SpotCheckDraw,
)
from onestop.quality.states import INSPECTION_OPEN

CHECKPOINT_COLUMNS = [
    Column("phase"),
    Column("name", link=True),
    Column("frequency_days"),
    Column("acceptance_threshold", sort=False),
    Column("responsible_department", sort="responsible_department__name"),
]


class QCTemplateViews(ObjectViews):
    model = QCTemplate
    filterset_class = filters.QCTemplateFilterSet
    form_class = forms.QCTemplateForm
    icon = "clipboard2-check"
    detail_template = "quality/qctemplate_detail.html"
    columns = [
        Column("name", link=True),
        Column("code"),
        Column("version"),
        Column("is_active"),
        Column("first_used_at"),
    ]
    detail_fields = ["code", "version", "name", "description", "is_active", "first_used_at"]
    related_tables = [RelatedTable("checkpoints", CHECKPOINT_COLUMNS, add_url_param="template")]

    actions = [
        RecordAction(
            "new-version",
            calls(services.new_template_version),
            when=lambda template, user: user.has_perm("quality.add_qctemplate"),
            success=lambda template, copy: (
                _("Version %(version)s was made; adjust it and activate it.") % {"version": copy.version}
            ),
            redirect=lambda template, copy: copy.get_absolute_url(),
        )
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        return services.save_template(form.save(commit=False), actor=actor)


class QCTemplateCheckpointViews(ObjectViews):
    model = QCTemplateCheckpoint
    form_class = forms.QCTemplateCheckpointForm
    icon = "list-check"
    list_select_related = ("template", "responsible_department")
    detail_select_related = ("template", "responsible_department")
    columns = [Column("template", sort="template__code"), *CHECKPOINT_COLUMNS]
    detail_fields = [
        "template",
        "phase",
        "name",
        "indicators",
        "acceptance_threshold",
        "frequency_days",
        "responsible_department",
        "sort_order",
    ]


class QCPlanViews(ObjectViews):
    model = QCPlan
    filterset_class = filters.QCPlanFilterSet
    form_class = forms.QCPlanForm
    add_form_class = forms.QCPlanCreateForm
    icon = "clipboard2-check"
    allow_delete = False
    detail_template = "quality/qcplan_detail.html"
    list_select_related = ("project", "template", "project__project_lead")
    detail_select_related = ("project", "template", "created_by", "project__project_lead")
    columns = [
        Column("project", link=True, sort="project__code"),
        Column("state"),
        Column("template", sort=False),
        Column("activated_at"),
        Column("updated_at"),
    ]
    detail_fields = ["project", "state", "template", "created_by", "activated_at", "note"]
    related_tables = [RelatedTable("checkpoints", CHECKPOINT_COLUMNS, add_url_param="plan")]

    actions = [
        RecordAction(
            "activate",
            calls(services.activate_plan),
            transition="activate",
            success=_("The QC plan is active."),
        ),
        RecordAction(
            "revise",
            calls(services.revise_plan),
            form=forms.PlanReviseForm,
            transition="revise",
            success=_("The QC plan can be adjusted."),
        ),
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.create_qc_plan(data["project"], actor=actor, template=data["template"])
        return core_services.save_form(form, actor=actor)


class QCCheckpointViews(ObjectViews):
    model = QCCheckpoint
    filterset_class = filters.QCCheckpointFilterSet
    form_class = forms.QCCheckpointForm
    icon = "list-check"
    list_select_related = ("plan__project", "responsible_department")
    detail_select_related = ("plan__project", "responsible_department")
    columns = [Column("plan", sort="plan__project__code"), *CHECKPOINT_COLUMNS]
    detail_fields = [
        "plan",
        "phase",
        "name",
        "indicators",
        "acceptance_threshold",
        "frequency_days",
        "responsible_department",
        "sort_order",
    ]


class InspectionViews(ObjectViews):
    model = Inspection
    filterset_class = filters.InspectionFilterSet
    form_class = forms.InspectionForm
    icon = "search"
    detail_template = "quality/inspection_detail.html"
    list_select_related = ("project", "checkpoint", "inspector")
    detail_select_related = (
        "project",
        "checkpoint__responsible_department",
        "inspector",
        "draw",
        "completed_by",
    )
    default_sort = "-planned_date"
    columns = [
        Column("code", link=True),
        Column("project", sort="project__code"),
        Column("checkpoint", sort=False),
        Column("kind"),
        Column("planned_date"),
        Column("inspector", sort="inspector__full_name"),
        Column("state"),
        Column("passed"),
    ]
    detail_fields = [
        "code",
        "project",
        "checkpoint",
        "kind",
        "draw",
        "planned_date",
        "inspector",
        "state",
        "started_at",
        "completed_at",
        "completed_by",
        "passed",
        "summary",
    ]

    actions = [
        RecordAction(
            "start",
            calls(services.start_inspection),
            transition="start",
            success=_("The inspection has started."),
        ),
        RecordAction(
            "checklist",
            lambda inspection, request, data: services.record_checklist(
                inspection, actor=request.user, answers=data["answers"]
            ),
            form=forms.ChecklistForm,
            form_kwargs=lambda inspection, user: {"inspection": inspection},
            when=lambda inspection, user: (
                inspection.state in INSPECTION_OPEN and user.has_perm("quality.run_inspection", inspection)
            ),
            success=_("The checklist was saved."),
            anchor="#checklist",
        ),
        RecordAction(
            "complete",
            calls(services.complete_inspection),
            form=forms.InspectionCompleteForm,
            initial=lambda inspection, user: {"summary": inspection.summary},
            transition="complete",
            success=_("The inspection was completed."),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms):
        """The checklist; while the user may answer it, one form for all its items (the one
        refused, with what the user typed, after a refusal)."""
        user = request.user
        form = bound_forms.get("checklist")
        if form is None and obj.state in INSPECTION_OPEN and user.has_perm("quality.run_inspection", obj):
            checklist = next(action for action in cls.actions if action.key == "checklist")
            form = checklist.make_form(obj, user)
        extra = {"panels": panels("inspection", obj, user)}  # e.g. the documents checked (resources)
        if form is not None:
            bootstrapify(form)
            return {
                "checklist_form": form,
                "checklist": form.rows(),
                "Result": InspectionItem.Result,
                **extra,
            }
        return {
            "checklist": [(item, None) for item in obj.checklist()],
            "Result": InspectionItem.Result,
            **extra,
        }

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.plan_inspection(
                project=data["project"],
                checkpoint=data["checkpoint"],
                planned_date=data["planned_date"],
                inspector=data["inspector"],
                kind=data["kind"],
                actor=actor,
            )
        return core_services.save_form(form, actor=actor)


class InspectionItemViews(ObjectViews):
    model = InspectionItem
    filterset_class = filters.InspectionItemFilterSet
    form_class = forms.InspectionItemForm
    add_form_class = forms.InspectionItemAddForm
    icon = "list-check"
    allow_delete = False
    list_select_related = ("inspection__project",)
    detail_select_related = ("inspection__project",)
    columns = [
        Column("inspection", sort="inspection__code"),
        Column("label", link=True),
        Column("result"),
        Column("category"),
        Column("cause"),
    ]
    detail_fields = ["inspection", "label", "result", "evidence", "category", "cause", "note"]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return core_services.save_form(form, actor=actor)
        data = form.cleaned_data
        return services.record_item(obj, actor=actor, **data)


class SpotCheckDrawViews(ObjectViews):
    model = SpotCheckDraw
    form_class = forms.SpotCheckDrawNoteForm
    add_form_class = forms.SpotCheckDrawForm
    icon = "shuffle"
    allow_delete = False
    detail_template = "quality/spotcheckdraw_detail.html"
    list_select_related = ("drawn_by", "inspector")
    detail_select_related = ("drawn_by", "inspector")
    columns = [
        Column("code", link=True),
        Column("drawn_at"),
        Column("drawn_by", sort="drawn_by__full_name"),
        Column("sample_size"),
        Column("population_size", sort=False),
        Column("planned_date"),
    ]
    detail_fields = [
        "code",
        "seed",
        "sample_size",
        "population_size",
        "planned_date",
        "inspector",
        "drawn_by",
        "drawn_at",
        "note",
    ]
    related_tables = [
        RelatedTable(
            "inspections",
            [Column("code", link=True), Column("project"), Column("checkpoint"), Column("state")],
        )
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.draw_spot_check(actor=actor, **form.cleaned_data)
        return core_services.save_form(form, actor=actor)


class RectificationNoticeViews(ObjectViews):
    model = RectificationNotice
    filterset_class = filters.RectificationNoticeFilterSet
    form_class = forms.NoticeEditForm
    add_form_class = forms.NoticeRaiseForm
    icon = "exclamation-triangle"
    allow_delete = False
    detail_template = "quality/rectificationnotice_detail.html"
    list_select_related = ("project", "department")
    detail_select_related = (
        "project__project_lead",
        "department__head",
        "inspection",
        "item",
        "issued_by",
        "responded_by",
        "verified_by",
    )
    columns = [
        Column("code", link=True),
        Column("project", sort="project__code"),
        Column("department", sort="department__name"),
        Column("deadline"),
        Column("state"),
        Column("issued_at"),
    ]
    detail_fields = [
        "code",
        "project",
        "inspection",
        "item",
        "department",
        "requirement",
        "deadline",
        "state",
        "issued_by",
        "issued_at",
        "response",
        "responded_by",
        "responded_at",
        "verification",
        "verified_by",
        "closed_at",
        "reopen_count",
    ]

    actions = [
        RecordAction(
            "respond",
            calls(services.respond_notice),
            form=forms.NoticeResponseForm,
            transition="respond",
            success=_("The response was sent to quality for verification."),
        ),
        RecordAction(
            "verify",
            lambda notice, request, data: (
                services.verify_notice(notice, actor=request.user, verification=data["note"])
                if data["decision"] == "close"
                else services.reopen_notice(notice, actor=request.user, reason=data["note"])
            ),
            form=forms.NoticeVerifyForm,
            transition="close",
            success=lambda notice, result: (
                _("The rectification was verified and the notice closed.")
                if result.state == RectificationNotice.State.CLOSED
                else _("The notice was reopened and sent back to the department.")
            ),
        ),
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return services.raise_notice(
                data["item"],
                department=data["department"],
                deadline=data["deadline"],
                requirement=data["requirement"],
                actor=actor,
            )
        return services.update_notice(
            obj, actor=actor, requirement=data["requirement"], deadline=data["deadline"]
        )


class ImprovementActionViews(ObjectViews):
    model = ImprovementAction
    filterset_class = filters.ImprovementActionFilterSet
    form_class = forms.ImprovementActionForm
    icon = "graph-up-arrow"
    allow_delete = False
    detail_template = "quality/improvementaction_detail.html"
    list_select_related = ("owner",)
    detail_select_related = ("owner", "source_notice", "checked_by")
    columns = [
        Column("title", link=True),
        Column("source_category"),
        Column("source_cause"),
        Column("owner", sort="owner__full_name"),
        Column("due_date"),
        Column("state"),
    ]
    detail_fields = [
        "title",
        "description",
        "source_category",
        "source_cause",
        "source_notice",
        "owner",
        "due_date",
        "state",
        "done_at",
        "effectiveness_note",
        "checked_by",
        "checked_at",
    ]

    actions = [
        RecordAction(
            "done",
            calls(services.complete_action),
            transition="mark_done",
            success=_("The action is marked done."),
        ),
        RecordAction(
            "check",
            lambda action, request, data: services.check_action(
                action, actor=request.user, effective=data["effective"] == "yes", note=data["note"]
            ),
            form=forms.ActionCheckForm,
            transition="confirm_effective",
            success=_("The effectiveness check was recorded."),
        ),
    ]


# --- actions shown on another record's page ----------------------------------------------------


def _item_form_kwargs(item, user):
    # One form per checklist item on the inspection's page: ids unique on the page.
    return {"instance": item, "user": user, "auto_id": f"id_item{item.pk}_%s"}


# A checklist item is answered on its inspection's page.
record_item = record_action(
    InspectionItem,
    "record",
    calls(services.record_item),
    form=forms.InspectionItemForm,
    form_kwargs=_item_form_kwargs,
    page=lambda item: item.inspection,
    success=lambda item, result: _("“%(item)s” was recorded.") % {"item": item.label},
    redirect=lambda item, result: item.inspection.get_absolute_url() + f"#item-{item.pk}",
)


# --- QA-3: the analysis page -----------------------------------------------------------------


def _analysis(request):
    if not request.user.has_perm("quality.view_inspection"):
        raise PermissionDenied
    form = forms.AnalysisFilterForm(request.GET or None)
    period = analytics.Period.default()
    if form.is_bound and form.is_valid():
        period = analytics.Period(
            form.cleaned_data["start"] or period.start, form.cleaned_data["end"] or period.end
        )
    if not form.is_bound:
        form = forms.AnalysisFilterForm(initial={"start": period.start, "end": period.end})
    return form, analytics.analyse(period)


@login_required
@require_GET
def analysis(request):
    form, result = _analysis(request)
    bootstrapify(form)
    query = request.GET.urlencode()
    return render(
        request,
        "quality/analysis.html",
        {
            "form": form,
            "result": result,
            "charts": analytics.chart_data(result),
            "export_url": reverse("quality:analysis_export") + (f"?{query}" if query else ""),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def analysis_export(request):
    form, result = _analysis(request)
    if form.is_bound and not form.is_valid():
        errors = "; ".join(str(message) for messages_ in form.errors.values() for message in messages_)
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    period = result["period"]
    response = HttpResponse(
        analytics.workbook(result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="quality-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
