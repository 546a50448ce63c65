"""Fee settlement (FEE-1..3): the settlement application, its review, payments and write-offs.

A ``Settlement`` is the 《一站式技術服務費用結算申請表》 of one contract, for the whole contract
or for one instalment of its payment schedule, applied for by the project lead once the
acceptance has passed (FEE-1), reviewed by finance against the system's own calculation and
approved with finance's signature, or returned for correction (FEE-2). ``Payment`` rows record
money received from the client or paid out; a ``WriteOff`` closes a balance that will not be
paid (FEE-3). Every state change runs through settlement.services.
"""

from __future__ import annotations

from decimal import Decimal

import rules
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.core.access import Kind, register_team, staff_scope
from onestop.core.fields import TEXT_LONG, TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, ScopedQuerySet
from onestop.core.workflow import WorkflowModel, condition
from onestop.settlement import rules as r
from onestop.settlement import states

ZERO = Decimal("0.00")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class SettlementQuerySet(ScopedQuerySet):
    """Staff who need to know see a settlement (core/access.py); a client user its organisation's approved ones."""

    def scope_for(self, user):
        if user.client_organization_id is None:
            return staff_scope(self, user)
        return self.filter(
            contract__engagement__client_id=user.client_organization_id, state__in=states.CLIENT_VISIBLE
        )


@condition(_("Add at least one fee item before submitting."))
def has_items(settlement) -> bool:
    return settlement.items.exists()


@condition(_("Enter the invoice (number, date and amount) and upload its file before submitting."))
def has_invoice(settlement) -> bool:
    return bool(
        settlement.invoice_number.strip()
        and settlement.invoice_date
        and settlement.invoice_amount is not None
        and settlement.invoice_file_id
    )


