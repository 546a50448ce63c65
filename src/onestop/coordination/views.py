"""Pages of the coordination stage (PRJ-3): generic list/detail/edit pages plus one POST view per
action; every write goes through coordination.services, like the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onestop.coordination import filters, forms, services
from onestop.coordination.models import (
    ChangeRequest,
    ClientFeedback,
    ClientReport,
    ClientReportSchedule,
    ProjectIssue,
    ResourceRequest,
)
from onestop.core.exceptions import DomainError
from onestop.core.views import Column, ObjectDetailView, ObjectViews
from onestop.core.views_workflow import refused, visible_record


def _domain(call):
    """Run a service; a model validation error becomes a DomainError the form can show."""
    try:
        return call()
    except ValidationError as exc:
        raise DomainError("; ".join(exc.messages)) from None


def _changed(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data if name != "project"}


class DetailView(ObjectDetailView):
    """The generic detail page with what the app's template needs to offer the next step."""

    def base_context(self, **extra):
        context = super().base_context(**extra)
        if "object" in extra:
            context.update(self.viewset.extra_context(extra["object"], self.request.user))
        return context


class CoordinationViews(ObjectViews):
    @classmethod
    def extra_context(cls, obj, user) -> dict:
        return {}

    @classmethod
    def urls(cls) -> list:
        name = cls.model._meta.model_name
        patterns = super().urls()
        for index, pattern in enumerate(patterns):
            if pattern.name == f"{name}_detail":
                patterns[index] = path(
                    f"{name}s/<int:pk>/", DetailView.as_view(viewset=cls), name=f"{name}_detail"
                )
        return patterns


class ProjectIssueViews(CoordinationViews):
    model = ProjectIssue
    filterset_class = filters.ProjectIssueFilterSet
    form_class = forms.ProjectIssueForm
    icon = "bug"
    detail_template = "coordination/projectissue_detail.html"
    list_select_related = ("project", "owner")
    detail_select_related = ("project", "owner", "raised_by", "project__project_lead")
    columns = [
        Column("title", link=True),
        Column("project", sort="project__code"),
        Column("owner", sort="owner__full_name"),
        Column("priority"),
        Column("due_display", sort="due_date"),
        Column("state"),
    ]
    detail_fields = [
        "project",
        "title",
        "description",
        "priority",
        "owner",
        "due_display",
        "raised_by",
        "created_at",
        "state",
        "resolution",
        "resolved_at",
        "closed_at",
    ]

    @classmethod
    def extra_context(cls, obj, user) -> dict:
        return {
            "can_resolve": user.has_perm("coordination.resolve_projectissue", obj),
            "can_close": user.has_perm("coordination.close_projectissue", obj),
        }

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return _domain(
                lambda: services.raise_issue(
                    data["project"],
                    actor=actor,
                    title=data["title"],
                    description=data["description"],
                    owner=data["owner"],
                    due_date=data["due_date"],
                    priority=data["priority"],
                )
            )
        return _domain(lambda: services.update_issue(obj, actor=actor, **_changed(form)))


class ClientReportViews(CoordinationViews):
    model = ClientReport
    filterset_class = filters.ClientReportFilterSet
    form_class = forms.ClientReportForm
    icon = "envelope-paper"
    detail_template = "coordination/clientreport_detail.html"
    list_select_related = ("project",)
    detail_select_related = ("project", "project__engagement__client", "prepared_by", "sent_by")
    default_sort = "-period_end"
    columns = [
        Column("project", link=True, sort="project__code"),
        Column("number"),
        Column("period_start"),
        Column("period_end"),
        Column("state"),
        Column("sent_at"),
    ]
    detail_fields = [
        "project",
        "number",
        "period_start",
        "period_end",
        "overall_percent",
        "state",
        "prepared_by",
        "sent_at",
        "sent_by",
    ]

    @classmethod
    def extra_context(cls, obj, user) -> dict:
        return {
            "can_send": user.has_perm("coordination.send_clientreport", obj),
            "feedback": list(obj.feedback.select_related("author").order_by("created_at", "pk")),
            "can_give_feedback": obj.state == ClientReport.State.SENT
            and user.has_perm("coordination.add_clientfeedback"),
        }

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return _domain(
                lambda: services.prepare_report(
                    data["project"],
                    actor=actor,
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    summary=data["summary"],
                )
            )
        fields = {name: data[name] for name in ("period_start", "period_end", "summary")}
        return _domain(lambda: services.update_report(obj, actor=actor, **fields))


