"""Forms of the pages (the API has its serializers in api.py; both end in services.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import Department, User
from onestop.core.choices import TypeaheadSelect
from onestop.core.forms import DateInput, ModelForm
from onestop.costs import rules as r
from onestop.costs.models import (
    Allocation,
    CostRate,
    Expense,
    Purchase,
    ReallocationRequest,
    TeamActivity,
    TeamParticipant,
    Timesheet,
)
from onestop.costs.services import WORKING_STATES
from onestop.projects.models import Project, Task


def working_projects(user):
    return Project.objects.visible_to(user).filter(state__in=WORKING_STATES).order_by("code")


def allocatable_projects(user):
    """HR and management staff every project; a project lead their own (and any they see)."""
    if user is not None and r.allocates(user):
        return Project.objects.filter(state__in=WORKING_STATES).order_by("code")
    return working_projects(user)


def _staff_field(form, name="user"):
    field = form.fields[name]
    field.queryset = User.objects.staff()
    field.widget = TypeaheadSelect("accounts.User")
    field.widget.choices = field.choices


class AllocationForm(ModelForm):
    class Meta:
        model = Allocation
        fields = ["project", "user", "role", "percent", "start", "end", "note"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = allocatable_projects(self.user)
        _staff_field(self)


class ReallocationRequestForm(ModelForm):
    class Meta:
        model = ReallocationRequest
        fields = ["project", "user", "role", "percent", "start", "end", "reason"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = working_projects(self.user)
        _staff_field(self)
        if self.instance.pk:
            for name in ("project", "user"):
                self.fields[name].disabled = True


class TeamActivityForm(ModelForm):
    class Meta:
        model = TeamActivity
        fields = ["kind", "title", "department", "held_on", "location", "cost", "description"]
        widgets = {"held_on": DateInput()}


class TeamParticipantForm(ModelForm):
    class Meta:
        model = TeamParticipant
        fields = ["activity", "user", "attended", "rating", "feedback"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self)
        self.fields["activity"].queryset = TeamActivity.objects.visible_to(self.user)
        if self.instance.pk:
            self.fields["activity"].disabled = True
            self.fields["user"].disabled = True


class CostRateForm(ModelForm):
    class Meta:
        model = CostRate
        fields = ["position", "hourly_rate", "effective_from", "note"]
        widgets = {"effective_from": DateInput()}


class TimesheetForm(ModelForm):
    class Meta:
        model = Timesheet
        fields = ["project", "task", "day", "hours", "description"]
        widgets = {"day": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        projects = working_projects(self.user)
        self.fields["project"].queryset = projects
        self.fields["task"].queryset = Task.objects.filter(project__in=projects.values("pk")).select_related(
            "project"
        )
        self.fields["hours"].help_text = _("In hours, by quarters (e.g. 7.5).")


class ExpenseForm(ModelForm):
    receipt = forms.FileField(
        label=_("Receipt"), required=False, help_text=_("A photo or PDF of the receipt.")
    )

    class Meta:
        model = Expense
        fields = ["project", "category", "description", "amount", "spent_on"]
        widgets = {"spent_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = working_projects(self.user)
        if self.instance.pk:
            del self.fields["receipt"]  # further receipts go in the attachments panel


class PurchaseForm(ModelForm):
    class Meta:
        model = Purchase
        fields = ["project", "category", "item", "supplier", "amount", "purchased_on", "note"]
        widgets = {"purchased_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = working_projects(self.user)


class HeatmapForm(forms.Form):
    start = forms.DateField(label=_("From the week of"), required=False, widget=DateInput())
    weeks = forms.IntegerField(label=_("Weeks"), required=False, min_value=1, max_value=26)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("sort_order", "name")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class RollupForm(forms.Form):
    month = forms.DateField(
        label=_("Month"), required=False, widget=MonthInput(), input_formats=["%Y-%m", "%Y-%m-%d"]
    )
