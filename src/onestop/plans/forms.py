from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from onestop.core.fields import TEXT_COMMENT, TEXT_NOTE
from onestop.core.forms import DateInput, ModelForm, bootstrapify
from onestop.core.roles import Role
from onestop.engagements.models import Engagement
from onestop.plans import services
from onestop.plans.models import BudgetLine, Milestone, Plan, PlanReview, PlanVersion, StaffAssignment


def _staff(role=None):
    users = get_user_model().objects
    return users.with_role(role) if role else users.staff()


class PlanForm(ModelForm):
    """Management opens a plan for a confirmed engagement and names its project lead."""

    class Meta:
        model = Plan
        fields = ["engagement", "title", "project_lead"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["project_lead"].queryset = _staff(Role.PROJECT_LEAD)
        if self.instance.pk:
            self.fields.pop("engagement")
        else:
            self.fields["engagement"].queryset = Engagement.objects.filter(
                stage=Engagement.Stage.CONFIRMED, plan__isnull=True
            )


class VersionForm(ModelForm):
    class Meta:
        model = PlanVersion
        fields = [*PlanVersion.CONTENT, "change_note"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}


class MilestoneForm(ModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "due_date", "deliverables"]
        widgets = {"due_date": DateInput(), "deliverables": forms.TextInput()}


class StaffForm(ModelForm):
    class Meta:
        model = StaffAssignment
        fields = ["user", "role", "allocation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _staff()


class BudgetLineForm(ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "amount"]


def part_formsets(data=None, instance=None):
    made = {}
    for prefix, model, form in (
        ("milestones", Milestone, MilestoneForm),
        ("staffing", StaffAssignment, StaffForm),
        ("budget", BudgetLine, BudgetLineForm),
    ):
        formset_class = forms.inlineformset_factory(
            PlanVersion, model, form=form, extra=2, can_delete=True, fk_name="version"
        )
        made[prefix] = formset_class(data, instance=instance, prefix=prefix)
    return made


def _rows(formset) -> list[dict]:
    rows = []
    for sub in formset.forms:
        data = getattr(sub, "cleaned_data", None)
        if not data or data.get("DELETE") or (not sub.has_changed() and not sub.instance.pk):
            continue
        rows.append({name: value for name, value in data.items() if name not in ("id", "version", "DELETE")})
    return rows


class VersionEditForm(VersionForm):
    """A draft version's content with its milestones, staffing and cost budget, in one form:
    valid when every part is; ``cleaned_data["parts"]`` holds each part's rows."""

    def __init__(self, data=None, files=None, *, instance, **kwargs):
        super().__init__(data, files, instance=instance, **kwargs)
        self.parts = part_formsets(data, instance=instance)
        for sub in self.parts["milestones"].forms:
            # The milestones are checked against the period being entered, not the stored one.
            sub.instance.version = instance

    def is_valid(self) -> bool:
        valid = [super().is_valid(), *(formset.is_valid() for formset in self.parts.values())]
        if not all(valid):
            return False
        self.cleaned_data["parts"] = {prefix: _rows(formset) for prefix, formset in self.parts.items()}
        return True

    def bootstrapped_parts(self) -> dict:
        for formset in self.parts.values():
            for sub in formset.forms:
                bootstrapify(sub)
        return self.parts


class GroupedCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes whose options carry their group's name, so the form template can head each group."""

    def options(self, name, value, attrs=None):
        for group_name, options, _index in self.optgroups(name, value, attrs):
            for position, option in enumerate(options):
                option["group"] = group_name
                option["group_start"] = bool(group_name) and position == 0
                yield option


class SubmitForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        queryset=_staff(Role.REVIEWER), label=_("Review panel"), widget=GroupedCheckboxSelectMultiple
    )
    comment = forms.CharField(
        max_length=TEXT_COMMENT,
        label=_("Note to the reviewers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = services.reviewer_candidates()
        if version is not None:
            # PLN-2: suggestions by department, the departments of the plan's staffing first.
            self.fields["reviewers"].choices = [
                (self._group_label(group), [(user.pk, user.display_name) for user in group["reviewers"]])
                for group in services.reviewer_suggestions(version)
            ]
            self.fields["reviewers"].help_text = _(
                "Reviewers are grouped by department; the departments of this plan's staffing come first."
            )

    @staticmethod
    def _group_label(group):
        if group["department"] is None:
            return _("No department")
        if group["relevant"]:
            return _("%(department)s (staffing of this plan)") % {"department": group["department"].name}
        return group["department"].name


class ReviewForm(forms.Form):
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=PlanReview.Recommendation.choices)
    comments = forms.CharField(
        max_length=TEXT_NOTE, label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria_set = criteria_set
        for criterion in criteria_set.criterion_list():
            self.fields[f"score_{criterion.code}"] = forms.IntegerField(
                label=criterion.label,
                min_value=criteria_set.scale_min,
                max_value=criteria_set.scale_max,
                help_text=_("weight %(weight)s") % {"weight": criterion.weight},
            )
        self.order_fields([f for f in self.fields if f.startswith("score_")])

    def scores(self):
        return {
            name.removeprefix("score_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("score_")
        }


class DecisionForm(forms.Form):
    comment = forms.CharField(
        max_length=TEXT_COMMENT, label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NewVersionForm(forms.Form):
    change_note = forms.CharField(
        max_length=TEXT_NOTE,
        label=_("What will change and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
