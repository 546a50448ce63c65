"""Use cases of fee settlement (FEE-1..3). The HTML views and the API call these alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.acceptance.selectors import passed_round
from onestop.accounts.models import User
from onestop.contracts.models import Contract
from onestop.core import attachments, reauth, signatures
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.core.services import ensure_editable, save
from onestop.core.workflow import perform_transition
from onestop.notifications import services as notifications
from onestop.notifications.models import Notification
from onestop.settlement import selectors
from onestop.settlement.models import Payment, PaymentMethod, Settlement, SettlementItem, WriteOff
from onestop.settlement.states import PaymentDirection, SettlementState

# Lazy: a module-level message must be translated when shown, not when imported.
ACCEPTANCE_REQUIRED = gettext_lazy("Settlement can be applied for only after acceptance has passed")


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(f"settlement.{perm}", obj):
        raise PermissionDenied


def _locked(settlement: Settlement) -> Settlement:
    return (
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the instalment's outer join.
        Settlement.objects.select_for_update(of=("self",))
        .select_related("contract", "instalment")
        .get(pk=settlement.pk)
    )


# --- FEE-1: the application ----------------------------------------------------------------


def _milestone_for(project, instalment):
    if instalment is None or not instalment.milestone:
        return None
    return project.milestones.filter(name=instalment.milestone.strip()).first()


def passed_acceptance(contract, instalment=None):
    """The passed acceptance round a settlement of ``contract`` (or its ``instalment``) rests on.

    A whole-contract settlement needs the project's passed acceptance; an instalment tied to a
    milestone needs that milestone's (or the whole project's). Raises DomainError otherwise.
    """
    project = getattr(contract, "project", None)
    if project is None:
        raise DomainError(
            str(ACCEPTANCE_REQUIRED) + _(": the contract has no project yet."), code=ErrorCode.GATE_NOT_MET
        )
    milestone = _milestone_for(project, instalment)
    found = passed_round(project, milestone) if milestone is not None else passed_round(project)
    if found is None:
        what = milestone.name if milestone is not None else project.code
        raise DomainError(
            _("%(rule)s: %(what)s has no passed acceptance round.")
            % {"rule": ACCEPTANCE_REQUIRED, "what": what},
            code=ErrorCode.GATE_NOT_MET,
        )
    return found


def _report_hash(acceptance_round) -> str:
    """The SHA-256 of the latest signature on the round's acceptance report ('' when unsigned)."""
    rows = signatures.signatures_for(acceptance_round).order_by("-signed_at", "-pk")
    first = rows.first()
    return first.sha256 if first is not None else ""


def prefill_items(settlement: Settlement) -> list[SettlementItem]:
    """Fee items from the payment schedule (instalments not yet settled) and approved changes."""
    contract = settlement.contract
    items = []
    if settlement.instalment is not None:  # None, without a query, when no instalment is named
        instalments = [settlement.instalment]
    else:
        covered = selectors.settled_instalment_ids(contract, exclude=settlement)
        instalments = [i for i in contract.instalments.order_by("number") if i.pk not in covered]
    for instalment in instalments:
        label = _("Instalment %(number)s") % {"number": instalment.number}
        detail = instalment.milestone or instalment.condition
        items.append(
            SettlementItem(
                settlement=settlement,
                description=f"{label}：{detail}" if detail else label,
                amount=instalment.amount,
                instalment=instalment,
            )
        )
    changes = selectors.approved_changes(contract)
    if settlement.instalment_id is None and changes:
        items.append(SettlementItem(settlement=settlement, description=_("Approved changes"), amount=changes))
    return items


