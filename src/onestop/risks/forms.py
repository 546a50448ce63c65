from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import User
from onestop.core.choices import TypeaheadSelect
from onestop.core.fields import TEXT_LONG, TEXT_NOTE
from onestop.core.forms import DateInput, ModelForm
from onestop.core.roles import Role
from onestop.engagements.models import Engagement
from onestop.engagements.states import EngagementStage
from onestop.risks.matrix import Strategy
from onestop.risks.models import (
    TRANSFER_CLAUSES,
    EmergencyPlan,
    IdentificationSession,
    Indicator,
    Outcome,
    ResponseAction,
    Risk,
    RiskCategory,
)


def _staff():
    return User.objects.filter(client_organization__isnull=True, is_active=True)


def _people_field(label, required=True):
    return forms.ModelChoiceField(
        label=label, queryset=_staff(), required=required, widget=TypeaheadSelect("accounts.User")
    )


class RiskForm(ModelForm):
    class Meta:
        model = Risk
        fields = [
            "title",
            "category",
            "engagement",
            "department",
            "cause",
            "event",
            "consequence",
            "owner",
            "method",
            "session",
        ]
        widgets = {
            "cause": forms.Textarea(attrs={"rows": 2}),
            "event": forms.Textarea(attrs={"rows": 2}),
            "consequence": forms.Textarea(attrs={"rows": 2}),
            "owner": TypeaheadSelect("accounts.User"),
            "engagement": TypeaheadSelect("engagements.Engagement"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = RiskCategory.objects.filter(active=True)
        if self.user is not None:
            self.fields["engagement"].queryset = Engagement.objects.visible_to(self.user)
            self.fields["session"].queryset = IdentificationSession.objects.visible_to(self.user)
        self.fields["owner"].queryset = _staff()
        if self.instance.pk is None and self.user is not None and not self.initial.get("owner"):
            self.initial["owner"] = self.user.pk


class AssessForm(forms.Form):
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), coerce=int)
    impact = forms.TypedChoiceField(label=_("Impact"), coerce=int)
    description = forms.CharField(
        label=_("Qualitative assessment"),
        required=False,
        max_length=TEXT_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    probability = forms.DecimalField(
        label=_("Probability (%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    cost_impact = forms.DecimalField(
        label=_("Cost impact"), required=False, min_value=0, decimal_places=2, max_digits=14
    )
    schedule_impact_days = forms.IntegerField(label=_("Schedule impact (days)"), required=False, min_value=0)

    def __init__(self, *args, matrix=None, **kwargs):
        super().__init__(*args, **kwargs)
        if matrix is not None:
            self.fields["likelihood"].choices = [
                (i, f"{i} {label}") for i, label in enumerate(matrix.likelihood_labels, start=1)
            ]
            self.fields["impact"].choices = [
                (i, f"{i} {label}") for i, label in enumerate(matrix.impact_labels, start=1)
            ]


class ReviewForm(AssessForm):
    note = forms.CharField(
        label=_("Review note"), required=False, max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
    responses_effective = forms.TypedChoiceField(
        label=_("Did the responses work?"),
        required=False,
        choices=[("", "—"), ("yes", _("Yes, the risk is lower")), ("no", _("No, not yet"))],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )
    reconsider = forms.BooleanField(label=_("Reconsider the response strategy"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["description"]


class RespondForm(forms.Form):
    strategy = forms.ChoiceField(label=_("Strategy"), choices=Strategy.choices)
    reason = forms.CharField(
        label=_("Reason (when not the suggested strategy)"),
        required=False,
        max_length=TEXT_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    acceptance_expires = forms.DateField(label=_("Accepted until"), required=False, widget=DateInput())
    action_title = forms.CharField(label=_("First response action"), required=False, max_length=200)
    action_owner = _people_field(_("Action owner"), required=False)
    action_due = forms.DateField(label=_("Action due date"), required=False, widget=DateInput())
    transfer_clause = forms.ChoiceField(
        label=_("Transferred by the contract's clause"),
        choices=[("", "—"), *TRANSFER_CLAUSES],
        required=False,
        help_text=_("When transferring: the clause of this engagement's contract that transfers the risk."),
    )
    decline_inquiry = forms.BooleanField(
        label=_("Avoid by declining the inquiry as out of scope"),
        required=False,
        help_text=_("The inquiry awaits its assessment: declining it closes this risk as avoided."),
    )
    client_reason = forms.CharField(
        label=_("Reason given to the client"),
        required=False,
        max_length=TEXT_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    client_suggestions = forms.CharField(
        label=_("Our suggestions to the client"),
        required=False,
        max_length=TEXT_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, risk=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only what this risk can do: a clause once its engagement has a contract; the
        # decline while its inquiry awaits the assessment.
        engagement = getattr(risk, "engagement", None)
        if engagement is None or not hasattr(engagement, "contract"):
            del self.fields["transfer_clause"]
        if engagement is None or engagement.stage != EngagementStage.ASSESSMENT:
            for name in ("decline_inquiry", "client_reason", "client_suggestions"):
                del self.fields[name]


class DecisionCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseRiskForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(
        label=_("Closing note"), max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200)
    owner = _people_field(_("Owner"))
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResponseActionForm(ModelForm):
    class Meta:
        model = ResponseAction
        fields = ["risk", "title", "description", "owner", "due_date"]
        widgets = {"due_date": DateInput(), "owner": TypeaheadSelect("accounts.User")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff()
        if self.user is not None:
            self.fields["risk"].queryset = Risk.objects.visible_to(self.user).open()
        if self.instance.pk is not None:
            self.fields["risk"].disabled = True


class SessionForm(ModelForm):
    class Meta:
        model = IdentificationSession
        fields = [
            "method",
            "title",
            "held_on",
            "engagement",
            "facilitator",
            "participants",
            "minutes",
            "questions",
        ]
        widgets = {
            "held_on": DateInput(),
            "engagement": TypeaheadSelect("engagements.Engagement"),
            "facilitator": TypeaheadSelect("accounts.User"),
            "minutes": forms.Textarea(attrs={"rows": 5}),
            "questions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = _staff()
        self.fields["participants"].queryset = _staff().order_by("full_name")
        if self.user is not None:
            self.fields["engagement"].queryset = Engagement.objects.visible_to(self.user)
            if self.instance.pk is None:
                self.initial.setdefault("facilitator", self.user.pk)


class AnswerForm(forms.Form):
    respondent = _people_field(_("Respondent"))
    question = forms.ChoiceField(label=_("Question"))
    answer = forms.CharField(
        label=_("Answer"), max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        questions = session.question_list if session is not None else []
        self.fields["question"].choices = [(q, q) for q in questions]


class AnswerToRiskForm(forms.Form):
    title = forms.CharField(label=_("Risk"), max_length=200)
    category = forms.ModelChoiceField(label=_("Category"), queryset=RiskCategory.objects.filter(active=True))
    owner = _people_field(_("Risk owner"))


class CategoryForm(ModelForm):
    class Meta:
        model = RiskCategory
        fields = ["code", "name", "description", "position", "active"]


ROLE_CHOICES = [(value, label) for value, label in Role.choices if value != Role.CLIENT]


class IndicatorForm(ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles warned"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Indicator
        fields = [
            "kind",
            "name",
            "lower_is_worse",
            "blue",
            "yellow",
            "orange",
            "red",
            "period_days",
            "roles",
            "escalate_after_hours",
            "active",
        ]


class EmergencyPlanForm(ModelForm):
    class Meta:
        model = EmergencyPlan
        fields = ["title", "category", "indicator_kind", "steps", "roles", "contacts", "active"]
        widgets = {"steps": forms.Textarea(attrs={"rows": 6})}


class ActivateForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Emergency plan"), queryset=EmergencyPlan.objects.filter(active=True)
    )
    situation = forms.CharField(
        label=_("Situation"), max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class EmergencyActionForm(forms.Form):
    description = forms.CharField(
        label=_("Action taken"), max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseActivationForm(forms.Form):
    review = forms.CharField(
        label=_("Post-incident review"), max_length=TEXT_LONG, widget=forms.Textarea(attrs={"rows": 4})
    )
    lessons = forms.CharField(
        label=_("Improvements and lessons"),
        required=False,
        max_length=TEXT_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RaiseFromReviewForm(forms.Form):
    title = forms.CharField(label=_("Risk"), max_length=200)
    category = forms.ModelChoiceField(label=_("Category"), queryset=RiskCategory.objects.filter(active=True))
    cause = forms.CharField(label=_("Cause"), max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2}))
    event = forms.CharField(
        label=_("Risk event"), max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
    consequence = forms.CharField(
        label=_("Consequence"), max_length=TEXT_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
