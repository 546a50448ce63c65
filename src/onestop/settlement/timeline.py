"""Settlement events for the engagement's timeline (X-1): applications, returns, approvals with
the signature hash, each payment and the write-off, each filtered by what the viewer may see."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from onestop.core.models import Signature
from onestop.engagements.records import records_of
from onestop.settlement.models import Payment, Settlement, WriteOff

ICONS = {"submit": "send", "return_to_lead": "arrow-return-left", "approve": "check2-circle"}


def events(engagement, user) -> list[dict]:
    settlements = list(
        Settlement.objects.visible_to(user)
        .filter(contract__engagement=engagement)
        .select_related("applicant")
    )
    is_client = user.client_organization_id is not None
    result = []
    by_pk = {s.pk: s for s in settlements}
    for settlement in settlements:
        result.append(
            {
                "at": settlement.created_at,
                "kind": "settlement",
                "title": _("Settlement %(code)s applied for") % {"code": settlement.code},
                "who": settlement.applicant,
                "icon": "cash-coin",
            }
        )
    if by_pk:
        content_type = ContentType.objects.get_for_model(Settlement)
        hashes = {
            (s.object_id, s.version): s.sha256
            for s in Signature.objects.filter(content_type=content_type, object_id__in=by_pk)
        }
        for row in (
            StateLog.objects.filter(content_type=content_type, object_id__in=by_pk)
            .select_related("by")
            .order_by("timestamp", "pk")
        ):
            settlement = by_pk[row.object_id]
            if is_client and row.transition != "approve":
                continue  # returns and corrections are the company's internal review
            detail = "" if is_client else (row.description or "")
            if row.transition == "approve":
                digest = next((h for (pk, _v), h in hashes.items() if pk == settlement.pk), "")
                detail = _("Signed by finance, SHA-256 %(hash)s") % {"hash": digest} if digest else detail
            result.append(
                {
                    "at": row.timestamp,
                    "kind": "settlement",
                    "title": _("Settlement %(code)s: %(state)s")
                    % {"code": settlement.code, "state": settlement.state_label(row.state)},
                    "who": row.by,
                    "detail": detail,
                    "icon": ICONS.get(row.transition, "dot"),
                }
            )
    for payment in (
        Payment.objects.visible_to(user)
        .filter(contract__engagement=engagement)
        .select_related("recorded_by", "contract")
    ):
        result.append(
            {
                "at": payment.created_at,
                "kind": "payment",
                "title": _("%(direction)s: %(currency)s %(amount)s on %(day)s")
                % {
                    "direction": payment.get_direction_display(),
                    "currency": payment.contract.currency,
                    "amount": f"{payment.amount:,.2f}",
                    "day": payment.paid_on.isoformat(),
                },
                "who": payment.recorded_by,
                "icon": "wallet2",
            }
        )
    for record in (
        WriteOff.objects.visible_to(user)
        .filter(contract__engagement=engagement)
        .select_related("written_off_by", "contract")
    ):
        result.append(
            {
                "at": record.created_at,
                "kind": "payment",
                "title": _("Balance of %(currency)s %(amount)s written off")
                % {"currency": record.contract.currency, "amount": f"{record.amount:,.2f}"},
                "who": record.written_off_by,
                "detail": record.reason,
                "icon": "x-octagon",
            }
        )
    return result


def records(engagement, user) -> list:
    """Settlements and payments on the engagement's records panel (engagements/records.py); two
    queries."""
    return [
        *records_of(
            Settlement, user, contract__engagement=engagement, title=lambda s: s.code, icon="cash-coin"
        ),
        *records_of(
            Payment,
            user,
            contract__engagement=engagement,
            title=lambda p: f"{p.get_direction_display()} {p.amount:,.2f} · {p.get_method_display()}",
            order_by=("paid_on", "pk"),
            at="paid_on",
            icon="cash-stack",
        ),
    ]
