"""Use cases of the contract stage (CON-1..3)."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Field
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from onestop.contracts import consistency, states
from onestop.contracts.models import (
    CLAUSES,
    LEGAL_CHECKLIST,
    Contract,
    ContractCopy,
    ContractTemplate,
    PaymentInstalment,
    SigningAuthorization,
)
from onestop.contracts.templating import render_clauses
from onestop.core import attachments, pdf, policy, signatures
from onestop.core import services as core_services
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.core.workflow import perform_transition
from onestop.engagements.models import Engagement
from onestop.notifications import calendar
from onestop.notifications import services as notifications
from onestop.notifications.models import Notification

# --- CON-3: signing authority --------------------------------------------------------------


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def _day(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def check_signing_authority(user, amount: Decimal, on_date=None, *, currency: str | None = None):
    """The authorization under which ``user`` may sign a contract of ``amount`` on ``on_date``.

    Raises DomainError saying why not: no authorization at all, none valid on that day
    (expired or not yet valid), or the amount above every valid authorization's limit.
    """

    on_date = on_date or timezone.localdate()
    currency = (currency or settings.DEFAULT_CURRENCY).upper()
    amount = Decimal(amount)
    name = getattr(user, "display_name", str(user))
    grants = list(SigningAuthorization.objects.filter(representative=user).order_by("-valid_from", "-pk"))
    if not grants:
        raise DomainError(
            _("%(name)s holds no signing authorization for the company and may not sign contracts.")
            % {"name": name}
        )
    valid = [grant for grant in grants if grant.is_valid_on(on_date)]
    if not valid:
        future = [grant for grant in grants if grant.valid_from > on_date]
        if future:
            raise DomainError(
                _("The signing authorization of %(name)s is not valid yet: it starts on %(start)s.")
                % {"name": name, "start": _day(min(g.valid_from for g in future))}
            )
        raise DomainError(
            _("The signing authorization of %(name)s expired on %(end)s.")
            % {"name": name, "end": _day(max(g.valid_to for g in grants if g.valid_to))}
        )
    for grant in valid:
        if grant.covers(amount, currency):
            return grant
    limits = "、".join(grant.limit_label for grant in valid)
    raise DomainError(
        _("%(name)s may sign contracts up to %(limit)s; this contract is %(amount)s.")
        % {"name": name, "limit": limits, "amount": _money(amount, currency)}
    )


# --- CON-1: contract templates ---------------------------------------------------------------


@transaction.atomic
def save_template(template: ContractTemplate, *, actor, reason: str = "") -> ContractTemplate:
    """Save a template version: a new one gets the next version number of its code, and
    activating a version deactivates the other versions of that code."""
    if template.pk is None:
        versions = list(
            ContractTemplate.objects.select_for_update()
            .filter(code=template.code)
            .values_list("version", flat=True)
        )
        latest = max(versions, default=0)
        template.version = latest + 1
    if template.is_active:
        for other in ContractTemplate.objects.filter(code=template.code, is_active=True).exclude(
            pk=template.pk
        ):
            other.is_active = False
            other._history_user = actor
            other._change_reason = _("Version %(version)s activated") % {"version": template.version}
            other.save(update_fields=["is_active", "updated_at"])
    return core_services.save(template, actor=actor, reason=reason)


def new_version(template: ContractTemplate, *, actor) -> ContractTemplate:
    """A copy of ``template`` as the next (inactive) version of its code, to be edited."""
    _require(actor, "add_contracttemplate")
    copy = ContractTemplate(code=template.code, name=template.name, is_active=False)
    for name in CLAUSES:
        setattr(copy, name, getattr(template, name))
    return save_template(
        copy, actor=actor, reason=_("New version of version %(version)s") % {"version": template.version}
    )


def mark_used(template: ContractTemplate) -> None:
    """Freeze a template version once a contract is drafted from it."""
    if template.first_used_at is None:
        ContractTemplate.objects.filter(pk=template.pk, first_used_at__isnull=True).update(
            first_used_at=timezone.now()
        )
        template.refresh_from_db(fields=["first_used_at"])


def active_template(code: str | None = None) -> ContractTemplate:
    rows = ContractTemplate.objects.filter(is_active=True)
    if code:
        rows = rows.filter(code=code)
    template = rows.order_by("code", "-version").first()
    if template is None:
        raise DomainError(_("No active contract template: legal must activate one first."))
    return template


# --- CON-1..3: the contract ------------------------------------------------------------------

COMPANY_NAME = "一站式技術服務有限公司"


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(f"contracts.{perm}", obj):
        raise PermissionDenied


def _users_with(role):
    return list(get_user_model().objects.with_role(role))


def effective_plan(engagement):
    """The approved, effective plan version (X-2: no contract without one)."""
    try:
        from onestop.plans.services import require_effective_plan  # noqa: PLC0415 — optional: without the plans app installed, the ImportError is the gate's refusal (X-2)
    except ImportError:  # the plans app is not installed
        raise DomainError(
            _("No approved plan: a contract is drafted only from an approved service plan.")
        ) from None
    return require_effective_plan(engagement)


def check_gate(engagement):
    """X-2: a contract needs a signed confirmation form and an approved, effective plan."""
    if engagement.stage != Engagement.Stage.CONFIRMED or engagement.agreed_proposal_id is None:
        raise DomainError(
            _("A contract needs a signed requirement confirmation form; %(code)s is “%(stage)s”.")
            % {"code": engagement.code, "stage": engagement.state_label()}
        )
    return effective_plan(engagement)


@transaction.atomic
def draft_contract(engagement, *, actor, template=None) -> Contract:
    """Legal drafts the contract of ``engagement`` from the signed confirmation and the
    effective plan, with ``template`` (default: the active one); the terms are prefilled."""
    _require(actor, "add_contract")
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("agreed_proposal")
        .get(pk=engagement.pk)
    )
    plan = check_gate(engagement)
    if Contract.objects.filter(engagement=engagement).exists():
        raise ConflictError(_("%(code)s already has a contract.") % {"code": engagement.code})
    template = template or active_template()
    if not template.is_active:
        raise DomainError(_("Choose an active contract template."), field="template")
    terms = engagement.agreed_proposal
    milestones = list(plan.milestones.order_by("due_date", "pk"))
    contract = Contract(
        code=next_code("CT"),
        engagement=engagement,
        plan_version=plan,
        template=template,
        drafter=actor,
        total_fee=terms.fee,
        currency=terms.currency,
        period_start=plan.period_start,
        period_end=plan.period_end,
        scope_items=_scope_text(plan.service_content),
        milestones="\n".join(f"{m.due_date.isoformat()} {m.name}" for m in milestones),
        quality_standard=plan.quality_measures or terms.technical_requirements,
        acceptance_method=_(
            "Both parties check the deliverables against the milestones and sign an acceptance report."
        ),
    )
    core_services.save(
        contract,
        actor=actor,
        reason=_("Drafted from the confirmation and plan version %(number)s") % {"number": plan.number},
    )
    mark_used(template)
    # A first schedule: the whole fee at the last milestone (or the end of the term).
    last = milestones[-1] if milestones else None
    instalment = PaymentInstalment(
        contract=contract,
        number=1,
        amount=contract.total_fee,
        milestone=last.name if last else "",
        due_date=None if last else contract.period_end,
        condition=_("After acceptance"),
    )
    instalment._history_user = actor
    instalment.save()
    return contract


def _scope_text(service_content: str) -> str:
    return "\n".join(line.strip(" -•\t") for line in service_content.splitlines() if line.strip(" -•\t"))


def contract_terms(contract: Contract) -> consistency.Terms:
    return consistency.Terms(
        total_fee=contract.total_fee,
        currency=contract.currency,
        payment_schedule=[
            consistency.Instalment(item.amount, item.due_date, item.milestone)
            for item in contract.instalments.all()
        ],
        period_start=contract.period_start,
        period_end=contract.period_end,
        scope_items=contract.scope_list,
        milestones=[consistency.Milestone(name, day) for day, name in _safe_milestones(contract)],
        quality_standard=contract.quality_standard,
        acceptance_method=contract.acceptance_method,
    )


def _safe_milestones(contract):
    try:
        return contract.milestone_list()
    except ValueError:
        return []


def reference_terms(contract: Contract) -> consistency.Terms:
    """Fee and currency from the signed confirmation; term, scope, milestones and quality
    from the plan version the contract was drafted from (the effective one)."""
    terms = contract.engagement.agreed_proposal
    assert terms is not None, "a contract is drafted only after the confirmation is signed (check_gate)"
    plan = contract.plan_version
    if plan is None:
        return consistency.Terms(
            total_fee=terms.fee,
            currency=terms.currency,
            period_start=terms.period_start,
            period_end=terms.period_end,
        )
    return consistency.Terms(
        total_fee=terms.fee,
        currency=terms.currency,
        period_start=plan.period_start,
        period_end=plan.period_end,
        scope_items=_scope_text(plan.service_content).splitlines(),
        milestones=[consistency.Milestone(m.name, m.due_date) for m in plan.milestones.all()],
        quality_standard=plan.quality_measures,
    )


def differences(contract: Contract) -> list[consistency.Difference]:
    return consistency.compare(contract_terms(contract), reference_terms(contract))


def unresolved_differences(contract: Contract) -> list[consistency.Difference]:
    """Differences neither corrected nor justified (block the business review)."""
    justified = contract.justifications or {}
    return [d for d in differences(contract) if not str(justified.get(d.field, "")).strip()]


def business_pass_blocked(contract: Contract) -> str:
    """Why the business review cannot pass now ("" when it can): the differences from the plan
    and confirmation neither corrected nor justified. The page shows the pass button disabled
    with this message; the service refuses with it."""
    open_items = unresolved_differences(contract)
    if not open_items:
        return ""
    return _(
        "The business review cannot pass while %(count)s difference(s) from the plan and "
        "confirmation are neither corrected nor justified: %(items)s"
    ) % {"count": len(open_items), "items": "；".join(str(d.label) for d in open_items)}


def _locked(contract, actor) -> Contract:
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    return locked


@transaction.atomic
def justify(contract: Contract, *, actor, field: str, reason: str) -> Contract:
    """Record why a listed difference is intended (or clear it with an empty reason)."""
    contract = _locked(contract, actor)
    if not (
        actor.has_perm("contracts.draft_contract", contract)
        or actor.has_perm("contracts.business_review_contract", contract)
    ):
        raise PermissionDenied
    if contract.state not in states.JUSTIFIABLE:
        raise DomainError(_("Differences are justified while the contract is drafted or reviewed."))
    if field not in {d.field for d in differences(contract)}:
        raise DomainError(_("There is no such difference to justify."), field="field")
    reason = (reason or "").strip()
    justifications = dict(contract.justifications or {})
    if reason:
        justifications[field] = reason
    else:
        justifications.pop(field, None)
    contract.justifications = justifications
    core_services.save(contract, actor=actor, reason=_("Difference justified: %(field)s") % {"field": field})
    return contract


# --- CON-2: review deadlines -------------------------------------------------------------------

LEGAL, BUSINESS = "legal", "business"
REVIEWER_ROLES = {LEGAL: Role.LEGAL, BUSINESS: Role.MANAGEMENT}  # as can_legal_review / can_business_review


def _review_deadline_title(kind: str, contract: Contract, reviewer) -> str:
    values = {"code": contract.code, "name": reviewer.display_name}
    if kind == LEGAL:
        return _("Legal review of contract %(code)s (%(name)s)") % values
    return _("Business review of contract %(code)s (%(name)s)") % values


def _set_review_deadlines(contract: Contract, actor) -> None:
    """One deadline per legal and per business reviewer, like the plan panel's (PLN-2): reminded
    before it is due, escalated to the drafter after."""
    days = policy.value("contracts.review_working_days", at=contract.created_at)  # EXT-4
    due_at = calendar.add_working_days(contract.submitted_at or timezone.now(), days)
    for kind, role in REVIEWER_ROLES.items():
        for reviewer in _users_with(role):
            notifications.set_deadline(
                contract,
                kind=f"{kind}_review",
                title=_review_deadline_title(kind, contract, reviewer),
                due_at=due_at,
                responsible=reviewer,
                escalate_to=contract.drafter if contract.drafter_id != reviewer.pk else None,
                url=contract.get_absolute_url(),
                actor=actor,
            )


def _close_review_deadlines(contract: Contract, *kinds: str, actor) -> None:
    """Close the open review deadlines of ``kinds`` (whatever language their titles are in)."""
    for kind in kinds:
        notifications.close_deadlines(contract, kind=f"{kind}_review", actor=actor)


@transaction.atomic
def submit(contract: Contract, *, actor, comment: str = "") -> Contract:
    perform_transition(contract, "submit", actor=actor, comment=comment)
    _set_review_deadlines(contract, actor)
    notifications.notify(
        [*_users_with(Role.LEGAL), *_users_with(Role.MANAGEMENT)],
        title=_("Contract %(code)s awaits the legal and business reviews") % {"code": contract.code},
        url=contract.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=contract,
    )
    return contract


def _in_review(contract):
    if contract.state != Contract.State.IN_REVIEW:
        raise DomainError(
            _("Only a contract in review can be reviewed; %(code)s is “%(state)s”.")
            % {"code": contract.code, "state": contract.state_label()},
            code=ErrorCode.NOT_POSSIBLE_NOW,  # 409: often another reviewer decided first
        )


@transaction.atomic
def legal_review(
    contract: Contract, *, actor, checked: list[str], comment: str = "", passed: bool
) -> Contract:
    """Legal's review (legality and compliance, with the checklist): pass, or return with comments."""
    contract = _locked(contract, actor)
    _require(actor, "legal_review_contract", contract)
    _in_review(contract)
    keys = [key for key, _label in LEGAL_CHECKLIST]
    unknown = [item for item in checked if item not in keys]
    if unknown:
        raise DomainError(_("Unknown checklist item: %(item)s") % {"item": unknown[0]}, field="checked")
    contract.legal_checklist = [key for key in keys if key in checked]
    contract.legal_comment = (comment or "").strip()
    if not passed:
        core_services.save(contract, actor=actor)
        return return_to_drafter(contract, actor=actor, comment=comment)
    missing = [str(label) for key, label in LEGAL_CHECKLIST if key not in checked]
    if missing:
        raise DomainError(
            _("Check every item of the legal checklist before passing: %(items)s")
            % {"items": "；".join(missing)},
            field="checked",
        )
    contract.legal_passed_by, contract.legal_passed_at = actor, timezone.now()
    core_services.save(contract, actor=actor, reason=_("Legal review passed"))
    _close_review_deadlines(contract, LEGAL, actor=actor)
    return _approve_when_both(contract, actor)


