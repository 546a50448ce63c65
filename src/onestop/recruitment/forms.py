"""Forms of recruitment and onboarding (HR-1..HR-3). People are picked with a type-ahead."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import User
from onestop.core.choices import TypeaheadSelect
from onestop.core.forms import DateInput, ModelForm
from onestop.projects.models import Project
from onestop.recruitment import services, states
from onestop.recruitment.models import (
    Candidate,
    HiringNeed,
    Interview,
    Onboarding,
    OnboardingPart,
    Posting,
    criteria_list,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _staff(user):
    return User.objects.visible_to(user).staff()


def _person(field, user):
    field.widget = TypeaheadSelect("accounts.User")
    field.queryset = _staff(user)  # after the widget: the setter hands it the choices (the chosen one shows)
    return field


class HiringNeedForm(ModelForm):
    class Meta:
        model = HiringNeed
        fields = [
            "position",
            "department",
            "headcount",
            "education",
            "years_experience",
            "skills",
            "certificates",
            "criteria",
            "reason",
            "project",
            "replaces",
            "justification",
            "target_date",
            "hiring_manager",
        ]
        widgets = {
            "target_date": DateInput(),
            "skills": forms.Textarea(attrs={"rows": 3}),
            "criteria": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = self.fields["position"].queryset.select_related("department")
        self.fields["project"].widget = TypeaheadSelect("projects.Project")
        self.fields["project"].queryset = Project.objects.visible_to(self.user)
        _person(self.fields["replaces"], self.user)
        _person(self.fields["hiring_manager"], self.user)
        self.fields["hiring_manager"].required = False
        self.fields["hiring_manager"].help_text = _(
            "The department head who asks for the position; empty: the head of the department."
        )
        # The suggestion: the staffing gap of approved plans and running projects (services).
        self.staffing_gap = services.staffing_gap() if self.instance.pk is None else []

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("hiring_manager") and cleaned.get("department") is not None:
            head = cleaned["department"].head or self.user
            cleaned["hiring_manager"] = head
            self.instance.hiring_manager = head
        return cleaned


class PostingForm(ModelForm):
    class Meta:
        model = Posting
        fields = ["need", "channel", "title", "where", "url", "published_on", "closes_on", "notes"]
        widgets = {"published_on": DateInput(), "closes_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        needs = HiringNeed.objects.visible_to(self.user).select_related("position")
        if self.instance.pk is None:
            needs = needs.filter(state__in=states.NEED_OPEN)
        self.fields["need"].queryset = needs


class CandidateForm(ModelForm):
    class Meta:
        model = Candidate
        fields = [
            "need",
            "full_name",
            "phone",
            "email",
            "education",
            "school",
            "years_experience",
            "current_employer",
            "source",
            "posting",
            "referrer",
            "resume",
            "applied_on",
        ]
        widgets = {"applied_on": DateInput(), "resume": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        needs = HiringNeed.objects.visible_to(self.user).select_related("position")
        if "need" in self.fields:
            self.fields["need"].queryset = needs.filter(state__in=states.NEED_OPEN)
        postings = Posting.objects.visible_to(self.user).select_related("need")
        if self.instance.pk is not None:
            postings = postings.filter(need_id=self.instance.need_id)
        self.fields["posting"].queryset = postings.filter(need__state__in=states.NEED_OPEN)
        _person(self.fields["referrer"], self.user)


class CandidateEditForm(CandidateForm):
    class Meta(CandidateForm.Meta):
        fields = [name for name in CandidateForm.Meta.fields if name != "need"]


class InterviewForm(ModelForm):
    class Meta:
        model = Interview
        fields = ["candidate", "round", "interviewer", "scheduled_at", "place"]
        widgets = {"scheduled_at": DATETIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheduled_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        candidates = Candidate.objects.visible_to(self.user).select_related("need__position")
        if self.instance.pk is None:
            candidates = candidates.filter(stage__in=(states.Stage.SCREENING, states.Stage.INTERVIEW))
        else:
            self.fields["candidate"].disabled = True
        self.fields["candidate"].queryset = candidates
        _person(self.fields["interviewer"], self.user)


class ScoreForm(forms.Form):
    """One score (1–5) and one comment per criterion of the opening, a recommendation, a summary."""

    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Interview.Recommendation.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("Overall comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        choices = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]
        for index, criterion in enumerate(self.criteria):
            self.fields[f"score_{index}"] = forms.TypedChoiceField(
                label=_("%(criterion)s: score (1–5)") % {"criterion": criterion}, choices=choices, coerce=int
            )
            self.fields[f"comment_{index}"] = forms.CharField(
                label=_("%(criterion)s: comment") % {"criterion": criterion},
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields([*(f for i in range(len(self.criteria)) for f in (f"score_{i}", f"comment_{i}"))])

    def pairs(self):
        return [(c, self[f"score_{i}"], self[f"comment_{i}"]) for i, c in enumerate(self.criteria)]

    def clean(self):
        cleaned = super().clean()
        cleaned["scores"] = [
            {
                "criterion": criterion,
                "score": cleaned.get(f"score_{index}"),
                "comment": cleaned.get(f"comment_{index}", ""),
            }
            for index, criterion in enumerate(self.criteria)
        ]
        return cleaned


def score_form_kwargs(interview, user) -> dict:
    return {"criteria": criteria_list(interview.candidate.need.criteria)}


class RecordTestForm(forms.Form):
    score = forms.DecimalField(
        label=_("Written test score (0–100)"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=1
    )
    note = forms.CharField(
        label=_("Notes on the test"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposeOfferForm(forms.Form):
    background_note = forms.CharField(
        label=_("Background check result"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Previous employers, qualifications and certificates verified; anything found."),
    )
    salary = forms.DecimalField(
        label=_("Offered monthly salary"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    superior = forms.ModelChoiceField(label=_("Superior"), queryset=User.objects.none())
    terms = forms.CharField(
        label=_("Other terms"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        _person(self.fields["superior"], user)


class HireForm(forms.Form):
    username = forms.CharField(
        label=_("Log-in name of the new account"),
        max_length=150,
        help_text=_("The account gets no password: the new colleague sets one with “Forgot password”."),
    )
    employee_no = forms.CharField(label=_("Employee number"), max_length=30, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class OnboardingPartForm(ModelForm):
    class Meta:
        model = OnboardingPart
        fields = ["topic", "title", "content", "order", "due_days", "has_test", "pass_score", "is_active"]


class OnboardingForm(ModelForm):
    class Meta:
        model = Onboarding
        fields = ["user", "superior", "start_date"]
        widgets = {"start_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            _person(self.fields["user"], self.user)
            self.fields["user"].queryset = self.fields["user"].queryset.filter(onboarding__isnull=True)
        _person(self.fields["superior"], self.user)


class OnboardingEditForm(OnboardingForm):
    class Meta(OnboardingForm.Meta):
        fields = ["superior", "start_date"]


class CompleteTaskForm(forms.Form):
    note = forms.CharField(
        label=_("What I learned"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    score = forms.DecimalField(
        label=_("Test score (0–100)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=1,
    )


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 1})
    )
