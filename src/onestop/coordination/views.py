"""Pages of the coordination stage (PRJ-3): the generic list/detail/edit pages, and each record's
actions (``RecordAction``); every write goes through coordination.services, like the API."""

from django.utils.translation import gettext_lazy as _

from onestop.coordination import filters, forms, services
from onestop.coordination.models import (
    ChangeRequest,
    ClientFeedback,
    ClientReport,
    ClientReportSchedule,
    ProjectIssue,
    ResourceRequest,
)
from onestop.coordination.states import ChangeRequestState, ClientReportState
from onestop.core.actions import RecordAction, calls
from onestop.core.forms import CommentForm
from onestop.core.views import Column, ObjectViews


def _changed(form) -> dict:
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if name not in ("project", "change_reason")
    }


class ProjectIssueViews(ObjectViews):
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

    actions = [
        RecordAction(
            "resolve",
            calls(services.resolve_issue),
            form=forms.ResolveIssueForm,
            form_kwargs=lambda issue, user: {"auto_id": "%s"},
            transition="resolve",
            success=_("The issue was marked resolved."),
        ),
        RecordAction(
            "close",
            calls(services.close_issue),
            form=CommentForm,
            transition="close",
            success=_("The issue was closed."),
        ),
        RecordAction(
            "reopen",
            calls(services.reopen_issue),
            form=forms.ReopenForm,
            transition="reopen",
            success=_("The issue was reopened."),
        ),
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return services.raise_issue(
                data["project"],
                actor=actor,
                title=data["title"],
                description=data["description"],
                owner=data["owner"],
                due_date=data["due_date"],
                priority=data["priority"],
            )
        return services.update_issue(obj, actor=actor, **_changed(form))


class ClientReportViews(ObjectViews):
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

    actions = [
        RecordAction(
            "send",
            calls(services.send_report),
            transition="send",
            success=_("The report was sent to the client."),
        ),
        RecordAction(
            "feedback",
            calls(services.give_feedback),
            form=forms.FeedbackForm,
            form_kwargs=lambda report, user: {"user": user, "auto_id": "feedback-%s"},
            when=lambda report, user: (
                report.state == ClientReportState.SENT and user.has_perm("coordination.add_clientfeedback")
            ),
            success=_("Thank you, your feedback was sent to the project lead."),
            anchor="#feedback",
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        return {"feedback": list(obj.feedback.select_related("author").order_by("created_at", "pk"))}

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return services.prepare_report(
                data["project"],
                actor=actor,
                period_start=data["period_start"],
                period_end=data["period_end"],
                summary=data["summary"],
            )
        fields = {name: data[name] for name in ("period_start", "period_end", "summary")}
        return services.update_report(obj, actor=actor, **fields)


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
            return services.give_feedback(
                data["report"], actor=actor, text=data["text"], rating=data["rating"]
            )
        return services.update_feedback(obj, actor=actor, text=data["text"], rating=data["rating"])


class ChangeRequestViews(ObjectViews):
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
        Column("__str__", label=_("Change request"), sort=False, link=True),
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

    actions = [
        RecordAction(
            "submit",
            calls(services.submit_change),
            form=forms.ChangeNoteForm,
            transition="submit",
            success=_("The change request was submitted to management."),
        ),
        RecordAction(
            "decide",
            lambda change, request, data: (
                services.approve_change if data["decision"] == "approve" else services.reject_change
            )(change, actor=request.user, comment=data["comment"]),
            form=forms.DecisionForm,
            transition="approve",  # approve and reject: the same state and permission
            success=lambda change, result: (
                _("The change was approved; a new plan version was started for review.")
                if result.state == ChangeRequestState.APPROVED
                else _("The change was rejected.")
            ),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        return {"milestone_rows": obj.milestone_rows}

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = {name: form.cleaned_data[name] for name in services.CHANGE_FIELDS}
        if obj is None:
            return services.request_change(form.cleaned_data["project"], actor=actor, **data)
        return services.update_change(obj, actor=actor, **data)


class ResourceRequestViews(ObjectViews):
    model = ResourceRequest
    filterset_class = filters.ResourceRequestFilterSet
    form_class = forms.ResourceRequestForm
    icon = "people"
    detail_template = "coordination/resourcerequest_detail.html"
    list_select_related = ("project", "department", "requested_by")
    detail_select_related = ("project", "department", "department__head", "requested_by", "answered_by")
    columns = [
        Column("needed", label=_("What is needed"), sort=False, link=True),
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

    actions = [
        RecordAction(
            "answer",
            lambda resource_request, request, data: services.answer_resource_request(
                resource_request,
                actor=request.user,
                approved=data["decision"] == "approve",
                answer=data["answer"],
            ),
            form=forms.AnswerForm,
            transition="approve",  # approve and decline: the same state and permission
            success=_("Your answer was sent."),
        ),
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return services.request_resources(
                data["project"],
                actor=actor,
                department=data["department"],
                needed=data["needed"],
                quantity=data["quantity"],
                needed_by=data["needed_by"],
            )
        return services.update_resource_request(obj, actor=actor, **_changed(form))