@transaction.atomic
def apply(
    contract,
    *,
    actor,
    instalment=None,
    payment_method: str = PaymentMethod.BANK_TRANSFER,
    description: str = "",
) -> Settlement:
    """FEE-1: the project lead opens the settlement application, prefilled from the contract."""
    _require(actor, "add_settlement")
    contract = (
        Contract.objects.select_for_update(of=("self",)).select_related("engagement").get(pk=contract.pk)
    )
    project = getattr(contract, "project", None)
    is_admin = actor.is_superuser or actor.has_role(Role.SYSTEM_ADMIN)
    if project is not None and not is_admin and project.project_lead_id != actor.pk:
        raise PermissionDenied(_("Only the project lead applies for the settlement of this project."))
    if instalment is not None and instalment.contract_id != contract.pk:
        raise DomainError(
            _("Choose an instalment of this contract."), field="instalment", code=ErrorCode.INVALID
        )
    acceptance_round = passed_acceptance(contract, instalment)
    open_rows = Settlement.objects.filter(contract=contract).exclude(state=SettlementState.APPROVED)
    if open_rows.exists():
        raise ConflictError(
            _("%(code)s already has a settlement application in progress (%(other)s); finish it first.")
            % {"code": contract.code, "other": open_rows.first().code}
        )
    if instalment is not None and instalment.pk in selectors.settled_instalment_ids(contract):
        raise DomainError(
            _("Instalment %(number)s is already settled.") % {"number": instalment.number},
            field="instalment",
            code=ErrorCode.ALREADY_DONE,
        )
    if instalment is None and Settlement.objects.filter(contract=contract, instalment__isnull=True).exists():
        raise DomainError(_("The whole contract has already been settled."), code=ErrorCode.ALREADY_DONE)
    settlement = Settlement(
        code=next_code("ST"),
        contract=contract,
        instalment=instalment,
        acceptance_round=acceptance_round,
        acceptance_sha256=_report_hash(acceptance_round),
        applicant=actor,
        payment_method=payment_method,
        description=(description or "").strip(),
    )
    save(settlement, actor=actor, reason=_("Settlement applied for"))
    items = prefill_items(settlement)
    if not items:
        raise DomainError(
            _("Every instalment of %(code)s is already settled.") % {"code": contract.code},
            code=ErrorCode.ALREADY_DONE,
        )
    for item in items:
        save(item, actor=actor, reason=_("Prefilled from the contract"))
    return settlement


@transaction.atomic
def attach_invoice(
    settlement: Settlement, *, actor, number: str, issued_on: date, amount: Decimal, upload=None
):
    """The invoice: number, date, amount and its file (checked by core.attachments)."""
    settlement = _locked(settlement)
    ensure_editable(settlement)
    _require(actor, "change_settlement", settlement)
    number = (number or "").strip()
    if not number:
        raise DomainError(_("Give the invoice number."), field="invoice_number", code=ErrorCode.INVALID)
    if upload is None and not settlement.invoice_file_id:
        raise DomainError(_("Upload the invoice file."), field="file", code=ErrorCode.INVALID)
    if upload is not None:
        settlement.invoice_file = attachments.add_attachment(
            settlement, upload, actor=actor, description=_("Invoice %(number)s") % {"number": number}
        )
    settlement.invoice_number, settlement.invoice_date, settlement.invoice_amount = number, issued_on, amount
    return save(settlement, actor=actor, reason=_("Invoice %(number)s attached") % {"number": number})


@transaction.atomic
def submit(settlement: Settlement, *, actor, comment: str = "") -> Settlement:
    """The lead submits (or, after a return, resubmits) the application to finance."""
    settlement = _locked(settlement)
    resubmitted = settlement.state == SettlementState.RETURNED
    perform_transition(settlement, "submit", actor=actor, comment=comment)
    notifications.notify(
        list(User.objects.with_role(Role.FINANCE)),
        title=(
            _("Settlement %(code)s was corrected and resubmitted for review")
            if resubmitted
            else _("Settlement %(code)s awaits your review")
        )
        % {"code": settlement.code},
        url=settlement.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=settlement,
    )
    return settlement


