from django.utils.translation import gettext_lazy as _

from onestop.contracts import filters, forms, services
from onestop.contracts.models import (
    Contract,
    ContractCopy,
    ContractTemplate,
    PaymentInstalment,
    SigningAuthorization,
)
from onestop.contracts.states import JUSTIFIABLE, ContractState
from onestop.core import services as core_services
from onestop.core.actions import RecordAction, calls, record_action
from onestop.core.forms import CommentForm
from onestop.core.panels import panels
from onestop.core.views import Column, ObjectViews, RelatedTable


class SigningAuthorizationViews(ObjectViews):
    model = SigningAuthorization
    filterset_class = filters.SigningAuthorizationFilterSet
    form_class = forms.SigningAuthorizationForm
    icon = "pen"
    list_select_related = ("representative",)
    detail_select_related = ("representative",)
    columns = [
        Column("representative", link=True, sort="representative__full_name"),
        Column("is_legal_representative"),
        Column("limit_label", sort="amount_limit"),
        Column("valid_from"),
        Column("valid_to"),
        Column("granted_by"),
    ]
    detail_fields = [
        "representative",
        "is_legal_representative",
        "limit_label",
        "valid_from",
        "valid_to",
        "granted_by",
        "note",
    ]


class ContractTemplateViews(ObjectViews):
    model = ContractTemplate
    filterset_class = filters.ContractTemplateFilterSet
    form_class = forms.ContractTemplateForm
    icon = "file-earmark-ruled"
    detail_template = "contracts/contracttemplate_detail.html"
    columns = [
        Column("name", link=True),
        Column("code"),
        Column("version"),
        Column("is_active"),
        Column("first_used_at"),
    ]
    detail_fields = ["code", "version", "name", "is_active", "first_used_at", "updated_at"]

    actions = [
        RecordAction(
            "new-version",
            calls(services.new_version),
            when=lambda template, user: user.has_perm("contracts.add_contracttemplate"),
            success=lambda template, copy: (
                _("Version %(version)s was made; edit it and activate it.") % {"version": copy.version}
            ),
            redirect=lambda template, copy: copy.get_absolute_url(),
        )
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        template = form.save(commit=False)
        return services.save_template(template, actor=actor)


# --- the contract ------------------------------------------------------------------------------


class ContractViews(ObjectViews):
    model = Contract
    filterset_class = filters.ContractFilterSet
    form_class = forms.ContractForm
    add_form_class = forms.ContractDraftForm
    icon = "file-earmark-text"
    detail_template = "contracts/contract_detail.html"

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        return {"panels": panels("contract", obj, request.user)}  # e.g. the risks its clauses transfer

    list_select_related = ("engagement", "engagement__client", "drafter")
    detail_select_related = (
        "engagement",
        "engagement__client",
        "engagement__agreed_proposal",
        "plan_version",
        "template",
        "drafter",
        "legal_passed_by",
        "business_passed_by",
        "archived_by",
        "archived_pdf",
    )
    columns = [
        Column("code", link=True),
        Column("engagement", sort="engagement__code"),
        Column("state"),
        Column("version", sort=False),
        Column("total_fee"),
        Column("drafter", sort="drafter__full_name"),
        Column("updated_at"),
    ]
    detail_fields = [
        "code",
        "engagement",
        "plan_version",
        "template",
        "version",
        "state",
        "drafter",
        "total_fee",
        "currency",
        "period_start",
        "period_end",
        "scope_items",
        "milestones",
        "quality_standard",
        "acceptance_method",
        "special_terms",
        "archive_number",
        "archive_location",
        "archived_sha256",
    ]
    related_tables = [
        RelatedTable(
            "instalments",
            [
                Column("number", link=True),
                Column("amount"),
                Column("due_date"),
                Column("milestone"),
                Column("condition"),
            ],
            add_url_param="contract",
        )
    ]

    actions = [
        RecordAction(
            "submit",
            calls(services.submit),
            form=CommentForm,
            transition="submit",
            success=_("The contract was submitted for the legal and business reviews."),
        ),
        RecordAction(
            "legal-review",
            lambda contract, request, data: services.legal_review(
                contract,
                actor=request.user,
                checked=data["checked"],
                comment=data["comment"],
                passed=data["decision"] == "pass",
            ),
            form=forms.LegalReviewForm,
            initial=lambda contract, user: {"checked": contract.legal_checklist},
            when=lambda contract, user: (
                contract.state == ContractState.IN_REVIEW
                and contract.legal_passed_at is None
                and user.has_perm("contracts.legal_review_contract", contract)
            ),
            success=_("The legal review was recorded."),
        ),
        RecordAction(
            "business-review",
            lambda contract, request, data: services.business_review(
                contract, actor=request.user, comment=data["comment"], passed=data["decision"] == "pass"
            ),
            form=forms.BusinessReviewForm,
            when=lambda contract, user: (
                contract.state == ContractState.IN_REVIEW
                and contract.business_passed_at is None
                and user.has_perm("contracts.business_review_contract", contract)
            ),
            blocked=lambda contract, user: services.business_pass_blocked(contract),
            blocks="pass",
            success=_("The business review was recorded."),
        ),
        RecordAction(
            "justify",
            calls(services.justify),
            form=forms.JustifyForm,
            when=lambda contract, user: contract.state in JUSTIFIABLE,
            success=_("The justification was saved."),
            anchor="#consistency",
        ),
        RecordAction(
            "revise",
            calls(services.revise),
            form=CommentForm,
            transition="revise",
            success=_("A new version of the contract is being drafted."),
        ),
        RecordAction(
            "archive",
            calls(services.archive),
            form=forms.ArchiveForm,
            transition="archive",
            success=_("The signed original was archived."),
        ),
        RecordAction(
            "distribute",
            calls(services.distribute),
            form=forms.DistributeForm,
            when=lambda contract, user: (
                contract.state == ContractState.ARCHIVED
                and user.has_perm("contracts.archive_contract", contract)
            ),
            success=_("Copies were sent to the departments."),
            anchor="#copies",
        ),
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.draft_contract(data["engagement"], actor=actor, template=data["template"])
        return core_services.save_form(form, actor=actor)


class PaymentInstalmentViews(ObjectViews):
    model = PaymentInstalment
    form_class = forms.PaymentInstalmentForm
    icon = "cash-stack"
    list_select_related = ("contract__engagement",)
    detail_select_related = ("contract__engagement",)
    columns = [
        Column("contract", link=True, sort="contract__code"),
        Column("number", link=True),
        Column("amount"),
        Column("due_date"),
        Column("milestone"),
        Column("condition"),
    ]
    detail_fields = ["contract", "number", "amount", "due_date", "milestone", "condition"]


# A copy's receipt is acknowledged on its contract's page.
acknowledge_copy = record_action(
    ContractCopy,
    "acknowledge",
    calls(services.acknowledge),
    page=lambda copy: copy.contract,
    success=_("Receipt of the copy was acknowledged."),
    anchor="#copies",
)
