from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from onestop.core import choices
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


def staff_label(user) -> str:
    """A person offered for a plan's team, with their current load on running projects."""
    return _("%(name)s · current load %(load)s%%") % {
        "name": user.display_name,
        "load": getattr(user, "current_load", 0) or 0,
    }


def _staffing_rows(user):
    if user is None or user.client_organization_id is not None:
        return get_user_model().objects.none()
    return services.staffing_candidates()


# The staffing picker's type-ahead (when there are many people): the same people, with their load.
STAFFING_SOURCE = choices.register(
    choices.ChoiceSource(
        "accounts.User",
        ("full_name", "username", "employee_no"),
        rows=_staffing_rows,
        name="plans.staffing",
        label=staff_label,
    )
)
# Up to this many people the picker is a plain list; above it, a type-ahead.
STAFFING_TYPEAHEAD_ABOVE = 40


class StaffForm(ModelForm):
    class Meta:
        model = StaffAssignment
        fields = ["user", "role", "allocation"]

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = services.staffing_candidates()
        if candidates is not None:  # evaluated once for every row of the formset
            field.choices = [("", field.empty_label), *candidates]
            field.widget.choices = field.choices
        field.label_from_instance = staff_label
        field.help_text = _("Technicians, project leads and reviewers, with their load on running projects.")

    def use_typeahead(self):
        self.fields["user"].widget = choices.TypeaheadSelect(STAFFING_SOURCE.key)
        self.fields["user"].widget.choices = self.fields["user"].choices


class StaffFormSet(forms.BaseInlineFormSet):
    """Staffing rows sharing one query for the people offered (with their load)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = list(services.staffing_candidates())
        self.typeahead = len(people) > STAFFING_TYPEAHEAD_ABOVE
        self.candidates = None if self.typeahead else [(user.pk, staff_label(user)) for user in people]

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "candidates": self.candidates}

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.typeahead:
            form.use_typeahead()
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        if self.typeahead:
            form.use_typeahead()
        return form


class BudgetLineForm(ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "amount"]


def part_formsets(data=None, instance=None):
    """The version's milestones, staffing and budget lines: the stored rows only; the page adds
    and removes rows (no fixed number of empty ones), and a removed row is deleted on save."""
    made = {}
    for prefix, model, form, base in (
        ("milestones", Milestone, MilestoneForm, forms.BaseInlineFormSet),
        ("staffing", StaffAssignment, StaffForm, StaffFormSet),
        ("budget", BudgetLine, BudgetLineForm, forms.BaseInlineFormSet),
    ):
        formset_class = forms.inlineformset_factory(
            PlanVersion, model, form=form, formset=base, extra=0, can_delete=True, fk_name="version"
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
            # The row the page copies for "Add a row" (``empty_form`` makes a new form each time).
            formset.new_row = bootstrapify(formset.empty_form)
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
