from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from onestop.acceptance.models import (
    AcceptanceCriterion,
    AcceptanceDeliverable,
    AcceptanceProblem,
    AcceptanceResult,
    AcceptanceRound,
    AcceptanceTeamMember,
    ChecklistItem,
    Conclusion,
    Method,
)
from onestop.core.fields import TEXT_LONG
from onestop.core.forms import DateInput, ModelForm
from onestop.projects.models import Milestone, Project


def _rounds(user):
    return AcceptanceRound.objects.visible_to(user).select_related("project")


class ApplyForm(forms.Form):
    """ACC-1: the acceptance application of a completed project (or of one paid milestone)."""

    project = forms.ModelChoiceField(label=_("Project"), queryset=None)
    milestone = forms.ModelChoiceField(
        label=_("Milestone"),
        queryset=None,
        required=False,
        help_text=_(
            "Leave empty for the whole project; a milestone only where the contract ties a payment to it."
        ),
    )
    service_content = forms.CharField(
        max_length=TEXT_LONG,
        label=_("Service content"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Empty: the contract's scope items."),
    )
    self_assessment = forms.CharField(
        max_length=TEXT_LONG, label=_("Self-assessment conclusion"), widget=forms.Textarea(attrs={"rows": 3})
    )
    deliverables = forms.CharField(
        max_length=TEXT_LONG,
        label=_("Deliverables"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One per line: name：description."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["project"].queryset = Project.objects.visible_to(user).filter(
            state__in=[Project.State.IN_PROGRESS, Project.State.COMPLETED]
        )
        self.fields["milestone"].queryset = Milestone.objects.visible_to(user).select_related("project")

    def clean(self):
        data = super().clean()
        milestone, project = data.get("milestone"), data.get("project")
        if milestone is not None and project is not None and milestone.project_id != project.pk:
            self.add_error("milestone", _("The milestone belongs to another project."))
        return data


class RoundForm(ModelForm):
    class Meta:
        model = AcceptanceRound
        fields = ["service_content", "self_assessment"]


class RowForm(ModelForm):
    """A row of a round; the round is chosen among those the user can see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "round" in self.fields:
            self.fields["round"].queryset = _rounds(self.user)
        if self.instance.pk and "round" in self.fields:
            self.fields["round"].disabled = True


class DeliverableForm(RowForm):
    class Meta:
        model = AcceptanceDeliverable
        fields = ["round", "name", "description", "delivered_on"]
        widgets = {"delivered_on": DateInput()}


class TeamMemberForm(RowForm):
    class Meta:
        model = AcceptanceTeamMember
        fields = ["round", "user", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(client_organization__isnull=False, is_active=True)
        if self.user is not None and self.user.client_organization_id is not None:
            users = users.filter(client_organization_id=self.user.client_organization_id)
        self.fields["user"].queryset = users.order_by("full_name", "username")


class ChecklistItemForm(RowForm):
    class Meta:
        model = ChecklistItem
        fields = ["round", "kind", "text", "note"]


class CriterionForm(RowForm):
    class Meta:
        model = AcceptanceCriterion
        fields = ["round", "number", "text", "source"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class ResultForm(RowForm):
    class Meta:
        model = AcceptanceResult
        fields = ["round", "criterion", "method", "passed", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = AcceptanceCriterion.objects.visible_to(self.user).select_related(
            "round__project"
        )


class ProblemForm(RowForm):
    class Meta:
        model = AcceptanceProblem
        fields = ["round", "description", "requirement", "owner", "due_date"]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.staff().order_by("full_name", "username")


# --- actions on the round page ------------------------------------------------------------------


class TeamMemberAddForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Member"), queryset=None)
    role = forms.CharField(label=_("Role in the team"), max_length=100)

    def __init__(self, *args, acceptance_round=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.of_client(acceptance_round.project.engagement.client_id)
            .order_by("full_name", "username")
        )


class TextForm(forms.Form):
    text = forms.CharField(label=_("Item"), max_length=300)


class TickForm(forms.Form):
    """Tick (or untick) one preparation item; without ``done`` the item is ticked."""

    done = forms.TypedChoiceField(
        label=_("Done"),
        choices=[("1", _("Tick")), ("0", _("Untick"))],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=True,
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, empty_value=None)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class ResultRowForm(forms.Form):
    criterion = forms.IntegerField(min_value=1)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Pass")), ("0", _("Fail"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class ProblemAddForm(forms.Form):
    description = forms.CharField(
        label=_("Problem"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    requirement = forms.CharField(
        label=_("Rectification requirement"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=Conclusion.choices)
    summary = forms.CharField(
        label=_("Acceptance conclusion"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due_date = forms.DateField(label=_("Rectify by"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.staff().order_by("full_name", "username")


class FixForm(forms.Form):
    fix = forms.CharField(
        label=_("Rectification done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
