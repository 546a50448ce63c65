"""Forms of incentives and careers (HR-9, HR-10): the generic pages' model forms, people chosen
from the records the user may propose for."""

from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import User
from onestop.careers.models import (
    CareerLevel,
    CareerPath,
    DevelopmentPlan,
    DevelopmentReview,
    Incentive,
    Nomination,
    PositionMove,
    Recognition,
    Selection,
    Vote,
)
from onestop.core.choices import TypeaheadSelect
from onestop.core.forms import DateInput, ModelForm
from onestop.people.models import Appraisal
from onestop.projects.models import Project


def _staff_field(form, name):
    field = form.fields[name]
    field.queryset = User.objects.staff().filter(is_active=True)
    field.widget = TypeaheadSelect("accounts.User")
    field.widget.choices = field.choices


class RecognitionForm(ModelForm):
    class Meta:
        model = Recognition
        fields = ["employee", "kind", "title", "reason", "awarded_on"]
        widgets = {"awarded_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self, "employee")
        if self.instance.pk is not None:
            self.fields["employee"].disabled = True


class IncentiveForm(ModelForm):
    class Meta:
        model = Incentive
        fields = ["employee", "kind", "amount", "currency", "period", "reason", "appraisal", "project"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self, "employee")
        self.fields["appraisal"].queryset = Appraisal.objects.visible_to(self.user).select_related(
            "employee", "cycle"
        )
        self.fields["project"].queryset = Project.objects.visible_to(self.user)
        if self.instance.pk is not None:
            self.fields["employee"].disabled = True


class SelectionForm(ModelForm):
    class Meta:
        model = Selection
        fields = [
            "title",
            "period",
            "description",
            "nominations_open_on",
            "nominations_close_on",
            "voting_opens_on",
            "voting_closes_on",
            "winners",
        ]
        widgets = {
            "nominations_open_on": DateInput(),
            "nominations_close_on": DateInput(),
            "voting_opens_on": DateInput(),
            "voting_closes_on": DateInput(),
        }


class NominationForm(ModelForm):
    class Meta:
        model = Nomination
        fields = ["selection", "nominee", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self, "nominee")
        self.fields["selection"].queryset = Selection.objects.filter(state=Selection.State.NOMINATING)
        if self.instance.pk is not None:
            self.fields["selection"].disabled = True
            self.fields["nominee"].disabled = True


class VoteForm(ModelForm):
    class Meta:
        model = Vote
        fields = ["selection", "nomination"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selection"].queryset = Selection.objects.filter(state=Selection.State.VOTING)
        self.fields["nomination"].queryset = (
            Nomination.objects.filter(selection__state=Selection.State.VOTING)
            .exclude(nominee=self.user)
            .select_related("nominee", "selection")
        )
        if self.instance.pk is not None:
            self.fields["selection"].disabled = True

    def clean(self):
        data = super().clean()
        # the voter is the user; the model's own rules (not for oneself, one vote) need it
        if self.instance.pk is None and self.user is not None:
            self.instance.voter = self.user
        return data


class CareerPathForm(ModelForm):
    class Meta:
        model = CareerPath
        fields = ["name", "description"]


class CareerLevelForm(ModelForm):
    class Meta:
        model = CareerLevel
        fields = [
            "path",
            "rank",
            "title",
            "position",
            "criteria",
            "min_years",
            "required_grade",
            "required_skills",
        ]


class DevelopmentPlanForm(ModelForm):
    class Meta:
        model = DevelopmentPlan
        fields = [
            "employee",
            "superior",
            "starts_on",
            "ends_on",
            "target_level",
            "target_position",
            "goals",
            "courses",
            "next_review_on",
        ]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "next_review_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self, "employee")
        _staff_field(self, "superior")
        self.fields["superior"].required = False
        self.fields["superior"].help_text = _("Empty: the employee's direct superior.")
        if self.instance.pk is not None:
            self.fields["employee"].disabled = True


class DevelopmentReviewForm(ModelForm):
    class Meta:
        model = DevelopmentReview
        fields = ["plan", "held_on", "progress", "notes", "next_review_on"]
        widgets = {"held_on": DateInput(), "next_review_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = (
            DevelopmentPlan.objects.visible_to(self.user)
            .filter(state=DevelopmentPlan.State.AGREED)
            .select_related("employee")
        )
        if self.instance.pk is not None:
            self.fields["plan"].disabled = True


class PositionMoveForm(ModelForm):
    class Meta:
        model = PositionMove
        fields = [
            "employee",
            "kind",
            "to_position",
            "to_department",
            "target_level",
            "effective_on",
            "reason",
        ]
        widgets = {"effective_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self, "employee")
        if self.instance.pk is not None:
            self.fields["employee"].disabled = True
