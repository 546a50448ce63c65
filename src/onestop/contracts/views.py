from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.contracts import filters, forms, services
from onestop.contracts.models import (
    Contract,
    ContractCopy,
    ContractTemplate,
    PaymentInstalment,
    SigningAuthorization,
)
from onestop.core import services as core_services
from onestop.core.exceptions import DomainError
from onestop.core.views import Column, ObjectViews, RelatedTable
from onestop.core.views_workflow import refused


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

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        template = form.save(commit=False)
        return services.save_template(template, actor=actor)


@login_required
@require_POST
def template_new_version(request, pk):
    template = get_object_or_404(ContractTemplate.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm("contracts.add_contracttemplate"):
        raise PermissionDenied
    copy = services.new_version(template, actor=request.user)
    messages.success(
        request, _("Version %(version)s was made; edit it and activate it.") % {"version": copy.version}
    )
    return HttpResponseRedirect(copy.get_absolute_url())


# --- the contract ------------------------------------------------------------------------------


class ContractViews(ObjectViews):
    model = Contract
    filterset_class = filters.ContractFilterSet
    form_class = forms.ContractForm
    add_form_class = forms.ContractDraftForm
    icon = "file-earmark-text"
    detail_template = "contracts/contract_detail.html"
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


def _contract(request, pk):
    contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm("contracts.view_contract", contract):
        raise Http404
    return contract


def _run(request, contract, action, success: str):
    """Run a service; a refusal is shown on the page (400), a success redirects back."""
    try:
        action()
    except DomainError as exc:
        return refused(request, contract, exc.message, exc.status_code, contract.get_absolute_url())
    messages.success(request, success)
    return HttpResponseRedirect(contract.get_absolute_url())


def _form_refused(request, contract, form):
    errors = "; ".join(f"{message}" for messages_ in form.errors.values() for message in messages_)
    return refused(request, contract, errors, 400, contract.get_absolute_url())


@login_required
@require_POST
def contract_submit(request, pk):
    contract = _contract(request, pk)
    return _run(
        request,
        contract,
        lambda: services.submit(contract, actor=request.user, comment=request.POST.get("comment", "")),
        _("The contract was submitted for the legal and business reviews."),
    )


@login_required
@require_POST
def contract_legal_review(request, pk):
    contract = _contract(request, pk)
    form = forms.LegalReviewForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, contract, form)
    data = form.cleaned_data
    return _run(
        request,
        contract,
        lambda: services.legal_review(
            contract,
            actor=request.user,
            checked=data["checked"],
            comment=data["comment"],
            passed=data["decision"] == "pass",
        ),
        _("The legal review was recorded."),
    )


@login_required
@require_POST
def contract_business_review(request, pk):
    contract = _contract(request, pk)
    form = forms.BusinessReviewForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, contract, form)
    data = form.cleaned_data
    return _run(
        request,
        contract,
        lambda: services.business_review(
            contract, actor=request.user, comment=data["comment"], passed=data["decision"] == "pass"
        ),
        _("The business review was recorded."),
    )


@login_required
@require_POST
def contract_justify(request, pk):
    contract = _contract(request, pk)
    form = forms.JustifyForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, contract, form)
    data = form.cleaned_data
    return _run(
        request,
        contract,
        lambda: services.justify(contract, actor=request.user, field=data["field"], reason=data["reason"]),
        _("The justification was saved."),
    )


@login_required
@require_POST
def contract_revise(request, pk):
    contract = _contract(request, pk)
    return _run(
        request,
        contract,
        lambda: services.revise(contract, actor=request.user),
        _("A new version of the contract is being drafted."),
    )


@login_required
@require_POST
def contract_archive(request, pk):
    contract = _contract(request, pk)
    form = forms.ArchiveForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, contract, form)
    data = form.cleaned_data
    return _run(
        request,
        contract,
        lambda: services.archive(
            contract, actor=request.user, archive_number=data["archive_number"], location=data["location"]
        ),
        _("The signed original was archived."),
    )


@login_required
@require_POST
def contract_distribute(request, pk):
    contract = _contract(request, pk)
    form = forms.DistributeForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, contract, form)
    return _run(
        request,
        contract,
        lambda: services.distribute(
            contract, actor=request.user, departments=form.cleaned_data["departments"]
        ),
        _("Copies were sent to the departments."),
    )


@login_required
@require_POST
def copy_acknowledge(request, pk):
    copy = get_object_or_404(ContractCopy.objects.visible_to(request.user).select_related("contract"), pk=pk)
    contract = copy.contract
    return _run(
        request,
        contract,
        lambda: services.acknowledge(copy, actor=request.user),
        _("Receipt of the copy was acknowledged."),
    )
