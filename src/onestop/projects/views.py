"""Pages of project implementation (PRJ-1, PRJ-2).

The project page gathers the overview, milestones, team and responsibility matrix, kickoff,
tasks (table and Gantt chart), progress tables and the budget. Clients of the project's
organisation see the overview and the milestones only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onestop.core import services as core_services
from onestop.core.exceptions import DomainError
from onestop.core.views import (
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ObjectViews,
)
from onestop.core.views_workflow import refused
from onestop.projects import exports, filters, forms, services
from onestop.projects.models import KickoffMeeting, Milestone, ProgressReport, Project, ProjectMember, Task
from onestop.projects.presenters import project_context, report_context


class ProjectDetailView(ObjectDetailView):
    def base_context(self, **extra):
        context = super().base_context(**extra)
        if extra.get("tab") == "detail" and extra.get("object") is not None:
            context.update(project_context(extra["object"], self.request.user))
        return context


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
        Column("engagement__client", label=gettext_lazy("Client"), sort="engagement__client__name"),
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

    @classmethod
    def urls(cls) -> list:
        return [
            path("projects/", ObjectListView.as_view(viewset=cls), name="project_list"),
            path("projects/add/", ObjectEditView.as_view(viewset=cls), name="project_add"),
            path("projects/<int:pk>/", ProjectDetailView.as_view(viewset=cls), name="project_detail"),
            path("projects/<int:pk>/edit/", ObjectEditView.as_view(viewset=cls), name="project_edit"),
            path(
                "projects/<int:pk>/history/", ObjectHistoryView.as_view(viewset=cls), name="project_history"
            ),
            path("projects/<int:pk>/delete/", ObjectDeleteView.as_view(viewset=cls), name="project_delete"),
        ]


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


# --- helpers -------------------------------------------------------------------------------------


def _project(request, pk) -> Project:
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("project_lead", "engagement"), pk=pk
    )
    if not request.user.has_perm("projects.view_project", project):
        raise Http404
    return project


def _internal_project(request, pk) -> Project:
    project = _project(request, pk)
    if request.user.client_organization_id is not None:
        raise Http404  # the team's internal work is not shown to clients
    return project


def _report(request, pk) -> ProgressReport:
    report = get_object_or_404(
        ProgressReport.objects.visible_to(request.user).select_related(
            "project", "project__project_lead", "project__engagement__client", "submitted_by", "reviewed_by"
        ),
        pk=pk,
    )
    if not request.user.has_perm("projects.view_progressreport", report):
        raise Http404
    return report


def _run(request, record, action, success: str, back: str | None = None):
    back = back or record.get_absolute_url()
    try:
        action()
    except DomainError as exc:
        return refused(request, record, exc.message, exc.status_code, back)
    messages.success(request, success)
    return HttpResponseRedirect(back)


# --- kickoff --------------------------------------------------------------------------------------


@login_required
def project_kickoff(request, pk):
    """The kickoff meeting: the form while the project awaits it, then the record and the
    attendees' acknowledgements."""
    project = _internal_project(request, pk)
    meeting = (
        KickoffMeeting.objects.filter(project=project)
        .select_related("recorded_by")
        .prefetch_related("attendance__user")
        .first()
    )
    can_record = meeting is None and request.user.has_perm("projects.manage_project", project)
    form = None
    status = 200
    if can_record:
        form = forms.KickoffForm(request.POST or None, project=project)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.record_kickoff(
                        project,
                        actor=request.user,
                        held_on=data["held_on"],
                        location=data["location"],
                        attendees=list(data["attendees"]),
                        goals=data["goals"],
                        tasks_communicated=data["tasks_communicated"],
                        requirements=data["requirements"],
                        minutes=data["minutes"],
                        responsibilities=form.responsibilities(),
                    )
                except DomainError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    messages.success(
                        request, _("The kickoff meeting was recorded; the project is in progress.")
                    )
                    return HttpResponseRedirect(project.get_absolute_url() + "#kickoff")
            status = 400
        from onestop.core.forms import bootstrapify

        bootstrapify(form)
    elif request.method == "POST":
        raise PermissionDenied
    attendance = list(meeting.attendance.all()) if meeting else []
    mine = next((row for row in attendance if row.user_id == request.user.pk), None)
    members = list(project.members.select_related("user").order_by("pk"))
    return render(
        request,
        "projects/kickoff.html",
        {
            "project": project,
            "object": project,
            "meeting": meeting,
            "attendance": attendance,
            "mine": mine,
            "members": members,
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def kickoff_acknowledge(request, pk):
    project = _internal_project(request, pk)
    meeting = get_object_or_404(KickoffMeeting, project=project)
    return _run(
        request,
        project,
        lambda: services.acknowledge_kickoff(meeting, actor=request.user),
        _("You acknowledged the kickoff meeting."),
        back=meeting.get_absolute_url(),
    )


@login_required
@require_POST
def project_complete(request, pk):
    project = _internal_project(request, pk)
    form = forms.CompleteForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _run(
        request,
        project,
        lambda: services.complete_project(project, actor=request.user, comment=comment),
        _("Implementation is complete; the project awaits the client's acceptance."),
    )


# --- the progress table ---------------------------------------------------------------------------


@login_required
@require_POST
def project_start_report(request, pk):
    project = _internal_project(request, pk)
    if not request.user.has_perm("projects.fill_progressreport", project):
        raise PermissionDenied
    try:
        report = services.start_report(project, actor=request.user)
    except DomainError as exc:
        return refused(request, project, exc.message, exc.status_code, project.get_absolute_url())
    return HttpResponseRedirect(report.get_absolute_url())


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
                % {"item": row.item}
            )
        values["percent_complete"] = int(raw)
    for name in ("actual_start", "actual_end"):
        if values.get(name):
            from django.utils.dateparse import parse_date

            try:
                parsed = parse_date(values[name])
            except ValueError:
                parsed = None
            if parsed is None:
                raise DomainError(_("%(item)s: give dates as YYYY-MM-DD.") % {"item": row.item})
            values[name] = parsed
    return values


@login_required
def progressreport_detail(request, pk):
    report = _report(request, pk)
    user = request.user
    status = 200
    if request.method == "POST":
        if not user.has_perm("projects.fill_progressreport", report):
            raise PermissionDenied
        rows = list(report.rows.all())
        try:
            values = {row.pk: row_values(request.POST, row) for row in rows}
            services.fill_rows(report, actor=user, rows=values)
        except DomainError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(request, _("The progress table was saved."))
            return HttpResponseRedirect(report.get_absolute_url())
    context = report_context(report, user)
    return render(request, "projects/progressreport_detail.html", context, status=status)


@login_required
@require_POST
def progressreport_submit(request, pk):
    report = _report(request, pk)
    return _run(
        request,
        report,
        lambda: services.submit_report(report, actor=request.user, comment=request.POST.get("comment", "")),
        _("The progress table was submitted to the project lead."),
    )


@login_required
@require_POST
def progressreport_review(request, pk):
    report = _report(request, pk)
    form = forms.ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    if request.POST.get("decision") == "return":
        return _run(
            request,
            report,
            lambda: services.return_report(report, actor=request.user, comment=comment),
            _("The progress table was returned for correction."),
        )
    return _run(
        request,
        report,
        lambda: services.review_report(report, actor=request.user, comment=comment),
        _("The progress table was reviewed; the milestones and tasks were updated."),
    )


@login_required
def progressreport_pdf(request, pk):
    report = _report(request, pk)
    response = HttpResponse(exports.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{exports.filename(report)}.pdf"'
    return response


@login_required
def progressreport_xlsx(request, pk):
    report = _report(request, pk)
    response = HttpResponse(
        exports.report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(report)}.xlsx"'
    return response
