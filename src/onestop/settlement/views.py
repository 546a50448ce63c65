"""Pages of fee settlement (FEE-1..3): thin views over settlement.services."""

from __future__ import annotations

import csv
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onestop.core import services as core_services
from onestop.core.exceptions import DomainError
from onestop.core.signatures import client_ip
from onestop.core.views import Column, ObjectDetailView, ObjectViews, RelatedTable, action_done
from onestop.core.views_workflow import refused
from onestop.settlement import filters, forms, selectors, services
from onestop.settlement.models import Payment, Settlement, SettlementItem, WriteOff


class SettlementDetailView(ObjectDetailView):
    """The settlement page: for staff the system's calculation next to the declared amounts
    (FEE-2), and the next step for the lead (invoice, submit) or finance (approve, return)."""

    def base_context(self, **extra):
        context = super().base_context(**extra)
        settlement = extra.get("object")
        if settlement is None:
            return context
        user = self.request.user
        is_client = user.client_organization_id is not None
        editable = settlement.state in (Settlement.State.DRAFT, Settlement.State.RETURNED)
        try:
            acceptance_url = settlement.acceptance_round.get_absolute_url()
        except NoReverseMatch:  # the acceptance pages are not installed
            acceptance_url = ""
        if is_client:
            # Returns and their comments are finance's internal review; clients see the outcome.
            context["is_workflow"] = False
        context.update(
            acceptance_url=acceptance_url,
            is_client=is_client,
            calc=None if is_client else selectors.calculation(settlement),
            can_edit=editable and user.has_perm("settlement.change_settlement", settlement),
            can_review=settlement.state == Settlement.State.SUBMITTED
            and user.has_perm("settlement.review_settlement", settlement),
        )
        return context


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
    def urls(cls) -> list:
        patterns = super().urls()
        for index, pattern in enumerate(patterns):
            if pattern.name == "settlement_detail":
                patterns[index] = path(
                    "settlements/<int:pk>/",
                    SettlementDetailView.as_view(viewset=cls),
                    name="settlement_detail",
                )
        return patterns


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


# --- actions on a settlement -----------------------------------------------------------------


def _settlement(request, pk) -> Settlement:
    settlement = get_object_or_404(
        Settlement.objects.visible_to(request.user).select_related("contract", "instalment"), pk=pk
    )
    if not request.user.has_perm("settlement.view_settlement", settlement):
        raise Http404
    return settlement


def _run(request, settlement, action, success: str):
    try:
        action()
    except DomainError as exc:
        return refused(request, settlement, exc.message, exc.status_code, settlement.get_absolute_url())
    return action_done(request, settlement, success)


@login_required
@require_POST
def settlement_invoice(request, pk):
    settlement = _settlement(request, pk)
    form = forms.InvoiceForm(request.POST, request.FILES)
    if not form.is_valid():
        message = "; ".join(str(m) for errors in form.errors.values() for m in errors)
        return refused(request, settlement, message, 400, settlement.get_absolute_url())
    data = form.cleaned_data
    return _run(
        request,
        settlement,
        lambda: services.attach_invoice(
            settlement,
            actor=request.user,
            number=data["invoice_number"],
            issued_on=data["invoice_date"],
            amount=data["invoice_amount"],
            upload=data.get("file"),
        ),
        _("The invoice was saved."),
    )


@login_required
@require_POST
def settlement_submit(request, pk):
    settlement = _settlement(request, pk)
    comment = request.POST.get("comment", "")[:2000]
    return _run(
        request,
        settlement,
        lambda: services.submit(settlement, actor=request.user, comment=comment),
        _("The settlement was submitted to finance."),
    )


@login_required
@require_POST
def settlement_return(request, pk):
    settlement = _settlement(request, pk)
    comment = request.POST.get("comment", "")[:2000]
    return _run(
        request,
        settlement,
        lambda: services.return_to_lead(settlement, actor=request.user, comment=comment),
        _("The settlement was returned to the project lead."),
    )


@login_required
@require_POST
def settlement_approve(request, pk):
    settlement = _settlement(request, pk)
    return _run(
        request,
        settlement,
        lambda: services.approve(settlement, actor=request.user, ip_address=client_ip(request)),
        _("The settlement was approved and signed."),
    )


# --- FEE-3: balance, ageing, ledger ----------------------------------------------------------


def _require_export(user):
    if not user.has_perm("settlement.export_payment"):
        raise PermissionDenied


@login_required
@require_GET
def contract_balance(request, pk):
    """A contract's account: value, approved changes, received, paid out, balance, write-off."""
    from onestop.contracts.models import Contract

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


LEDGER_COLUMNS = ("date", "contract", "client", "direction", "amount", "method", "reference", "settlement")


def ledger_headers():
    return [
        _("Date"),
        _("Contract"),
        _("Client"),
        _("Direction"),
        _("Amount"),
        _("Payment method"),
        _("Reference"),
        _("Settlement"),
    ]


def ledger_rows(start: date | None, end: date | None):
    rows = Payment.objects.select_related("contract__engagement__client", "settlement").order_by(
        "paid_on", "pk"
    )
    condition = Q()
    if start:
        condition &= Q(paid_on__gte=start)
    if end:
        condition &= Q(paid_on__lte=end)
    for payment in rows.filter(condition).iterator(chunk_size=2000):
        yield [
            payment.paid_on,
            payment.contract.code,
            payment.contract.engagement.client.name,
            payment.get_direction_display(),
            payment.amount,
            payment.get_method_display(),
            payment.reference,
            payment.settlement.code if payment.settlement_id else "",
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
        return ledger_csv(start, end)
    if export == "xlsx":
        return ledger_xlsx(start, end)
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


def _filename(start, end, ext):
    span = f"{start or 'start'}_{end or 'end'}"
    return f"ledger_{span}.{ext}"


def ledger_csv(start, end) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(start, end, "csv")}"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese text correctly with a BOM
    writer = csv.writer(response)
    writer.writerow(ledger_headers())
    for row in ledger_rows(start, end):
        writer.writerow([row[0].isoformat(), *row[1:4], f"{row[4]:.2f}", *row[5:]])
    return response


def ledger_xlsx(start, end) -> HttpResponse:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Ledger"))
    sheet.append(ledger_headers())
    for row in ledger_rows(start, end):
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(start, end, "xlsx")}"'
    return response