class Settlement(WorkflowModel, BusinessModel):
    """費用結算申請: the settlement application of a contract or one of its instalments."""

    access_kind = Kind.MONEY  # who may see it: core/access.py
    engagement_lookup = "contract__engagement"

    allow_attachments = True
    allow_comments = True

    State = states.SettlementState
    editable_states = states.EDITABLE

    code = models.CharField(_("settlement number"), max_length=20, unique=True, editable=False)
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("service contract"),
        on_delete=models.PROTECT,
        related_name="settlements",
    )
    instalment = models.ForeignKey(
        "contracts.PaymentInstalment",
        verbose_name=_("instalment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="settlements",
        help_text=_("Empty: the settlement of the whole contract."),
    )
    acceptance_round = models.ForeignKey(
        "acceptance.AcceptanceRound",
        verbose_name=_("acceptance report"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    acceptance_sha256 = models.CharField(
        _("SHA-256 of the signed acceptance report"), max_length=64, blank=True, editable=False
    )
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    applicant = actor_field(_("applicant"), null=False)
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    description = BoundedTextField(_("service actually provided"), max_length=TEXT_LONG, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=50, blank=True)
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    invoice_amount = models.DecimalField(
        _("invoice amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    invoice_file = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("invoice file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    return_comment = BoundedTextField(
        _("corrections required"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    returned_count = models.PositiveIntegerField(_("times returned"), default=0, editable=False)
    reviewed_by = actor_field(_("reviewed by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    approved_amount = models.DecimalField(
        _("approved amount"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    objects = SettlementQuerySet.as_manager()

    class Meta:
        verbose_name = _("fee settlement")
        verbose_name_plural = _("fee settlements")
        ordering = ["-created_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_settlement,
            "add": r.can_apply,
            "change": r.can_edit_settlement,
            "delete": r.can_delete_settlement,
            "review": r.can_review,
            "attach": r.can_attach_settlement,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.contract.code}"

    @property
    def form_version(self) -> int:
        return self.version

    @property
    def currency(self) -> str:
        return self.contract.currency

    @property
    def scope_label(self) -> str:
        if self.instalment_id is None:
            return str(_("Whole contract"))
        return _("Instalment %(number)s") % {"number": self.instalment.number}

    scope_label.fget.short_description = _("settles")

    @property
    def amount(self) -> Decimal:
        """The settlement amount: the sum of the fee items (prefetched items are used)."""
        return sum((item.amount for item in self.items.all()), ZERO)

    amount.fget.short_description = _("settlement amount")

    def clean(self):
        errors = {}
        contract = self.contract if self.contract_id else None
        if self.instalment_id and contract is not None and self.instalment.contract_id != contract.pk:
            errors["instalment"] = _("Choose an instalment of this contract.")
        if errors:
            raise ValidationError(errors)

    # --- transitions (run only through settlement.services) ----------------------------------
    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.SUBMITTED,
        permission="settlement.change_settlement",
        conditions=[has_items, has_invoice],
        custom={"label": _("Submit to finance"), "icon": "send", "service_only": True},
    )
    def submit(self):
        if self.state == self.State.RETURNED:
            self.version += 1
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RETURNED,
        permission="settlement.review_settlement",
        custom={
            "label": _("Return for correction"),
            "icon": "arrow-return-left",
            "style": "outline-danger",
            "comment_required": True,
            "service_only": True,
        },
    )
    def return_to_lead(self, actor=None, comment=""):
        self.return_comment = comment
        self.returned_count += 1
        self.reviewed_by = actor

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission="settlement.review_settlement",
        custom={"label": _("Approve and sign"), "icon": "check2-circle", "service_only": True},
    )
    def approve(self, actor=None):
        self.reviewed_by = actor
        self.approved_at = timezone.now()
        self.approved_amount = self.amount


class SettlementItemQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self.filter(settlement__in=Settlement.objects.visible_to(user))


class SettlementItem(BusinessModel):
    """One fee item of a settlement application: an instalment, the approved changes, or other."""

    access_kind = Kind.MONEY  # who may see it: core/access.py
    engagement_lookup = "settlement__contract__engagement"

    settlement = models.ForeignKey(
        Settlement, verbose_name=_("fee settlement"), on_delete=models.CASCADE, related_name="items"
    )
    description = models.CharField(_("fee item"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    instalment = models.ForeignKey(
        "contracts.PaymentInstalment",
        verbose_name=_("instalment covered"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = SettlementItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["settlement", "pk"]
        rules_permissions = {
            "view": r.can_view_settlement,
            "add": r.can_edit_settlement,
            "change": r.can_edit_settlement,
            "delete": r.can_edit_settlement,
        }

    def __str__(self) -> str:
        return f"{self.settlement.code} · {self.description}"

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount == 0:
            errors["amount"] = _("A fee item needs an amount other than zero.")
        settlement = self.settlement if self.settlement_id else None
        if settlement is not None:
            if settlement.state not in states.EDITABLE:
                errors["settlement"] = _(
                    "The fee items change only while the settlement is being filled in or after a return."
                )
            if self.instalment_id and self.instalment.contract_id != settlement.contract_id:
                errors["instalment"] = _("Choose an instalment of the settlement's contract.")
        if errors:
            raise ValidationError(errors)


# --- FEE-3: payments and write-offs --------------------------------------------------------


class PaymentQuerySet(ScopedQuerySet):
    """Staff who need to know see a payment (core/access.py); a client user the payments received from its organisation."""

    def scope_for(self, user):
        if user.client_organization_id is None:
            return staff_scope(self, user)
        return self.filter(
            contract__engagement__client_id=user.client_organization_id, direction=Payment.Direction.RECEIVED
        )


class Payment(BusinessModel):
    """費用支付記錄: money received from the client or paid out, against one contract."""

    access_kind = Kind.MONEY  # who may see it: core/access.py
    engagement_lookup = "contract__engagement"

    Direction = states.PaymentDirection

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("service contract"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    settlement = models.ForeignKey(
        Settlement,
        verbose_name=_("fee settlement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    paid_on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("Bank or cheque reference.")
    )
    note = BoundedTextField(_("internal note"), max_length=TEXT_NOTE, blank=True)
    over_limit_reason = BoundedTextField(
        _("reason for exceeding the contract value"),
        max_length=TEXT_NOTE,
        blank=True,
        help_text=_(
            "Required when the money received would exceed the contract value plus approved changes."
        ),
    )
    recorded_by = actor_field(_("recorded by"), null=False)
    history = HistoricalRecords()

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-pk"]
        indexes = [models.Index(fields=["contract", "direction"]), models.Index(fields=["paid_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")
        ]
        rules_permissions = {
            "view": r.can_view_payment,
            "add": r.can_record_payment,
            "change": r.can_record_payment,
            "delete": rules.always_deny,
            "export": r.can_export,
        }

    def __str__(self) -> str:
        return f"{self.contract.code} · {self.get_direction_display()} · {self.amount:,.2f}"

    @property
    def is_received(self) -> bool:
        return self.direction == self.Direction.RECEIVED

    @property
    def signed_amount(self) -> Decimal:
        """Received money lowers the balance; money paid out raises it."""
        return -self.amount if self.is_received else self.amount

    def clean(self):
        errors = {}
        if self.settlement_id and self.contract_id and self.settlement.contract_id != self.contract_id:
            errors["settlement"] = _("Choose a settlement of this contract.")
        if self.settlement_id and self.settlement.state != Settlement.State.APPROVED:
            errors["settlement"] = _("Payments are recorded against an approved settlement only.")
        if errors:
            raise ValidationError(errors)


class WriteOffQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return staff_scope(self, user) if user.client_organization_id is None else self.none()


class WriteOff(BusinessModel):
    """核銷: finance writes off the remaining balance of a contract, with the reason."""

    access_kind = Kind.MONEY  # who may see it: core/access.py
    engagement_lookup = "contract__engagement"

    contract = models.OneToOneField(
        "contracts.Contract",
        verbose_name=_("service contract"),
        on_delete=models.PROTECT,
        related_name="write_off",
    )
    amount = models.DecimalField(_("amount written off"), max_digits=14, decimal_places=2, editable=False)
    reason = BoundedTextField(_("reason"), max_length=TEXT_NOTE)
    written_off_on = models.DateField(_("date"))
    written_off_by = actor_field(_("written off by"), null=False)
    history = HistoricalRecords()

    objects = WriteOffQuerySet.as_manager()

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        ordering = ["-written_off_on", "-pk"]
        rules_permissions = {
            "view": r.can_view_writeoff,
            "add": r.can_record_payment,
            "change": r.can_record_payment,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.contract.code} · {self.amount:,.2f}"

    def clean(self):
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for the write-off.")})


# The people (and departments) on an engagement's team through this app's records.
register_team("settlement.Settlement", engagement="contract__engagement", users=("applicant",))
