"""Pages of project implementation (PRJ-1, PRJ-2).

The project page gathers the overview, milestones, team and responsibility matrix, kickoff,
tasks (table and Gantt chart), progress tables and the budget. Clients of the project's
organisation see the overview and the milestones only. The kickoff meeting and the progress
table are forms with pages of their own (``RecordAction(template=...)``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from onestop.core import services as core_services
from onestop.core.actions import RecordAction, calls, record_action, visible_record
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.exports import excel_response
from onestop.core.forms import CommentForm
from onestop.core.views import Column, ObjectViews
from onestop.core.workflow import allowed_actions
from onestop.projects import exports, filters, forms, services
from onestop.projects.models import KickoffMeeting, Milestone, ProgressReport, Project, ProjectMember, Task
from onestop.projects.presenters import kickoff_context, project_context, report_context
from onestop.projects.states import ProgressReportState, ProjectState


def _record_kickoff(project, request, data):
    """Run ``record_kickoff`` with the kickoff form's data (its responsibility matrix by member)."""
    prefix = "responsibility_"
    responsibilities = {
        int(key[len(prefix) :]): data.pop(key) for key in list(data) if key.startswith(prefix)
    }
    return services.record_kickoff(
        project,
        actor=request.user,
        attendees=list(data.pop("attendees")),
        responsibilities=responsibilities,
        **data,
    )


