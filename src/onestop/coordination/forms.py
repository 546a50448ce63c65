from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.coordination.models import (
    ChangeRequest,
    ClientFeedback,
    ClientReport,
    ClientReportSchedule,
    ProjectIssue,
    ResourceRequest,
)
from onestop.core.forms import DateInput, DecisionButtons, ModelForm
from onestop.core.roles import Role
from onestop.projects.models import Project
from onestop.projects.states import ACTIVE as ACTIVE_PROJECT_STATES


def _projects(user, *, managed=False):
    projects = Project.objects.visible_to(user).filter(state__in=ACTIVE_PROJECT_STATES)
    if managed and user is not None and not user.is_superuser and not user.has_role(Role.MANAGEMENT):
        projects = projects.filter(project_lead=user)
    return projects.order_by("code")


class ProjectIssueForm(ModelForm):
    class Meta:
        model = ProjectIssue
        fields = ["project", "title", "description", "owner", "due_date", "priority"]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["project"].disabled = True
        else:
            self.fields["project"].queryset = _projects(self.user)


class ResolveIssueForm(forms.Form):
    resolution = forms.CharField(
        label=_("How was it resolved?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ReopenForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason for reopening"),
        required=False,  # the service asks for it, next to this field
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Why is it not solved?")}),
    )


class ChangeNoteForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Note for management (optional)")}),
    )


class ClientReportForm(ModelForm):
    class Meta:
        model = ClientReport
        fields = ["project", "period_start", "period_end", "summary"]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["project"].disabled = True
        else:
            self.fields["project"].queryset = _projects(self.user, managed=True)


class ClientReportScheduleForm(ModelForm):
    class Meta:
        model = ClientReportSchedule
        fields = ["project", "every_weeks", "next_due", "active"]
        widgets = {"next_due": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["project"].disabled = True
        else:
            self.fields["project"].queryset = _projects(self.user, managed=True).filter(
                client_report_schedule__isnull=True
            )


class ClientFeedbackForm(ModelForm):
    class Meta:
        model = ClientFeedback
        fields = ["report", "text", "rating"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget = forms.Select(
            choices=[("", _("No rating")), *[(n, f"{n} ★") for n in range(5, 0, -1)]]
        )
        if self.instance.pk:
            self.fields["report"].disabled = True
        else:
            self.fields["report"].queryset = ClientReport.objects.visible_to(self.user).filter(
                state=ClientReport.State.SENT
            )


class ChangeRequestForm(ModelForm):
    class Meta:
        model = ChangeRequest
        fields = [
            "project",
            "kind",
            "description",
            "reason",
            "new_service_content",
            "new_period_end",
            "fee_change",
            "milestone_changes",
            "impact",
        ]
        widgets = {
            "new_period_end": DateInput(),
            "milestone_changes": forms.Textarea(
                attrs={"rows": 3, "placeholder": "2026-08-31 系統上線 | 上線報告"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["project"].disabled = True
        else:
            self.fields["project"].queryset = _projects(self.user, managed=True)


class FeedbackForm(forms.Form):
    """The client's answer on a sent report's page (the report is the page's)."""

    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    rating = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[("", _("No rating")), *[(n, f"{n} ★") for n in range(5, 0, -1)]],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        client = user is not None and user.client_organization_id is not None
        self.fields["text"].label = (
            _("Your feedback on this report")
            if client
            else _("Record feedback the client gave by phone or in a meeting")
        )


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Comment (required to reject)")}),
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=DecisionButtons(
            styles={"approve": "success", "reject": "outline-danger"},
            icons={"approve": "patch-check", "reject": "x-circle"},
        ),
    )


class ResourceRequestForm(ModelForm):
    class Meta:
        model = ResourceRequest
        fields = ["project", "department", "needed", "quantity", "needed_by"]
        widgets = {"needed_by": DateInput(), "needed": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["project"].disabled = True
        else:
            self.fields["project"].queryset = _projects(self.user)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Who or what you provide, from when; or why not")}
        ),
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=DecisionButtons(
            styles={"approve": "success", "decline": "outline-danger"},
            icons={"approve": "check2-circle", "decline": "x-circle"},
        ),
    )
