from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from onestop.core.fields import TEXT_LONG, TEXT_NOTE, TEXT_REPORT
from onestop.core.forms import DateInput, ModelForm
from onestop.core.roles import Role
from onestop.projects.models import Milestone, Project, ProjectMember, Task
from onestop.projects.services import openable_contracts


def staff_users():
    return get_user_model().objects.staff().order_by("full_name", "username")


def project_leads():
    return get_user_model().objects.with_role(Role.PROJECT_LEAD)


class OpenProjectForm(forms.Form):
    """PRJ-1: open a project from a signed contract without one."""

    contract = forms.ModelChoiceField(
        queryset=None,
        label=_("Signed contract"),
        help_text=_("Signed contracts whose engagement has no project yet."),
    )
    project_lead = forms.ModelChoiceField(
        queryset=None,
        label=_("Project lead"),
        required=False,
        help_text=_("Leave empty to take the project lead of the service plan."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["contract"].queryset = openable_contracts(user)
        self.fields["contract"].label_from_instance = lambda c: (
            f"{c.code} · {c.engagement.title} · {c.engagement.client}"
        )
        self.fields["project_lead"].queryset = project_leads()


class ProjectForm(ModelForm):
    class Meta:
        model = Project
        fields = ["name", "project_lead", "planned_start", "planned_end", "progress_period_days"]
        widgets = {"planned_start": DateInput(), "planned_end": DateInput()}


class MilestoneForm(ModelForm):
    class Meta:
        model = Milestone
        fields = ["project", "name", "planned_date", "deliverables"]
        widgets = {"planned_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.visible_to(self.user)
        if self.instance.pk:
            self.fields["project"].disabled = True


class ProjectMemberForm(ModelForm):
    class Meta:
        model = ProjectMember
        fields = ["project", "user", "role", "allocation", "responsibilities"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.visible_to(self.user)
        self.fields["user"].queryset = staff_users()
        if self.instance.pk:
            self.fields["project"].disabled = True


class TaskForm(ModelForm):
    class Meta:
        model = Task
        fields = [
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
        widgets = {
            "planned_start": DateInput(),
            "planned_end": DateInput(),
            "actual_start": DateInput(),
            "actual_end": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        projects = Project.objects.visible_to(self.user)
        self.fields["project"].queryset = projects
        project_id = (
            self.instance.project_id if self.instance.pk else (self.data or self.initial).get("project")
        )
        milestones = Milestone.objects.select_related("project").filter(project__in=projects)
        members = ProjectMember.objects.select_related("user", "project").filter(project__in=projects)
        tasks = Task.objects.select_related("project").filter(project__in=projects)
        if project_id and str(project_id).isdigit():
            milestones = milestones.filter(project_id=project_id)
            members = members.filter(project_id=project_id)
            tasks = tasks.filter(project_id=project_id)
        if self.instance.pk:
            self.fields["project"].disabled = True
            tasks = tasks.exclude(pk=self.instance.pk)
        self.fields["milestone"].queryset = milestones
        self.fields["assignee"].queryset = members
        self.fields["depends_on"].queryset = tasks
        self.fields["depends_on"].required = False


class KickoffForm(forms.Form):
    """PRJ-1: the kickoff meeting, its attendees and the responsibility matrix."""

    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    location = forms.CharField(label=_("Location"), max_length=200)
    attendees = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Attendees"), widget=forms.CheckboxSelectMultiple
    )
    goals = forms.CharField(
        max_length=TEXT_LONG, label=_("Project goals communicated"), widget=forms.Textarea(attrs={"rows": 3})
    )
    tasks_communicated = forms.CharField(
        max_length=TEXT_LONG, label=_("Tasks communicated"), widget=forms.Textarea(attrs={"rows": 3})
    )
    requirements = forms.CharField(
        max_length=TEXT_LONG,
        label=_("Requirements communicated"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minutes = forms.CharField(
        max_length=TEXT_REPORT, label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.members = list(project.members.select_related("user").order_by("pk"))
        self.fields["attendees"].queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(pk__in=[m.user_id for m in self.members] + [project.project_lead_id])
        )
        self.fields["attendees"].label_from_instance = lambda user: user.display_name
        if not self.is_bound:
            self.initial.setdefault("attendees", [m.user_id for m in self.members])
        for member in self.members:
            self.fields[f"responsibility_{member.pk}"] = forms.CharField(
                label=f"{member.user.display_name}（{member.role}）",
                required=False,
                max_length=TEXT_NOTE,
                initial=member.responsibilities,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def responsibility_fields(self):
        return [self[f"responsibility_{member.pk}"] for member in self.members]

    def responsibilities(self) -> dict:
        return {
            member.pk: self.cleaned_data.get(f"responsibility_{member.pk}", "") for member in self.members
        }


class MarkDoneForm(forms.Form):
    """A member marks a row of their own task done; the day defaults to today."""

    done_on = forms.DateField(label=_("Done on"), required=False, widget=DateInput())


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Review comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(
        choices=[("review", _("Mark as reviewed")), ("return", _("Return for correction"))], required=False
    )

    def clean_decision(self):
        return self.cleaned_data.get("decision") or "review"


class CompleteForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Comment"), "aria-label": _("Comment")}),
    )
