"""Pages of fee settlement (FEE-1..3): thin views over settlement.services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onestop.contracts.models import Contract
from onestop.core import reauth
from onestop.core import services as core_services
from onestop.core.actions import RecordAction, calls
from onestop.core.forms import SignerConfirmationForm
from onestop.core.views import Column, ObjectViews, RelatedTable
from onestop.settlement import exports, filters, forms, selectors, services
from onestop.settlement.models import Payment, Settlement, SettlementItem, WriteOff
from onestop.settlement.states import EDITABLE


class SettlementViews(ObjectViews):
    model = Settlement
    filterset_class = filters.SettlementFilterSet
    form_class = forms.SettlementForm
    add_form_class = forms.SettlementApplyForm
    icon = "cash-coin"
    detail_template = "settlement/settlement_detail.html"
    list_select_related = ("contract__engagement__client", "instalment", "applicant")
    list_prefetch_related = ("items",)
    detail_select_related = (
        "contract__engagement__client",
        "contract__project",
        "instalment",
        "applicant",
        "reviewed_by",
        "acceptance_round",
        "invoice_file",
    )
    columns = [
        Column("code", link=True),
        Column("contract", sort="contract__code"),
        Column("scope_label", sort=False),
        Column("amount", sort=False),
        Column("state"),
        Column("applicant", sort="applicant__full_name"),
        Column("updated_at"),
    ]
    detail_fields = [
        "code",
        "contract",
        "scope_label",
        "state",
        "version",
        "applicant",
        "payment_method",
        "description",
        "submitted_at",
        "reviewed_by",
        "approved_at",
    ]
    related_tables = [
        RelatedTable(
            "items",
            [Column("description", link=True), Column("amount"), Column("instalment", sort=False)],
            add_url_param="settlement",
        )
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.apply(
                data["contract"],
                actor=actor,
                instalment=data.get("instalment"),
                payment_method=data["payment_method"],
                description=data.get("description", ""),
            )
        return core_services.save_form(form, actor=actor)

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        """For staff the system's calculation next to the declared amounts (FEE-2)."""
        is_client = request.user.client_organization_id is not None
        try:
            acceptance_url = obj.acceptance_round.get_absolute_url()
        except NoReverseMatch:  # the acceptance pages are not installed
            acceptance_url = ""
        context = {
            "acceptance_url": acceptance_url,
            "is_client": is_client,
            "calc": None if is_client else selectors.calculation(obj),
        }
        if is_client:
            # Returns and their comments are finance's internal review; clients see the outcome.
            context["is_workflow"] = False
        return context

    actions = [
        RecordAction(
            "invoice",
            lambda settlement, request, data: services.attach_invoice(
                settlement,
                actor=request.user,
                number=data["invoice_number"],
                issued_on=data["invoice_date"],
                amount=data["invoice_amount"],
                upload=data.get("file"),
            ),
            form=forms.InvoiceForm,
            initial=lambda settlement, user: {
                "invoice_number": settlement.invoice_number,
                "invoice_date": settlement.invoice_date,
                "invoice_amount": settlement.invoice_amount,
            },
            when=lambda settlement, user: (
                settlement.state in EDITABLE and user.has_perm("settlement.change_settlement", settlement)
            ),
            success=gettext_lazy("The invoice was saved."),
        ),
        RecordAction(
            "submit",
            calls(services.submit),
            form=forms.SubmitForm,
            transition="submit",
            success=gettext_lazy("The settlement was submitted to finance."),
        ),
        RecordAction(
            "approve",
            # The page's button opens the signing page (core:document_sign); this route is its
            # twin for a direct POST and asks for the same password (or one-time code).
            lambda settlement, request, data: services.approve(
                settlement,
                actor=request.user,
                password=data.get("password", ""),
                otp=data.get("otp", ""),
                request=request,
            ),
            form=SignerConfirmationForm,
            form_kwargs=lambda settlement, user: {"methods": reauth.methods_for(user)},
            transition="approve",
            blocked=lambda settlement, user: services.approval_blocked(settlement),
            success=gettext_lazy("The settlement was approved and signed."),
        ),
        RecordAction(
            "return",
            calls(services.return_to_lead),
            form=forms.ReturnForm,
            transition="return_to_lead",
            success=gettext_lazy("The settlement was returned to the project lead."),
        ),
    ]


class SettlementItemViews(ObjectViews):
    model = SettlementItem
    filterset_class = filters.SettlementItemFilterSet
    form_class = forms.SettlementItemForm
    icon = "list-ol"
    list_select_related = ("settlement__contract", "instalment__contract")
    detail_select_related = ("settlement__contract", "instalment__contract")
    columns = [
        Column("settlement", link=True, sort="settlement__code"),
        Column("description", link=True),
        Column("amount"),
        Column("instalment", sort="instalment__number"),
    ]
    detail_fields = ["settlement", "description", "amount", "instalment"]


