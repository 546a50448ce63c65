from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import Department
from onestop.contracts.models import (
    CLAUSES,
    LEGAL_CHECKLIST,
    Contract,
    ContractTemplate,
    PaymentInstalment,
    SigningAuthorization,
)
from onestop.core.forms import DateInput, DecisionButtons, ModelForm
from onestop.engagements.models import Engagement


class SigningAuthorizationForm(ModelForm):
    class Meta:
        model = SigningAuthorization
        fields = [
            "representative",
            "is_legal_representative",
            "amount_limit",
            "currency",
            "valid_from",
            "valid_to",
            "granted_by",
            "note",
        ]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}


class ContractTemplateForm(ModelForm):
    class Meta:
        model = ContractTemplate
        fields = ["code", "name", "is_active", *CLAUSES]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in CLAUSES}


class ContractDraftForm(forms.Form):
    """Drafting a contract: the engagement (confirmed, with an approved plan) and the template."""

    engagement = forms.ModelChoiceField(queryset=None, label=_("Engagement"))
    template = forms.ModelChoiceField(queryset=None, label=_("Contract template"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["engagement"].queryset = (
            Engagement.objects.visible_to(user)
            # Drafting waits for an approved plan (CON-1): only those engagements can be chosen.
            .filter(
                stage=Engagement.Stage.CONFIRMED, contract__isnull=True, plan__effective_version__isnull=False
            )
            .order_by("-confirmed_at")
        )
        self.fields["template"].queryset = ContractTemplate.objects.filter(is_active=True)


class ContractForm(ModelForm):
    class Meta:
        model = Contract
        fields = [
            "total_fee",
            "currency",
            "period_start",
            "period_end",
            "scope_items",
            "milestones",
            "quality_standard",
            "acceptance_method",
            "special_terms",
        ]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}


class PaymentInstalmentForm(ModelForm):
    class Meta:
        model = PaymentInstalment
        fields = ["contract", "number", "amount", "due_date", "milestone", "condition"]
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.visible_to(self.user).filter(
            state=Contract.State.DRAFT
        )


REVIEW_DECISIONS = [("pass", _("Pass")), ("return", _("Return to the drafter"))]


def review_decision():
    return forms.ChoiceField(
        label=_("Decision"),
        choices=REVIEW_DECISIONS,
        widget=DecisionButtons(styles={"pass": "success", "return": "outline-danger"}),
    )


class LegalReviewForm(forms.Form):
    checked = forms.MultipleChoiceField(
        choices=LEGAL_CHECKLIST, required=False, widget=forms.CheckboxSelectMultiple, label=_("Checklist")
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment")
    )
    decision = review_decision()


class BusinessReviewForm(forms.Form):
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment")
    )
    decision = review_decision()


class JustifyForm(forms.Form):
    field = forms.CharField(max_length=300, widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=2000, label=_("Justification"))


class ArchiveForm(forms.Form):
    archive_number = forms.CharField(max_length=50, label=_("Archive number"))
    location = forms.CharField(max_length=200, label=_("Storage location"))


class DistributeForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label=_("Executing departments")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.order_by("sort_order", "name")