@transaction.atomic
def business_review(contract: Contract, *, actor, comment: str = "", passed: bool) -> Contract:
    """The business department's review: agreement with the plan and confirmation (every
    difference corrected or justified) and the company's interest."""
    contract = _locked(contract, actor)
    _require(actor, "business_review_contract", contract)
    _in_review(contract)
    contract.business_comment = (comment or "").strip()
    if not passed:
        core_services.save(contract, actor=actor)
        return return_to_drafter(contract, actor=actor, comment=comment)
    blocked = business_pass_blocked(contract)
    if blocked:
        raise DomainError(blocked)
    contract.business_passed_by, contract.business_passed_at = actor, timezone.now()
    core_services.save(contract, actor=actor, reason=_("Business review passed"))
    _close_review_deadlines(contract, BUSINESS, actor=actor)
    return _approve_when_both(contract, actor)


def _approve_when_both(contract, actor):
    if contract.legal_passed_at and contract.business_passed_at:
        perform_transition(contract, "approve", actor=actor, comment=_("Legal and business reviews passed."))
        notifications.notify(
            [*_users_with(Role.LEGAL), *_client_users(contract)],
            title=_("Contract %(code)s is approved and awaits signatures") % {"code": contract.code},
            url=contract.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=contract,
        )
    return contract