class ClientReportScheduleViews(ObjectViews):
    model = ClientReportSchedule
    filterset_class = filters.ClientReportScheduleFilterSet
    form_class = forms.ClientReportScheduleForm
    icon = "calendar-week"
    list_select_related = ("project", "last_report", "last_report__project")
    detail_select_related = ("project", "last_report", "last_report__project")
    columns = [
        Column("project", link=True, sort="project__code"),
        Column("every_weeks"),
        Column("next_due"),
        Column("active"),
        Column("last_report", sort=False),
    ]
    detail_fields = ["project", "every_weeks", "next_due", "active", "last_report", "updated_at"]


class ClientFeedbackViews(ObjectViews):
    model = ClientFeedback
    filterset_class = filters.ClientFeedbackFilterSet
    form_class = forms.ClientFeedbackForm
    icon = "chat-quote"
    allow_delete = True
    list_select_related = ("report", "report__project", "author")
    detail_select_related = ("report", "report__project", "author")
    columns = [
        Column("report", link=True, sort="report__period_end"),
        Column("text", sort=False),
        Column("rating"),
        Column("author", sort="author__full_name"),
        Column("created_at"),
    ]
    detail_fields = ["report", "text", "rating", "author", "created_at"]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return _domain(
                lambda: services.give_feedback(
                    data["report"], actor=actor, text=data["text"], rating=data["rating"]
                )
            )
        return _domain(
            lambda: services.update_feedback(obj, actor=actor, text=data["text"], rating=data["rating"])
        )


class ChangeRequestViews(CoordinationViews):
    model = ChangeRequest
    filterset_class = filters.ChangeRequestFilterSet
    form_class = forms.ChangeRequestForm
    icon = "arrow-left-right"
    detail_template = "coordination/changerequest_detail.html"
    list_select_related = ("project", "requested_by", "plan_version", "plan_version__plan")
    detail_select_related = (
        "project",
        "requested_by",
        "decided_by",
        "plan_version",
        "plan_version__plan",
    )
    columns = [
        Column("__str__", label=gettext_lazy("Change request"), sort=False, link=True),
        Column("project", sort="project__code"),
        Column("kind"),
        Column("fee_change"),
        Column("state"),
        Column("requested_by", sort="requested_by__full_name"),
        Column("created_at"),
    ]
    detail_fields = [
        "project",
        "kind",
        "description",
        "reason",
        "new_service_content",
        "new_period_end",
        "fee_change",
        "milestone_changes",
        "impact",
        "state",
        "requested_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "decision_comment",
        "plan_version",
        "implemented_at",
    ]

    @classmethod
    def extra_context(cls, obj, user) -> dict:
        return {
            "can_submit": user.has_perm("coordination.submit_changerequest", obj),
            "can_decide": user.has_perm("coordination.decide_changerequest", obj),
            "milestone_rows": obj.milestone_rows,
        }

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = {name: form.cleaned_data[name] for name in services.CHANGE_FIELDS}
        if obj is None:
            return _domain(lambda: services.request_change(form.cleaned_data["project"], actor=actor, **data))
        return _domain(lambda: services.update_change(obj, actor=actor, **data))


class ResourceRequestViews(CoordinationViews):
    model = ResourceRequest
    filterset_class = filters.ResourceRequestFilterSet
    form_class = forms.ResourceRequestForm
    icon = "people"
    detail_template = "coordination/resourcerequest_detail.html"
    list_select_related = ("project", "department", "requested_by")
    detail_select_related = ("project", "department", "department__head", "requested_by", "answered_by")
    columns = [
        Column("needed", label=gettext_lazy("What is needed"), sort=False, link=True),
        Column("project", sort="project__code"),
        Column("department", sort="department__name"),
        Column("quantity", sort=False),
        Column("needed_by"),
        Column("state"),
    ]
    detail_fields = [
        "project",
        "department",
        "needed",
        "quantity",
        "needed_by",
        "requested_by",
        "created_at",
        "state",
        "answer",
        "answered_by",
        "answered_at",
    ]

    @classmethod
    def extra_context(cls, obj, user) -> dict:
        return {"can_answer": user.has_perm("coordination.answer_resourcerequest", obj)}

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return _domain(
                lambda: services.request_resources(
                    data["project"],
                    actor=actor,
                    department=data["department"],
                    needed=data["needed"],
                    quantity=data["quantity"],
                    needed_by=data["needed_by"],
                )
            )
        return _domain(lambda: services.update_resource_request(obj, actor=actor, **_changed(form)))


