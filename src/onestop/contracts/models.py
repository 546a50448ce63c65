"""The contract stage (CON-1..3): who may sign for the company, and the contract templates.

``SigningAuthorization`` is the register of CON-3: the legal representative and the staff
members authorised to sign for the company, up to what amount and for which period; a
company signature outside it is refused (``services.check_signing_authority``).
``ContractTemplate`` holds the admin-managed Chinese clause texts of CON-1, rendered with
the Django template language from the terms of a contract; a version that has been used
for a contract is never edited again — a change is a new version.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.accounts.models import Department
from onestop.contracts import rules as r
from onestop.contracts import states
from onestop.core import signatures
from onestop.core.access import Kind, register_department, register_team, staff_scope
from onestop.core.fields import TEXT_LONG, TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, InternalQuerySet, ScopedQuerySet
from onestop.core.workflow import WorkflowModel, condition


class SigningAuthorization(BusinessModel):
    """One grant of the right to sign contracts for the company (CON-3)."""

    # A plain edit of these says why.
    reason_fields = ("representative", "is_legal_representative", "amount_limit", "valid_from", "valid_to")

    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("representative"),
        on_delete=models.PROTECT,
        related_name="signing_authorizations",
        limit_choices_to={"client_organization__isnull": True, "is_active": True},
    )
    is_legal_representative = models.BooleanField(
        _("legal representative"),
        default=False,
        help_text=_("The company's legal representative; may sign without an amount limit."),
    )
    amount_limit = models.DecimalField(
        _("up to amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "The largest contract amount this person may sign; empty: no limit (legal representative only)."
        ),
    )
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: until revoked."))
    granted_by = models.CharField(
        _("granted by"),
        max_length=200,
        help_text=_("Who granted the authorization (e.g. the board, the legal representative)."),
    )
    note = BoundedTextField(_("note"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("signing authorization")
        verbose_name_plural = _("signing authorizations")
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="signing_authorization_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_limit__isnull=False) | models.Q(is_legal_representative=True),
                name="signing_authorization_limit_unless_legal_representative",
            ),
        ]
        rules_permissions = {
            "view": r.can_view_authorization,
            "add": r.can_manage_authorizations,
            "change": r.can_manage_authorizations,
            "delete": r.can_delete_authorization,
        }

    def __str__(self) -> str:
        return f"{self.representative} · {self.limit_label}"

    @property
    def limit_label(self) -> str:
        if self.amount_limit is None:
            return str(_("no limit"))
        return f"{self.currency} {self.amount_limit:,.2f}"

    limit_label.fget.short_description = _("up to amount")

    def clean(self):
        errors = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The authorization cannot end before it starts.")
        if self.amount_limit is None and not self.is_legal_representative:
            errors["amount_limit"] = _(
                "Give the largest amount this person may sign; only the legal representative may sign without a limit."
            )
        if self.currency and not (len(self.currency) == 3 and self.currency.isalpha()):
            errors["currency"] = _("Use a three-letter currency code such as CNY.")
        if errors:
            raise ValidationError(errors)
        if self.currency:
            self.currency = self.currency.upper()

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def covers(self, amount: Decimal, currency: str) -> bool:
        if self.amount_limit is None:
            return True
        return currency.upper() == self.currency and amount <= self.amount_limit


CLAUSES = (
    "preamble",
    "service_content_clause",
    "term_clause",
    "fee_clause",
    "quality_clause",
    "acceptance_clause",
    "liability_clause",
    "rights_clause",
    "other_clause",
)


class ContractTemplate(BusinessModel):
    """One version of a contract template: the clause texts, with {{ placeholders }} (CON-1).

    Versions of one template share its ``code``; saving a template under an existing code
    makes the next version. At most one version per code is active (offered for new
    contracts). A version used for a contract (``first_used_at``) is frozen.
    """

    code = models.SlugField(
        _("template code"), max_length=40, help_text=_("Versions of one template share this code.")
    )
    version = models.PositiveIntegerField(_("version"), editable=False)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(
        _("active"),
        default=False,
        help_text=_("Offered for new contracts; activating a version deactivates the others of its code."),
    )
    preamble = BoundedTextField(_("preamble (parties)"), max_length=TEXT_LONG)
    service_content_clause = BoundedTextField(_("service content"), max_length=TEXT_LONG)
    term_clause = BoundedTextField(_("term"), max_length=TEXT_LONG)
    fee_clause = BoundedTextField(_("fees and payment schedule"), max_length=TEXT_LONG)
    quality_clause = BoundedTextField(_("quality standards"), max_length=TEXT_LONG)
    acceptance_clause = BoundedTextField(_("acceptance method"), max_length=TEXT_LONG)
    liability_clause = BoundedTextField(_("liability for breach"), max_length=TEXT_LONG)
    rights_clause = BoundedTextField(_("rights and obligations of the parties"), max_length=TEXT_LONG)
    other_clause = BoundedTextField(_("other terms"), max_length=TEXT_LONG, blank=True)
    first_used_at = models.DateTimeField(
        _("first used for a contract"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_contract_template_per_version"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(is_active=True),
                name="one_active_contract_template_version",
            ),
        ]
        rules_permissions = {
            "view": r.can_view_template,
            "add": r.can_manage_templates,
            "change": r.can_manage_templates,
            "delete": r.can_delete_template,
        }

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def placeholders(self) -> tuple[str, ...]:
        from onestop.contracts.templating import PLACEHOLDERS  # noqa: PLC0415 — models cannot import templating at load: contracts.templating imports the models

        return PLACEHOLDERS

    @property
    def in_use(self) -> bool:
        return self.first_used_at is not None

    def clean(self):
        from onestop.contracts.templating import compile_clause  # noqa: PLC0415 — models cannot import templating at load: contracts.templating imports the models

        errors = {}
        for name in CLAUSES:
            text = getattr(self, name, "") or ""
            try:
                compile_clause(text)
            except ValidationError as exc:
                errors[name] = exc.messages
        if self.pk and self.in_use:
            stored = type(self)._base_manager.filter(pk=self.pk).values(*CLAUSES, "name", "code").first()
            if stored and any(stored[name] != getattr(self, name) for name in (*CLAUSES, "name", "code")):
                errors["__all__"] = _(
                    "Version %(version)s has been used for contracts and can no longer change. "
                    "Make a new version instead."
                ) % {"version": self.version}
        if errors:
            raise ValidationError(errors)

    def preview(self) -> list[tuple[str, str]]:
        """Each clause rendered with example terms (shown on the template's page)."""
        from onestop.contracts.templating import render_clauses, sample_context  # noqa: PLC0415 — models cannot import templating at load: contracts.templating imports the models

        try:
            rendered = render_clauses(self, sample_context())
        except ValidationError:
            return []
        return [
            (str(self._meta.get_field(name).verbose_name), text) for name, text in rendered.items() if text
        ]


# --- the contract (CON-1..3) -------------------------------------------------------------------


class ContractQuerySet(ScopedQuerySet):
    """Staff who need to know see a contract (core/access.py); a client user its organisation's once approved for signing."""

    def scope_for(self, user):
        if user.client_organization_id is None:
            return staff_scope(self, user)
        return self.filter(engagement__client_id=user.client_organization_id, state__in=states.CLIENT_VISIBLE)


LEGAL_CHECKLIST = (
    ("parties", _("The parties, their names and their authority to sign are correct")),
    ("legality", _("Every clause complies with the law and regulations")),
    ("liability", _("Liability for breach is stated, balanced and enforceable")),
    ("confidentiality", _("Intellectual property and confidentiality are covered")),
    ("disputes", _("Dispute resolution and governing law are stated")),
)


@condition(_("Add the payment schedule before submitting the contract for review."))
def has_instalments(contract) -> bool:
    return contract.instalments.exists()


@condition(_("Both the legal review and the business review must pass first."))
def both_reviews_passed(contract) -> bool:
    return contract.legal_passed_at is not None and contract.business_passed_at is not None


@condition(_("Both the company's representative and the client must sign the contract."))
def contract_fully_signed(contract) -> bool:
    from onestop.contracts.documents import contract_form  # noqa: PLC0415 — models cannot import documents at load: contracts.documents imports the models

    return signatures.is_fully_signed(contract_form(), contract)


@condition(_("Give the archive number and the storage location."))
def has_archive_data(contract) -> bool:
    return bool(contract.archive_number.strip() and contract.archive_location.strip())


def may_review(contract, user) -> bool:
    """Either reviewer (legal or business) may conclude or return a contract under review."""
    return user.has_perm("contracts.legal_review_contract", contract) or user.has_perm(
        "contracts.business_review_contract", contract
    )


class Contract(WorkflowModel, BusinessModel):
    """服務合同: drafted from the signed confirmation and the effective plan (CON-1), reviewed by
    legal and the business department with the consistency check (CON-2), signed by an
    authorised representative and the client, archived and distributed (CON-3).

    Every transition takes input or has side effects, so each runs through contracts.services.
    """

    access_kind = Kind.CONTRACT  # who may see it: core/access.py
    engagement_lookup = "engagement"

    allow_attachments = True
    allow_comments = True

    State = states.ContractState
    editable_states = states.EDITABLE

    code = models.CharField(_("contract number"), max_length=20, unique=True, editable=False)
    engagement = models.OneToOneField(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        on_delete=models.PROTECT,
        related_name="contract",
    )
    plan_version = models.ForeignKey(
        "plans.PlanVersion",
        verbose_name=_("plan version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    template = models.ForeignKey(
        ContractTemplate,
        verbose_name=_("contract template"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    drafter = actor_field(_("drafter"))
    # The terms (CON-1), prefilled from the confirmation and the plan.
    total_fee = models.DecimalField(
        _("total fee"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    period_start = models.DateField(_("service period from"))
    period_end = models.DateField(_("service period to"))
    scope_items = BoundedTextField(_("scope items"), max_length=TEXT_LONG, help_text=_("One item per line."))
    milestones = BoundedTextField(
        _("milestones"),
        max_length=TEXT_LONG,
        blank=True,
        help_text=_("One per line: the date (YYYY-MM-DD), a space, the name."),
    )
    quality_standard = BoundedTextField(_("quality standard"), max_length=TEXT_LONG)
    acceptance_method = BoundedTextField(_("acceptance method"), max_length=TEXT_LONG)
    special_terms = BoundedTextField(_("special terms of this contract"), max_length=TEXT_LONG, blank=True)
    justifications = models.JSONField(_("justified differences"), default=dict, blank=True, editable=False)
    # CON-2 reviews
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True, editable=False)
    legal_checklist = models.JSONField(_("legal checklist"), default=list, blank=True, editable=False)
    legal_comment = BoundedTextField(
        _("legal review comment"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    legal_passed_by = actor_field(_("legal review passed by"))
    legal_passed_at = models.DateTimeField(_("legal review passed"), null=True, blank=True, editable=False)
    business_comment = BoundedTextField(
        _("business review comment"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    business_passed_by = actor_field(_("business review passed by"))
    business_passed_at = models.DateTimeField(
        _("business review passed"), null=True, blank=True, editable=False
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True, editable=False)
    # CON-3 archive
    archive_number = models.CharField(_("archive number"), max_length=50, blank=True, editable=False)
    archive_location = models.CharField(_("storage location"), max_length=200, blank=True, editable=False)
    archived_pdf = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("archived PDF"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    archived_sha256 = models.CharField(
        _("SHA-256 of the archived PDF"), max_length=64, blank=True, editable=False
    )
    archived_by = actor_field(_("archived by"))
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="contract_created")
        ]  # the list's order (issue 16)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="contract_period_ordered"
            ),
        ]
        rules_permissions = {
            "view": r.can_view_contract,
            "add": r.can_draft_contract,
            "change": r.can_edit_draft,
            "delete": r.can_delete_contract,
            "draft": r.can_draft_contract,
            "legal_review": r.can_legal_review,
            "business_review": r.can_business_review,
            "sign": r.can_sign_contract,
            "archive": r.can_archive,
            "attach": r.can_attach_contract,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.engagement.title}"

    @property
    def form_version(self) -> int:
        return self.version

    @property
    def scope_list(self) -> list[str]:
        return [line.strip() for line in self.scope_items.splitlines() if line.strip()]

    def milestone_list(self) -> list[tuple]:
        """``[(date, name)]`` from the milestones text (raises ValueError on a bad line)."""
        rows = []
        for line in self.milestones.splitlines():
            line = line.strip()
            if not line:
                continue
            day, _sep, name = line.partition(" ")
            rows.append((date.fromisoformat(day), name.strip()))
        return rows

    def consistency_rows(self) -> list[dict]:
        """The consistency check (CON-2) with each difference's justification, for the page."""
        from onestop.contracts.services import differences  # noqa: PLC0415 — models cannot import services at load: contracts.services imports the models

        justified = self.justifications or {}
        return [{**d.as_dict(), "justification": justified.get(d.field, "")} for d in differences(self)]

    def distribution_departments(self):
        return Department.objects.order_by("sort_order", "name")

    @property
    def legal_checklist_rows(self) -> list[tuple[str, str, bool]]:
        return [(key, str(label), key in (self.legal_checklist or [])) for key, label in LEGAL_CHECKLIST]

    def clean(self):
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The service period cannot end before it starts.")
        if self.currency and not (len(self.currency) == 3 and self.currency.isalpha()):
            errors["currency"] = _("Use a three-letter currency code such as CNY.")
        try:
            if any(not name for _day, name in self.milestone_list()):
                raise ValueError
        except ValueError:
            errors["milestones"] = _("Write each milestone as a date (YYYY-MM-DD), a space and its name.")
        if errors:
            raise ValidationError(errors)
        if self.currency:
            self.currency = self.currency.upper()

    # --- transitions (run only through contracts.services) ---------------------------------
    @transition(
        field=state,
        source=State.DRAFT,
        target=State.IN_REVIEW,
        permission="contracts.draft_contract",
        conditions=[has_instalments],
        custom={"label": _("Submit for review"), "icon": "send", "service_only": True},
    )
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.APPROVED,
        permission=may_review,
        conditions=[both_reviews_passed],
        custom={"label": _("Approve"), "icon": "check2-circle", "service_only": True},
    )
    def approve(self):
        self.approved_at = timezone.now()

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.RETURNED,
        permission=may_review,
        custom={
            "label": _("Return to the drafter"),
            "icon": "arrow-return-left",
            "style": "outline-danger",
            "comment_required": True,
            "service_only": True,
        },
    )
    def return_to_drafter(self):
        pass

    @transition(
        field=state,
        source=State.RETURNED,
        target=State.DRAFT,
        permission="contracts.draft_contract",
        custom={"label": _("Revise"), "icon": "pencil", "service_only": True},
    )
    def revise(self):
        self.version += 1
        self.submitted_at = None
        self.legal_checklist = []
        self.legal_passed_by = self.business_passed_by = None
        self.legal_passed_at = self.business_passed_at = None

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.SIGNED,
        conditions=[contract_fully_signed],
        custom={"label": _("Signed by both parties"), "icon": "pen", "service_only": True},
    )
    def complete_signing(self):
        self.signed_at = timezone.now()

    @transition(
        field=state,
        source=State.SIGNED,
        target=State.ARCHIVED,
        permission="contracts.archive_contract",
        conditions=[has_archive_data],
        custom={"label": _("Archive"), "icon": "archive", "service_only": True},
    )
    def archive(self, actor=None):
        self.archived_by = actor
        self.archived_at = timezone.now()


class InstalmentQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self.filter(contract__in=Contract.objects.visible_to(user))


class PaymentInstalment(BusinessModel):
    """One instalment of a contract's payment schedule: an amount due on a date or at a milestone."""

    reason_fields = ("amount", "due_date")  # a plain edit of these says why

    access_kind = Kind.CONTRACT  # who may see it: core/access.py
    engagement_lookup = "contract__engagement"

    contract = models.ForeignKey(
        Contract, verbose_name=_("service contract"), on_delete=models.CASCADE, related_name="instalments"
    )
    number = models.PositiveSmallIntegerField(_("instalment"))
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    milestone = models.CharField(_("at milestone"), max_length=200, blank=True)
    condition = models.CharField(_("payment condition"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = InstalmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment instalment")
        verbose_name_plural = _("payment schedule")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="one_instalment_per_number"),
            models.CheckConstraint(
                condition=~models.Q(due_date__isnull=True, milestone=""),
                name="instalment_due_date_or_milestone",
            ),
        ]
        rules_permissions = {
            "view": r.can_view_contract,
            "add": r.can_draft_contract,
            "change": r.can_edit_draft,
            "delete": r.can_edit_draft,
        }

    def __str__(self) -> str:
        return f"{self.contract.code} · {self.number}"

    def clean(self):
        errors = {}
        if self.due_date is None and not (self.milestone or "").strip():
            errors["due_date"] = _("Give a due date or the milestone the payment is tied to.")
        contract = getattr(self, "contract", None) if self.contract_id else None
        if contract is not None and contract.state != Contract.State.DRAFT:
            errors["contract"] = _("The payment schedule changes only while the contract is being drafted.")
        if errors:
            raise ValidationError(errors)


class CopyQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return staff_scope(self, user) if user.client_organization_id is None else self.none()


class ContractCopy(BusinessModel):
    """A copy of the archived contract sent to an executing department, who acknowledges it (CON-3)."""

    access_kind = Kind.CONTRACT  # who may see it: core/access.py
    engagement_lookup = "contract__engagement"

    generic_views = False  # sent by services.distribute; acknowledged on the contract's page

    contract = models.ForeignKey(
        Contract, verbose_name=_("service contract"), on_delete=models.CASCADE, related_name="copies"
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("receipt acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("receipt acknowledged"), null=True, blank=True)
    history = HistoricalRecords()

    objects = CopyQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract copy")
        verbose_name_plural = _("contract copies")
        ordering = ["contract", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "department"], name="one_copy_per_department")
        ]
        rules_permissions = {
            "view": r.can_view_copy,
            "add": r.can_archive,
            "change": r.can_acknowledge_copy,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.contract.code} → {self.department}"

    def get_absolute_url(self) -> str:
        return self.contract.get_absolute_url() + f"#copy-{self.pk}"


# The people (and departments) on an engagement's team through this app's records.
register_team("contracts.Contract", engagement="engagement", users=("drafter",))
register_department("contracts.ContractCopy", engagement="contract__engagement", department="department")