def _client_users(contract):
    return list(
        get_user_model().objects.filter(client_organization_id=contract.engagement.client_id, is_active=True)
    )


@transaction.atomic
def return_to_drafter(contract: Contract, *, actor, comment: str) -> Contract:
    perform_transition(contract, "return_to_drafter", actor=actor, comment=comment)
    _close_review_deadlines(contract, LEGAL, BUSINESS, actor=actor)
    if contract.drafter_id:
        notifications.notify(
            [contract.drafter],
            title=_("Contract %(code)s was returned for revision") % {"code": contract.code},
            body=comment,
            url=contract.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=contract,
        )
    return contract


@transaction.atomic
def revise(contract: Contract, *, actor, comment: str = "") -> Contract:
    """Start the next version after a return; the reviews start again."""
    perform_transition(contract, "revise", actor=actor, comment=comment)
    return contract


def render_contract_clauses(contract: Contract) -> list[tuple[str, str]]:
    """The template's clauses rendered with this contract's terms, as (heading, text)."""
    context = {
        "company": COMPANY_NAME,
        "client": contract.engagement.client.name,
        "contract_code": contract.code,
        "engagement_code": contract.engagement.code,
        "service_content": "\n".join(contract.scope_list),
        "scope_items": contract.scope_list,
        "period_start": contract.period_start,
        "period_end": contract.period_end,
        "total_fee": contract.total_fee,
        "currency": contract.currency,
        "payment_schedule": [
            {"amount": i.amount, "due_date": i.due_date, "milestone": i.milestone, "condition": i.condition}
            for i in contract.instalments.all()
        ],
        "milestones": [{"name": name, "due_date": day} for day, name in _safe_milestones(contract)],
        "quality_standard": contract.quality_standard,
        "acceptance_method": contract.acceptance_method,
    }
    rendered = render_clauses(contract.template, context)
    return [
        # The clauses are the template's own text fields (CLAUSES), never a reverse relation.
        (str(cast(Field, ContractTemplate._meta.get_field(name)).verbose_name), text)
        for name, text in rendered.items()
        if text
    ]