@transaction.atomic
def return_to_lead(settlement: Settlement, *, actor, comment: str) -> Settlement:
    """FEE-2: finance returns the application with the corrections required."""
    settlement = _locked(settlement)
    perform_transition(settlement, "return_to_lead", actor=actor, comment=comment)
    notifications.notify(
        [settlement.applicant],
        title=_("Settlement %(code)s was returned for correction") % {"code": settlement.code},
        body=comment,
        url=settlement.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=settlement,
    )
    return settlement


def check_consistency(settlement: Settlement) -> None:
    """FEE-2: the attachments are present and agree with the application."""
    amount = settlement.amount
    if not settlement.invoice_file_id:
        raise DomainError(_("The invoice file is missing."), code=ErrorCode.CONDITION_UNMET)
    if settlement.invoice_amount != amount:
        raise DomainError(
            _("The invoice amount %(invoice)s differs from the settlement amount %(amount)s.")
            % {
                "invoice": money(settlement.invoice_amount or Decimal("0"), settlement.currency),
                "amount": money(amount, settlement.currency),
            },
            code=ErrorCode.CONDITION_UNMET,
        )
    if settlement.acceptance_round.state != settlement.acceptance_round.State.PASSED:
        raise DomainError(str(ACCEPTANCE_REQUIRED), code=ErrorCode.GATE_NOT_MET)


def approval_blocked(settlement: Settlement) -> str:
    """Why finance cannot approve now ("" when it can): ``check_consistency``'s refusal. The
    page shows the approve button disabled with it (the return form stays open)."""
    try:
        check_consistency(settlement)
    except DomainError as refusal:
        return refusal.message
    return ""


def approve(
    settlement: Settlement, *, actor, password="", otp="", request=None, ip_address=None, expected_sha256=""
) -> Settlement:
    """FEE-2: finance approves by signing the settlement form; the signature's hook
    (``after_signed``) checks the attachments and approves, all in one transaction.

    The signer's password (or one-time code) is checked before that transaction begins: a wrong
    one is recorded for the lockout and the security events even though nothing else is kept."""
    _require(actor, "review_settlement", settlement)  # a stranger is refused before any password
    consent = reauth.confirm(actor, password=password, otp=otp, request=request)
    if ip_address is None and request is not None:
        ip_address = signatures.client_ip(request)
    return _approve(
        settlement, actor=actor, consent=consent, ip_address=ip_address, expected_sha256=expected_sha256
    )


