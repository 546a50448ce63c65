from decimal import Decimal

from django import forms
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.acceptance.models import AcceptanceRound
from onestop.acceptance.states import AcceptanceRoundState
from onestop.contracts.models import Contract, PaymentInstalment
from onestop.core.fields import TEXT_LONG
from onestop.core.forms import CommentForm, DateInput, ModelForm
from onestop.settlement.models import Payment, PaymentMethod, Settlement, SettlementItem, WriteOff
from onestop.settlement.selectors import ZERO, balance
from onestop.settlement.states import CONTRACTS_IN_FORCE, EDITABLE


def _contracts_for_settlement(user):
    # Only contracts with something accepted to settle: the whole project or a milestone.
    accepted = AcceptanceRound.objects.filter(
        project__contract=OuterRef("pk"), state=AcceptanceRoundState.PASSED
    )
    rows = (
        Contract.objects.visible_to(user)
        .filter(project__isnull=False)
        .filter(Exists(accepted))
        .select_related("engagement")
    )
    if not (user.is_superuser or user.has_role("system_admin")):
        rows = rows.filter(project__project_lead=user)
    return rows.order_by("-created_at")


class SettlementApplyForm(forms.Form):
    """FEE-1: open the application for a contract (the whole contract or one instalment)."""

    contract = forms.ModelChoiceField(queryset=None, label=_("Service contract"))
    instalment = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Instalment"),
        help_text=_("Empty: settle the whole contract (all instalments not yet settled)."),
    )
    payment_method = forms.ChoiceField(choices=PaymentMethod.choices, label=_("Payment method"))
    description = forms.CharField(
        max_length=TEXT_LONG,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Service actually provided"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        contracts = _contracts_for_settlement(user)
        self.fields["contract"].queryset = contracts
        self.fields["instalment"].queryset = PaymentInstalment.objects.filter(
            contract__in=contracts
        ).select_related("contract")

    def clean(self):
        data = super().clean()
        contract, instalment = data.get("contract"), data.get("instalment")
        if contract and instalment and instalment.contract_id != contract.pk:
            self.add_error("instalment", _("Choose an instalment of this contract."))
        return data


class SettlementForm(ModelForm):
    class Meta:
        model = Settlement
        fields = ["payment_method", "description"]


class InvoiceForm(forms.Form):
    """The invoice of a settlement (its fields keep the page's ids, which the browser tests use)."""

    invoice_number = forms.CharField(
        max_length=50, label=_("Invoice number"), widget=forms.TextInput(attrs={"id": "invoice-number"})
    )
    invoice_date = forms.DateField(widget=DateInput(attrs={"id": "invoice-date"}), label=_("Invoice date"))
    invoice_amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label=_("Invoice amount"),
        localize=False,
        widget=forms.TextInput(attrs={"id": "invoice-amount", "inputmode": "decimal"}),
    )
    file = forms.FileField(
        required=False, label=_("Invoice file"), widget=forms.FileInput(attrs={"id": "invoice-file"})
    )


class SubmitForm(CommentForm):
    """Submitting to finance, with an optional note."""

    comment = forms.CharField(
        label=_("Note for finance"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Note for finance (optional)")}),
    )


class ReturnForm(CommentForm):
    """Returning to the lead: the corrections required (the service refuses an empty reason)."""

    comment = forms.CharField(
        label=_("Corrections required"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"id": "return-comment", "rows": 3, "required": True}),
    )


class SettlementItemForm(ModelForm):
    class Meta:
        model = SettlementItem
        fields = ["settlement", "description", "amount", "instalment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        settlements = Settlement.objects.visible_to(self.user).filter(state__in=EDITABLE)
        if not (self.user.is_superuser or self.user.has_role("system_admin")):
            settlements = settlements.filter(contract__project__project_lead=self.user)
        self.fields["settlement"].queryset = settlements
        self.fields["instalment"].queryset = PaymentInstalment.objects.filter(
            contract__settlements__in=settlements
        ).distinct()
        if self.instance.pk:
            self.fields["settlement"].disabled = True


class PaymentForm(ModelForm):
    class Meta:
        model = Payment
        fields = [
            "contract",
            "settlement",
            "direction",
            "paid_on",
            "amount",
            "method",
            "reference",
            "note",
            "over_limit_reason",
        ]
        widgets = {"paid_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.filter(state__in=CONTRACTS_IN_FORCE)
        self.fields["settlement"].queryset = Settlement.objects.filter(state=Settlement.State.APPROVED)
        if not self.is_bound and self.initial.get("settlement"):
            self.initial.update(payment_due(self.initial["settlement"], self.user))


def payment_due(settlement_pk, user) -> dict:
    """The payment form's first values for an approved settlement (「登記收款」 from its page):
    its contract, money received, today, the settlement's payment method, and the amount still
    due on it — never more than the contract's outstanding balance."""
    settlement = (
        Settlement.objects.visible_to(user)
        .filter(pk=settlement_pk, state=Settlement.State.APPROVED)
        .select_related("contract")
        .prefetch_related("items")
        .first()
        if str(settlement_pk).isdigit()
        else None
    )
    if settlement is None:
        return {}
    received = settlement.payments.filter(direction=Payment.Direction.RECEIVED).aggregate(total=Sum("amount"))
    due = min(settlement.amount - (received["total"] or ZERO), balance(settlement.contract).outstanding)
    return {
        "contract": settlement.contract_id,
        "settlement": settlement.pk,
        "direction": Payment.Direction.RECEIVED,
        "paid_on": timezone.localdate(),
        "amount": max(due, ZERO),
        "method": settlement.payment_method,
    }


class PaymentEditForm(ModelForm):
    """A recorded payment keeps its amount, date and direction; only the references change."""

    class Meta:
        model = Payment
        fields = ["reference", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class WriteOffForm(ModelForm):
    class Meta:
        model = WriteOff
        fields = ["contract", "written_off_on", "reason"]
        widgets = {"written_off_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["contract"].disabled = True
        self.fields["contract"].queryset = Contract.objects.filter(state__in=CONTRACTS_IN_FORCE)


class LedgerFilterForm(forms.Form):
    start = forms.DateField(widget=DateInput(), label=_("From"), required=False)
    end = forms.DateField(widget=DateInput(), label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period cannot be before its start."))
        return data