def sign_contract(
    contract: Contract,
    *,
    actor,
    role: str,
    password="",
    otp="",
    request=None,
    ip_address=None,
    expected_sha256="",
):
    """Sign the current version; the signer confirms with their password or a one-time code."""
    from onestop.contracts.documents import contract_form  # noqa: PLC0415 — cycle: contracts.documents imports this module at load

    return signatures.sign(
        contract_form(),
        contract,
        actor=actor,
        role=role,
        password=password,
        otp=otp,
        request=request,
        ip_address=ip_address,
        expected_sha256=expected_sha256,
    )


def after_contract_signed(contract, signature, *, actor) -> None:
    """Called by the form inside the signing transaction: both signatures make it signed."""
    from onestop.contracts.documents import contract_form  # noqa: PLC0415 — cycle: contracts.documents imports this module at load

    contract.refresh_from_db()
    if signatures.is_fully_signed(contract_form(), contract):
        perform_transition(contract, "complete_signing", actor=actor, comment=_("Signed by both parties."))
        notifications.notify(
            _users_with(Role.ARCHIVE),
            title=_("Contract %(code)s is signed: archive the original") % {"code": contract.code},
            url=contract.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=contract,
        )


@transaction.atomic
def archive(contract: Contract, *, actor, archive_number: str, location: str) -> Contract:
    """The archive room files the signed original: number, location and the PDF with its hash."""
    from onestop.contracts.documents import contract_form  # noqa: PLC0415 — cycle: contracts.documents imports this module at load

    contract = _locked(contract, actor)
    _require(actor, "archive_contract", contract)
    archive_number, location = (archive_number or "").strip(), (location or "").strip()
    if not archive_number:
        raise DomainError(_("Give the archive number."), field="archive_number")
    if not location:
        raise DomainError(_("Give the storage location."), field="location")
    if Contract.objects.filter(archive_number=archive_number).exclude(pk=contract.pk).exists():
        raise DomainError(
            _("Archive number %(number)s is already used.") % {"number": archive_number},
            field="archive_number",
        )
    contract.archive_number, contract.archive_location = archive_number, location
    if contract.state != Contract.State.SIGNED:
        raise DomainError(
            _("Only a signed contract can be archived; %(code)s is “%(state)s”.")
            % {"code": contract.code, "state": contract.state_label()},
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    data = pdf.render_pdf(contract_form(), contract)
    upload = ContentFile(data, name=f"{contract.code}.pdf")
    stored = attachments.add_attachment(
        contract,
        upload,
        actor=actor,
        description=_("Signed original, archive number %(number)s") % {"number": archive_number},
    )
    contract.archived_pdf = stored
    contract.archived_sha256 = stored.sha256
    perform_transition(contract, "archive", actor=actor, comment=f"{archive_number} · {location}")
    return contract


@transaction.atomic
def distribute(contract: Contract, *, actor, departments) -> list[ContractCopy]:
    """Send copies of the archived contract to the executing departments."""
    _require(actor, "archive_contract", contract)
    if contract.state != Contract.State.ARCHIVED:
        raise DomainError(_("Copies are distributed once the original is archived."))
    departments = list(departments)
    if not departments:
        raise DomainError(_("Choose at least one department."), field="departments")
    copies = []
    for department in departments:
        copy, created = ContractCopy.objects.get_or_create(
            contract=contract, department=department, defaults={"sent_by": actor}
        )
        if created:
            copies.append(copy)
            recipients = list(get_user_model().objects.filter(department=department, is_active=True)) or (
                [department.head] if department.head_id else []
            )
            notifications.notify(
                recipients,
                title=_("A copy of contract %(code)s was sent to %(department)s: acknowledge receipt")
                % {"code": contract.code, "department": department.name},
                url=contract.get_absolute_url(),
                level=Notification.Level.ACTION,
                target=contract,
            )
    return copies


@transaction.atomic
def acknowledge(copy: ContractCopy, *, actor) -> ContractCopy:
    copy = ContractCopy.objects.select_for_update().get(pk=copy.pk)
    if not actor.has_perm("contracts.change_contractcopy", copy):
        raise PermissionDenied(
            _("Only a member of %(department)s can acknowledge its copy.") % {"department": copy.department}
        )
    if copy.acknowledged_at is not None:
        raise ConflictError(_("Receipt of this copy was already acknowledged."))
    copy.acknowledged_by, copy.acknowledged_at = actor, timezone.now()
    copy._history_user = actor
    copy.save()
    return copy
