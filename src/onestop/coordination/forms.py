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
from onestop.core.forms import DateInput, ModelForm

ACTIVE_PROJECT_STATES = ("opened", "in_progress")


def _projects(user, *, managed=False):
    from onestop.projects.models import Project

    projects = Project.objects.visible_to(user).filter(state__in=ACTIVE_PROJECT_STATES)
    if managed and user is not None and not user.is_superuser and not user.has_role("management"):
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
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


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


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])


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
    answer = forms.CharField(label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
