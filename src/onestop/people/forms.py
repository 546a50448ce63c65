from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import User
from onestop.core.choices import TypeaheadSelect
from onestop.core.fields import TEXT_COMMENT, TEXT_NOTE
from onestop.core.forms import DateInput, ModelForm
from onestop.people.models import (
    Appraisal,
    CheckIn,
    Course,
    Cycle,
    Enrolment,
    ImprovementPlan,
    Indicator,
    IndicatorTemplate,
    Outcome,
    PersonSkill,
    ResultAction,
    Skill,
    TrainingSession,
)
from onestop.resources.models import Article


def _staff_field(form, name):
    field = form.fields[name]
    field.queryset = User.objects.staff().filter(is_active=True)
    field.widget = TypeaheadSelect("accounts.User")
    field.widget.choices = field.choices


class IndicatorTemplateForm(ModelForm):
    class Meta:
        model = IndicatorTemplate
        fields = ["position", "title", "is_active", "notes"]


class IndicatorForm(ModelForm):
    class Meta:
        model = Indicator
        fields = ["template", "category", "name", "weight", "target", "target_value", "source", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a template not used yet takes indicators; a used one gets a new version.
        self.fields["template"].queryset = IndicatorTemplate.objects.filter(first_used_at__isnull=True)


class CycleForm(ModelForm):
    class Meta:
        model = Cycle
        fields = [
            "kind",
            "year",
            "number",
            "self_assessment",
            "rollup_method",
            "part_weights",
            "rollup_share",
            "due_on",
        ]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["year"].initial = timezone.localdate().year
        else:
            for name in ("kind", "year", "number", "self_assessment"):
                self.fields[name].disabled = True


class ScoreForm(forms.Form):
    """The superior's scores: a score (0–100) and a comment per indicator, built per appraisal."""

    overall = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=TEXT_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    submit = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, appraisal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in appraisal.scores.all() if appraisal is not None else []:
            self.fields[f"score_{row.pk}"] = forms.IntegerField(
                label=row.indicator.name, required=False, min_value=0, max_value=100, initial=row.score
            )
            self.fields[f"comment_{row.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=TEXT_COMMENT,
                initial=row.comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.rows.append(row)
        if appraisal is not None:
            self.fields["overall"].initial = appraisal.superior_comment

    def scores(self):
        data = self.cleaned_data
        return {
            row.pk: (data.get(f"score_{row.pk}"), data.get(f"comment_{row.pk}") or "") for row in self.rows
        }


class SelfAssessmentForm(forms.Form):
    comment = forms.CharField(
        label=_("Your self-assessment"),
        required=False,
        max_length=TEXT_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, appraisal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(appraisal.scores.all()) if appraisal is not None else []
        for row in self.rows:
            self.fields[f"self_{row.pk}"] = forms.IntegerField(
                label=row.indicator.name, required=False, min_value=0, max_value=100, initial=row.self_score
            )

    def scores(self):
        return {row.pk: self.cleaned_data.get(f"self_{row.pk}") for row in self.rows}


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Your comment"),
        required=False,
        max_length=TEXT_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you appeal"), max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(forms.Form):
    comment = forms.CharField(label=_("Note"), required=False, max_length=TEXT_COMMENT)


class ResultActionForm(ModelForm):
    class Meta:
        model = ResultAction
        fields = ["appraisal", "kind", "reason", "amount", "new_position", "effective_on"]
        widgets = {"effective_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appraisal"].queryset = (
            Appraisal.objects.visible_to(self.user)
            .exclude(employee=self.user)
            .select_related("employee", "cycle")
        )
        if self.instance.pk is not None:
            self.fields["appraisal"].disabled = True


class DecideForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=TEXT_COMMENT)


class ImprovementPlanForm(ModelForm):
    class Meta:
        model = ImprovementPlan
        fields = ["employee", "superior", "appraisal", "starts_on", "ends_on", "goals", "support"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self, "employee")
        _staff_field(self, "superior")
        self.fields["superior"].required = False
        self.fields["superior"].help_text = _("Empty: the employee's direct superior.")
        self.fields["appraisal"].queryset = Appraisal.objects.visible_to(self.user).select_related(
            "employee", "cycle"
        )
        if self.instance.pk is not None:
            self.fields["employee"].disabled = True


class CheckInForm(ModelForm):
    class Meta:
        model = CheckIn
        fields = ["plan", "held_on", "progress", "notes"]
        widgets = {"held_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = ImprovementPlan.objects.visible_to(self.user).select_related(
            "employee"
        )


class PlanCheckInForm(forms.Form):
    held_on = forms.DateField(label=_("held on"), widget=DateInput())
    progress = forms.ChoiceField(label=_("progress"), choices=CheckIn.Progress.choices)
    notes = forms.CharField(label=_("notes"), max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Outcome.choices)
    note = forms.CharField(
        label=_("outcome note"), max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class SkillForm(ModelForm):
    class Meta:
        model = Skill
        fields = ["name", "category", "description"]


class PersonSkillForm(ModelForm):
    class Meta:
        model = PersonSkill
        fields = ["employee", "skill", "level", "source", "assessed_on", "evidence"]
        widgets = {"assessed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self, "employee")


class CourseForm(ModelForm):
    class Meta:
        model = Course
        fields = [
            "title",
            "kind",
            "provider",
            "hours",
            "skill",
            "level_awarded",
            "certificate_months",
            "description",
            "articles",
        ]
        widgets = {"articles": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["articles"].queryset = Article.objects.filter(state=Article.State.PUBLISHED).order_by(
            "title"
        )


class TrainingSessionForm(ModelForm):
    class Meta:
        model = TrainingSession
        fields = ["course", "starts_on", "ends_on", "trainer", "location", "capacity"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}


class EnrolmentForm(ModelForm):
    class Meta:
        model = Enrolment
        fields = ["session", "employee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self, "employee")
        self.fields["session"].queryset = TrainingSession.objects.select_related("course").filter(
            starts_on__gte=timezone.localdate()
        ) | TrainingSession.objects.filter(pk=self.instance.session_id or 0)
        if self.user is not None and not self.initial.get("employee"):
            self.initial["employee"] = self.user.pk
        self.fields["employee"].help_text = _("Enrolling yourself asks your superior's approval.")


class ResultForm(forms.Form):
    score = forms.DecimalField(
        label=_("assessment score"), required=False, min_value=0, max_value=100, decimal_places=1
    )
    passed = forms.TypedChoiceField(
        label=_("result"), choices=[("1", _("Passed")), ("0", _("Not passed"))], coerce=lambda v: v == "1"
    )
    certificate_no = forms.CharField(label=_("certificate number"), required=False, max_length=50)


class SkillSearchForm(forms.Form):
    skill = forms.ModelChoiceField(label=_("Skill"), queryset=Skill.objects.all())
    level = forms.IntegerField(label=_("Level at least"), min_value=1, max_value=5, initial=3)
    month = forms.DateField(
        label=_("Free in (month)"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    free = forms.IntegerField(
        label=_("Free capacity at least (%)"), min_value=0, max_value=100, initial=20, required=False
    )