class PaymentViews(ObjectViews):
    model = Payment
    filterset_class = filters.PaymentFilterSet
    form_class = forms.PaymentEditForm
    add_form_class = forms.PaymentForm
    icon = "wallet2"
    allow_delete = False
    detail_template = "settlement/payment_detail.html"
    list_select_related = ("contract__engagement__client", "settlement__contract", "recorded_by")
    detail_select_related = ("contract__engagement__client", "settlement__contract", "recorded_by")
    default_sort = "-paid_on"
    columns = [
        Column("paid_on", link=True),
        Column("contract", sort="contract__code"),
        Column("direction"),
        Column("amount"),
        Column("method"),
        Column("reference"),
        Column("settlement", sort="settlement__code"),
    ]
    detail_fields = [
        "contract",
        "settlement",
        "direction",
        "paid_on",
        "amount",
        "method",
        "reference",
        "recorded_by",
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.record_payment(
                data["contract"],
                actor=actor,
                direction=data["direction"],
                paid_on=data["paid_on"],
                amount=data["amount"],
                method=data["method"],
                reference=data.get("reference", ""),
                note=data.get("note", ""),
                over_limit_reason=data.get("over_limit_reason", ""),
                settlement=data.get("settlement"),
            )
        return core_services.save_form(form, actor=actor)


class WriteOffViews(ObjectViews):
    model = WriteOff
    filterset_class = filters.WriteOffFilterSet
    form_class = forms.WriteOffForm
    icon = "x-octagon"
    allow_delete = False
    list_select_related = ("contract__engagement__client", "written_off_by")
    detail_select_related = ("contract__engagement__client", "written_off_by")
    columns = [
        Column("contract", link=True, sort="contract__code"),
        Column("amount"),
        Column("written_off_on"),
        Column("written_off_by", sort="written_off_by__full_name"),
    ]
    detail_fields = ["contract", "amount", "written_off_on", "written_off_by", "reason"]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.write_off(
                data["contract"], actor=actor, reason=data["reason"], on=data["written_off_on"]
            )
        return core_services.save_form(form, actor=actor)


# --- FEE-3: balance, ageing, ledger ----------------------------------------------------------


def _require_export(user):
    if not user.has_perm("settlement.export_payment"):
        raise PermissionDenied


@login_required
@require_GET
def contract_balance(request, pk):
    """A contract's account: value, approved changes, received, paid out, balance, write-off."""
    if request.user.client_organization_id is not None or not request.user.has_perm(
        "settlement.view_payment"
    ):
        raise PermissionDenied
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related("engagement__client"), pk=pk
    )
    payments = list(
        Payment.objects.filter(contract=contract)
        .select_related("settlement", "recorded_by")
        .order_by("paid_on", "pk")
    )
    settlements = list(
        Settlement.objects.filter(contract=contract).prefetch_related("items").select_related("instalment")
    )
    context = {
        "contract": contract,
        "account": selectors.balance(contract),
        "payments": payments,
        "settlements": settlements,
        "write_off": WriteOff.objects.filter(contract=contract).select_related("written_off_by").first(),
        "can_record": request.user.has_perm("settlement.add_payment"),
    }
    return render(request, "settlement/contract_balance.html", context)


@login_required
@require_GET
def ageing(request):
    """Receivables by days past due, per contract and client, with totals (FEE-3)."""
    _require_export(request.user)
    today = timezone.localdate()
    rows, totals, grand_total = selectors.ageing(today)
    by_client = {}
    for row in rows:
        client = row["contract"].engagement.client
        entry = by_client.setdefault(
            client.pk, {"client": client, "buckets": dict.fromkeys(selectors.BUCKETS, 0), "total": 0}
        )
        for name in selectors.BUCKETS:
            entry["buckets"][name] += row["buckets"][name]
        entry["total"] += row["total"]
    return render(
        request,
        "settlement/ageing.html",
        {
            "rows": rows,
            "clients": list(by_client.values()),
            "totals": totals,
            "grand_total": grand_total,
            "today": today,
            "bucket_labels": bucket_labels(),
        },
    )


def bucket_labels():
    return [
        ("current", _("Not yet due")),
        ("1_30", _("1–30 days")),
        ("31_60", _("31–60 days")),
        ("61_90", _("61–90 days")),
        ("over_90", _("Over 90 days")),
    ]


@login_required
@require_GET
def ledger(request):
    """The ledger export page: a date range, then CSV or Excel (finance and management only)."""
    _require_export(request.user)
    form = forms.LedgerFilterForm(request.GET or None)
    export = request.GET.get("format", "")
    if form.is_bound and not form.is_valid():
        return render(request, "settlement/ledger.html", {"form": form}, status=400)
    start = form.cleaned_data.get("start") if form.is_bound else None
    end = form.cleaned_data.get("end") if form.is_bound else None
    if export == "csv":
        return exports.ledger_csv(start, end)
    if export == "xlsx":
        return exports.ledger_xlsx(start, end)
    if export:
        raise Http404
    preview = Payment.objects.filter(
        **({"paid_on__gte": start} if start else {}), **({"paid_on__lte": end} if end else {})
    ).aggregate(count=Count("pk"), received=Sum("amount", filter=Q(direction=Payment.Direction.RECEIVED)))
    return render(
        request,
        "settlement/ledger.html",
        {"form": form, "preview": preview, "query": request.GET.urlencode()},
    )