class ProjectViews(ObjectViews):
    model = Project
    filterset_class = filters.ProjectFilterSet
    form_class = forms.ProjectForm
    add_form_class = forms.OpenProjectForm
    icon = "kanban"
    detail_template = "projects/project_detail.html"
    list_select_related = ("engagement", "engagement__client", "project_lead", "contract")
    detail_select_related = (
        "engagement",
        "engagement__client",
        "contract",
        "plan_version",
        "plan_version__plan",
        "project_lead",
        "opened_by",
    )
    columns = [
        Column("code", link=True),
        Column("name", link=True),
        Column("engagement__client", label=_("Client"), sort="engagement__client__name"),
        Column("project_lead", sort="project_lead__full_name"),
        Column("state"),
        Column("planned_start"),
        Column("planned_end"),
    ]
    detail_fields = [
        "code",
        "engagement",
        "contract",
        "project_lead",
        "state",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "progress_period_days",
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.open_project(data["contract"], actor=actor, project_lead=data.get("project_lead"))
        return core_services.save_form(form, actor=actor)

    actions = [
        RecordAction(
            "kickoff",
            _record_kickoff,
            form=forms.KickoffForm,
            form_kwargs=lambda project, user: {"project": project, "auto_id": "id_%s"},
            transition="kick_off",
            template="projects/kickoff.html",
            context=lambda project, user: kickoff_context(project, user),
            success=_("The kickoff meeting was recorded; the project is in progress."),
            anchor="#kickoff",
        ),
        RecordAction(
            "complete",
            calls(services.complete_project),
            form=forms.CompleteForm,
            transition="complete",
            success=_("Implementation is complete; the project awaits the client's acceptance."),
        ),
        RecordAction(
            "start-report",
            calls(services.start_report),
            route="progress/start/",
            when=lambda project, user: (
                project.state == ProjectState.IN_PROGRESS
                and user.has_perm("projects.fill_progressreport", project)
            ),
            redirect=lambda project, report: report.get_absolute_url(),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        return project_context(obj, request.user, progress_page=request.GET.get("progress_page"))


class MilestoneViews(ObjectViews):
    model = Milestone
    filterset_class = filters.MilestoneFilterSet
    form_class = forms.MilestoneForm
    icon = "flag"
    list_select_related = ("project",)
    detail_select_related = ("project",)
    columns = [
        Column("project", sort="project__code"),
        Column("name", link=True),
        Column("planned_date"),
        Column("percent_complete"),
        Column("completed_on"),
    ]
    detail_fields = ["project", "name", "planned_date", "deliverables", "percent_complete", "completed_on"]


class ProjectMemberViews(ObjectViews):
    model = ProjectMember
    filterset_class = filters.ProjectMemberFilterSet
    form_class = forms.ProjectMemberForm
    icon = "people"
    list_select_related = ("project", "user")
    detail_select_related = ("project", "user")
    columns = [
        Column("project", sort="project__code"),
        Column("user", link=True, sort="user__full_name"),
        Column("role"),
        Column("allocation"),
    ]
    detail_fields = ["project", "user", "role", "allocation", "responsibilities"]


class TaskViews(ObjectViews):
    model = Task
    filterset_class = filters.TaskFilterSet
    form_class = forms.TaskForm
    icon = "list-check"
    list_select_related = ("project", "milestone", "assignee__user")
    detail_select_related = ("project", "milestone", "assignee__user")
    columns = [
        Column("project", sort="project__code"),
        Column("name", link=True),
        Column("milestone", sort="milestone__planned_date"),
        Column("assignee", sort="assignee__user__full_name"),
        Column("planned_start"),
        Column("planned_end"),
        Column("percent_complete"),
    ]
    detail_fields = [
        "project",
        "milestone",
        "name",
        "assignee",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "percent_complete",
        "resource_needs",
        "depends_on",
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        task = form.save(commit=False)
        return services.save_task(
            task, actor=actor, depends_on=list(form.cleaned_data.get("depends_on") or [])
        )


# --- the kickoff meeting ---------------------------------------------------------------------------


KICKOFF = next(action for action in ProjectViews.actions if action.key == "kickoff")


@login_required
def project_kickoff(request, pk):
    """The kickoff meeting's page: its form (the ``kickoff`` action) while the project awaits it,
    then the meeting and the attendees' acknowledgements. The team's internal work: staff only."""
    project = visible_record(request, Project, pk)
    if request.user.client_organization_id is not None:
        raise Http404
    if request.method == "POST" or KICKOFF.available(
        project, request.user, allowed_actions(project, request.user)
    ):
        return KICKOFF.view(request, pk)
    context = {"object": project, "form": None, "action": KICKOFF, **kickoff_context(project, request.user)}
    return render(request, KICKOFF.template, context)


acknowledge_kickoff = record_action(
    KickoffMeeting,
    "acknowledge",
    calls(services.acknowledge_kickoff),
    success=_("You acknowledged the kickoff meeting."),
)


# --- the progress table ---------------------------------------------------------------------------


def row_values(post, row) -> dict:
    prefix = f"row-{row.pk}-"
    values = {}
    for name in services.ROW_FIELDS:
        if prefix + name in post:
            values[name] = post.get(prefix + name, "")
    if "percent_complete" in values:
        raw = values["percent_complete"].strip()
        if not raw.isdigit():
            raise DomainError(
                _("%(item)s: give the percentage complete as a whole number from 0 to 100.")
                % {"item": row.item},
                code=ErrorCode.INVALID,
            )
        values["percent_complete"] = int(raw)
    for name in ("actual_start", "actual_end"):
        if values.get(name):
            try:
                parsed = parse_date(values[name])
            except ValueError:
                parsed = None
            if parsed is None:
                raise DomainError(
                    _("%(item)s: give dates as YYYY-MM-DD.") % {"item": row.item}, code=ErrorCode.INVALID
                )
            values[name] = parsed
    return values


def _fill_rows(report, request, data):
    rows = {row.pk: row_values(request.POST, row) for row in report.rows.all()}
    return services.fill_rows(report, actor=request.user, rows=rows)


def _review(report, request, data):
    review = services.return_report if data["decision"] == "return" else services.review_report
    return review(report, actor=request.user, comment=data["comment"])


class TableAction(RecordAction):
    """An action shown on the progress table's own page: a refusal shows the table again with
    what the user typed in it (not the stored values), so nothing typed is lost."""

    def show_page(self, request, obj, form=None, status=200):
        if request.method == "POST":
            obj.typed = request.POST
        return super().show_page(request, obj, form, status=status)


# The progress table's page is the form that fills its rows (team members, while being filled in).
fill_report = TableAction(
    model=ProgressReport,
    name="fill",
    run=_fill_rows,
    template="projects/progressreport_detail.html",
    context=lambda report, user: report_context(report, user),
    success=_("The progress table was saved."),
)
# A member marks a row of their own task done: a button on the row (``formaction``), its own route.
mark_row_done = TableAction(
    model=ProgressReport,
    name="row-done",
    run=lambda report, request, data: services.mark_row_done(
        report, actor=request.user, row=data["row"], done_on=data.get("done_on")
    ),
    form=forms.MarkDoneForm,
    route="rows/<int:row>/done/",
    template="projects/progressreport_detail.html",
    context=lambda report, user: report_context(report, user),
    success=lambda report, row: _("“%(item)s” was marked done.") % {"item": row.item},
)
submit_report = record_action(
    ProgressReport,
    "submit",
    calls(services.submit_report),
    form=CommentForm,
    success=_("The progress table was submitted to the project lead."),
)
review_report = record_action(
    ProgressReport,
    "review",
    _review,
    form=forms.ReviewForm,
    success=lambda report, result: (
        _("The progress table was returned for correction.")
        if result.state == ProgressReportState.DRAFT
        else _("The progress table was reviewed; the milestones and tasks were updated.")
    ),
)


@login_required
def progressreport_pdf(request, pk):
    report = visible_record(request, ProgressReport, pk)
    response = HttpResponse(exports.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{exports.filename(report)}.pdf"'
    return response


@login_required
def progressreport_xlsx(request, pk):
    report = visible_record(request, ProgressReport, pk)
    return excel_response(exports.report_workbook(report), f"{exports.filename(report)}.xlsx")