@transaction.atomic
def _approve(settlement: Settlement, *, actor, consent, ip_address, expected_sha256) -> Settlement:
    from onestop.settlement.documents import settlement_form  # noqa: PLC0415 — cycle: settlement.documents imports this module at load

    settlement = _locked(settlement)
    _require(actor, "review_settlement", settlement)
    if settlement.state != SettlementState.SUBMITTED:
        raise DomainError(
            _("Only a submitted settlement can be approved; %(code)s is “%(state)s”.")
            % {"code": settlement.code, "state": settlement.state_label()},
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    check_consistency(settlement)
    signatures.sign(
        settlement_form(),
        settlement,
        actor=actor,
        role="finance",
        consent=consent,
        ip_address=ip_address,
        expected_sha256=expected_sha256,
    )
    settlement.refresh_from_db()
    return settlement


def after_signed(settlement: Settlement, signature, *, actor) -> None:
    """Inside the signing transaction (whether signed from the page's form panel, the review
    button or the API): the checks, then the approval; a refusal rolls the signature back."""
    settlement = _locked(settlement)
    check_consistency(settlement)
    perform_transition(
        settlement,
        "approve",
        actor=actor,
        comment=_("Signed, SHA-256 %(hash)s") % {"hash": signature.sha256[:16]},
    )
    notifications.notify(
        [settlement.applicant],
        title=_("Settlement %(code)s was approved by finance") % {"code": settlement.code},
        url=settlement.get_absolute_url(),
        target=settlement,
    )
    _close_if_complete(settlement.contract, actor)


# --- closing the engagement (X-1, X-2) -----------------------------------------------------


def close_engagement_if_complete(engagement, *, actor) -> bool:
    """Close ``engagement`` when nothing keeps it open (``selectors.closing_blockers``): its
    acceptance has passed and its fees are paid in full or written off. True when closed now.

    Called in the transaction that approves the last settlement, records the last payment or
    writes the balance off, so the engagement closes exactly when it becomes complete.
    """
    if engagement.stage != engagement.Stage.CONFIRMED or selectors.closing_blockers(engagement):
        return False
    perform_transition(engagement, "close", actor=actor, comment=_("Acceptance passed and fees settled."))
    return True


def _close_if_complete(contract, actor) -> bool:
    engagement = type(contract.engagement)._default_manager.get(pk=contract.engagement_id)
    return close_engagement_if_complete(engagement, actor=actor)


# --- FEE-3: payments and write-offs --------------------------------------------------------


def _lock_contract(contract):
    return Contract.objects.select_for_update(of=("self",)).select_related("engagement").get(pk=contract.pk)


@transaction.atomic
def record_payment(
    contract,
    *,
    actor,
    direction: str,
    paid_on: date,
    amount: Decimal,
    method: str,
    reference: str = "",
    note: str = "",
    over_limit_reason: str = "",
    settlement: Settlement | None = None,
) -> Payment:
    """FEE-3: record money received or paid out; partial payments are normal.

    Money received beyond the contract value plus approved changes is refused unless finance
    gives the reason. A payment that settles the contract in full closes the engagement.
    """
    _require(actor, "add_payment")
    contract = _lock_contract(contract)
    amount = Decimal(amount)
    if amount <= 0:
        raise DomainError(_("The amount must be greater than zero."), field="amount", code=ErrorCode.INVALID)
    over_limit_reason = (over_limit_reason or "").strip()
    if WriteOff.objects.filter(contract=contract).exists():
        raise DomainError(
            _("The balance of %(code)s was written off; no more payments.") % {"code": contract.code},
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    if direction == PaymentDirection.RECEIVED:
        current = selectors.balance(contract)
        if current.received + amount > current.receivable and not over_limit_reason:
            raise DomainError(
                _(
                    "Receiving %(amount)s would bring the money received to %(total)s, more than the contract "
                    "value plus approved changes (%(limit)s). Give the reason to record it anyway."
                )
                % {
                    "amount": money(amount, contract.currency),
                    "total": money(current.received + amount, contract.currency),
                    "limit": money(current.receivable, contract.currency),
                },
                field="over_limit_reason",
                code=ErrorCode.AMOUNT_EXCEEDS_CONTRACT,
            )
    if settlement is not None:
        settlement = Settlement.objects.get(pk=settlement.pk)  # as stored, not as the caller last saw it
    payment = Payment(
        contract=contract,
        settlement=settlement,
        direction=direction,
        paid_on=paid_on,
        amount=amount,
        method=method,
        reference=(reference or "").strip(),
        note=(note or "").strip(),
        over_limit_reason=over_limit_reason,
        recorded_by=actor,
    )
    save(payment, actor=actor, reason=_("Payment recorded"))
    _close_if_complete(contract, actor)
    return payment


@transaction.atomic
def write_off(contract, *, actor, reason: str, on: date | None = None) -> WriteOff:
    """FEE-3: finance writes off the remaining balance, with the reason; the engagement closes."""
    _require(actor, "add_writeoff")
    contract = _lock_contract(contract)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the write-off."), field="reason", code=ErrorCode.INVALID)
    if WriteOff.objects.filter(contract=contract).exists():
        raise ConflictError(_("The balance of %(code)s is already written off.") % {"code": contract.code})
    remaining = selectors.balance(contract).balance
    if remaining <= 0:
        raise DomainError(
            _("Nothing is outstanding on %(code)s; there is nothing to write off.") % {"code": contract.code},
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    record = WriteOff(
        contract=contract,
        amount=remaining,
        reason=reason,
        written_off_on=on or timezone.localdate(),
        written_off_by=actor,
    )
    save(record, actor=actor, reason=_("Balance written off"))
    _close_if_complete(contract, actor)
    return record