# --- actions -------------------------------------------------------------------------------------


def _run(request, record, action, success: str, anchor: str = ""):
    """Run a service; a refusal is shown with its reason (400/409), a success goes back."""
    try:
        _domain(action)
    except DomainError as exc:
        return refused(request, record, exc.message, exc.status_code, record.get_absolute_url())
    messages.success(request, success)
    return HttpResponseRedirect(record.get_absolute_url() + anchor)


def _form_refused(request, record, form):
    errors = "; ".join(str(message) for errors in form.errors.values() for message in errors)
    return refused(request, record, errors, 400, record.get_absolute_url())


@login_required
@require_POST
def issue_resolve(request, pk):
    issue = visible_record(request, ProjectIssue, pk)
    form = forms.ResolveIssueForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, issue, form)
    return _run(
        request,
        issue,
        lambda: services.resolve_issue(issue, actor=request.user, resolution=form.cleaned_data["resolution"]),
        _("The issue was marked resolved."),
    )


@login_required
@require_POST
def issue_close(request, pk):
    issue = visible_record(request, ProjectIssue, pk)
    form = forms.CommentForm(request.POST)
    form.is_valid()
    return _run(
        request,
        issue,
        lambda: services.close_issue(issue, actor=request.user, comment=form.cleaned_data.get("comment", "")),
        _("The issue was closed."),
    )


@login_required
@require_POST
def issue_reopen(request, pk):
    issue = visible_record(request, ProjectIssue, pk)
    form = forms.CommentForm(request.POST)
    form.is_valid()
    return _run(
        request,
        issue,
        lambda: services.reopen_issue(
            issue, actor=request.user, comment=form.cleaned_data.get("comment", "")
        ),
        _("The issue was reopened."),
    )


@login_required
@require_POST
def report_send(request, pk):
    report = visible_record(request, ClientReport, pk)
    return _run(
        request,
        report,
        lambda: services.send_report(report, actor=request.user),
        _("The report was sent to the client."),
    )


@login_required
@require_POST
def report_feedback(request, pk):
    report = visible_record(request, ClientReport, pk)
    form = forms.ClientFeedbackForm({**request.POST.dict(), "report": report.pk}, user=request.user)
    if not form.is_valid():
        return _form_refused(request, report, form)
    return _run(
        request,
        report,
        lambda: services.give_feedback(
            report, actor=request.user, text=form.cleaned_data["text"], rating=form.cleaned_data["rating"]
        ),
        _("Thank you, your feedback was sent to the project lead."),
        "#feedback",
    )


@login_required
@require_POST
def change_submit(request, pk):
    change = visible_record(request, ChangeRequest, pk)
    form = forms.CommentForm(request.POST)
    form.is_valid()
    return _run(
        request,
        change,
        lambda: services.submit_change(
            change, actor=request.user, comment=form.cleaned_data.get("comment", "")
        ),
        _("The change request was submitted to management."),
    )


@login_required
@require_POST
def change_decide(request, pk):
    change = visible_record(request, ChangeRequest, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, change, form)
    comment = form.cleaned_data["comment"]
    if form.cleaned_data["decision"] == "approve":
        return _run(
            request,
            change,
            lambda: services.approve_change(change, actor=request.user, comment=comment),
            _("The change was approved; a new plan version was started for review."),
        )
    return _run(
        request,
        change,
        lambda: services.reject_change(change, actor=request.user, comment=comment),
        _("The change was rejected."),
    )


@login_required
@require_POST
def resource_answer(request, pk):
    resource_request = visible_record(request, ResourceRequest, pk)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, resource_request, form)
    return _run(
        request,
        resource_request,
        lambda: services.answer_resource_request(
            resource_request,
            actor=request.user,
            approved=form.cleaned_data["decision"] == "approve",
            answer=form.cleaned_data["answer"],
        ),
        _("Your answer was sent."),
    )
