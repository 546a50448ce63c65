"""The compliance checks (EXT-3): each a small query over the database, registered in ``CHECKS``.

A check names the kind of finding it raises, the model of the offending record and
``rows(now)``: a queryset of that model's offending rows annotated with ``engagement_ref`` (the
engagement the record belongs to). The runner (services.run_checks) leaves out in SQL the rows
that already have a finding of that kind — open, dismissed, or closed when the condition cannot
go away (``live`` says which rows could be put right, so that a closed finding's condition found
again is raised again) — and raises a finding for each remaining row. No check reads every row
into Python: the filters, the sums and the counts are the database's.

What each check reads (the real records of the stages):

- ``overdue``: ``notifications.Deadline`` — every hand-off, review, answer and signature of the
  path sets one (the stages' time limits) — closed after its due time, or still open past it.
- ``override``: django-fsm-log ``StateLog`` rows of the engagement's records whose author is a
  system administrator (a step done with administrator rights instead of by its role), and
  acceptance rounds whose checklist a system administrator skipped (their history).
- ``unsigned``: a record past the step its signed form completes (the confirmation, the contract,
  the acceptance report, the settlement) without the signature of each role on its version
  (``core.Signature``).
- ``unverified``: rectification notices closed with no verifier, no verification written or no
  response from the department.
- ``overpaid``: contracts whose approved settlements or net money received (received − refunds)
  exceed the contract value plus the approved change requests.
- ``retention``: technical documents still kept ``RETENTION_GRACE_DAYS`` after their retention
  ran out (the archive room is reminded on the day).
- ``panel``: plan versions decided with fewer reviews than the smallest panel of the policy in
  force when the version was created (``plans.min_panel_size``, core/policy.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from onestop.acceptance.models import AcceptanceRound
from onestop.accounts.models import User
from onestop.cockpit.models import PolicyVersion
from onestop.contracts.models import Contract
from onestop.coordination.models import ChangeRequest
from onestop.core import policy
from onestop.core.models import Signature
from onestop.core.roles import Role
from onestop.engagements.models import Engagement
from onestop.notifications.models import Deadline
from onestop.plans.models import PlanReview, PlanVersion
from onestop.plans.services import MIN_PANEL_SIZE
from onestop.quality.models import RectificationNotice
from onestop.resources.models import TechnicalDocument
from onestop.settlement.models import Payment, Settlement, SettlementItem
from onestop.supervision.states import FindingKind

RETENTION_GRACE_DAYS = 30
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(0, output_field=MONEY)


@dataclass(frozen=True)
class Check:
    kind: str
    model: type
    rows: Callable  # now → queryset of ``model`` annotated with ``engagement_ref``
    describe: Callable  # row → the finding's description (company language)
    label: Callable = str  # row → the record's name on the finding
    url: Callable | None = None  # row → the record's page (default its get_absolute_url)
    assignee: Callable | None = None  # row → the responsible person's id (None: the role's)
    role: str = Role.QUALITY  # whose queue takes the findings without a responsible person
    live: Q | None = None  # the rows whose condition could be put right (None: none can)
    due_days: int = 14
    select_related: tuple[str, ...] = ()


def engagement_path(model) -> str | None:
    """The lookup from ``model`` to its engagement's key (None: not an engagement's record)."""
    if model is None or model._meta.app_label == "supervision":
        return None
    lookup = getattr(model, "engagement_lookup", None)
    if lookup:
        return lookup
    if any(field.name == "engagement" for field in model._meta.fields):
        return "engagement"
    return None


def engagement_of(rows, type_field: str, id_field: str):
    """For rows pointing at a record of any kind (``type_field`` + ``id_field``): that record's
    engagement, as one ``Case`` of subqueries (one branch per kind present: one query to list them)."""
    whens = []
    for type_id in rows.order_by().values_list(type_field, flat=True).distinct():
        model = ContentType.objects.get_for_id(type_id).model_class()
        path = engagement_path(model)
        if path is None:
            continue
        records = model._base_manager.filter(pk=OuterRef(id_field)).values(path)[:1]
        whens.append(When(**{type_field: type_id}, then=Subquery(records)))
    if not whens:
        return Value(None, output_field=IntegerField())
    return Case(*whens, default=None, output_field=IntegerField())


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# --- stages over their time limit -------------------------------------------------------------


def overdue_rows(now):
    late = Deadline.objects.filter(Q(closed_at__isnull=True, due_at__lt=now) | Q(closed_at__gt=F("due_at")))
    return late.annotate(engagement_ref=engagement_of(late, "target_type", "target_id"))


def overdue_describe(deadline) -> str:
    if deadline.closed_at is None:
        return _("“%(title)s” was due %(due)s and is still not done.") % {
            "title": deadline.title,
            "due": _day(deadline.due_at),
        }
    late = deadline.closed_at - deadline.due_at
    return _("“%(title)s” was due %(due)s and was done %(done)s, %(hours)s hours late.") % {
        "title": deadline.title,
        "due": _day(deadline.due_at),
        "done": _day(deadline.closed_at),
        "hours": round(late.total_seconds() / 3600, 1),
    }


# --- steps done by an administrator -------------------------------------------------------------


def _administrators(user_field: str) -> Q:
    groups = User.groups.through.objects.filter(user_id=OuterRef(user_field), group__name=Role.SYSTEM_ADMIN)
    return Q(**{f"{user_field.removesuffix('_id')}__is_superuser": True}) | Q(Exists(groups))


def override_rows(now):
    logs = StateLog.objects.filter(by__isnull=False).filter(_administrators("by_id"))
    logs = logs.exclude(content_type__app_label="supervision")
    return logs.annotate(engagement_ref=engagement_of(logs, "content_type", "object_id"))


def override_describe(log) -> str:
    return _(
        "%(who)s ran “%(transition)s” (%(source)s → %(target)s) on %(record)s with administrator rights on %(at)s."
    ) % {
        "who": log.by,
        "transition": log.transition,
        "source": log.source_state,
        "target": log.state,
        "record": f"{log.content_type.name} #{log.object_id}",
        "at": _day(log.timestamp),
    }


def _page_of(record) -> str:
    try:
        return record.get_absolute_url() if record is not None else ""
    except (AttributeError, NoReverseMatch):
        return ""


def _log_url(log) -> str:
    model = log.content_type.model_class()
    return _page_of(model._base_manager.filter(pk=log.object_id).first()) if model is not None else ""


def skipped_rows(now):
    skipped_by_admin = AcceptanceRound.history.filter(id=OuterRef("pk")).exclude(checklist_skip_reason="")
    skipped_by_admin = skipped_by_admin.filter(_administrators("history_user_id"))
    return (
        AcceptanceRound.objects.exclude(checklist_skip_reason="")
        .filter(Exists(skipped_by_admin))
        .annotate(engagement_ref=F("project__engagement_id"))
    )


def skipped_describe(acceptance_round) -> str:
    return _("The checklist of %(round)s was skipped by a system administrator: %(reason)s") % {
        "round": acceptance_round,
        "reason": acceptance_round.checklist_skip_reason,
    }


# --- forms not signed ------------------------------------------------------------------------------


def _signed(model, code: str, role: str, version) -> Exists:
    return Exists(
        Signature.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=OuterRef("pk"),
            document=code,
            role=role,
            version=OuterRef(version) if isinstance(version, str) else version,
        )
    )


def unsigned_rows(model, code: str, roles: tuple[str, ...], past: Q, version, engagement):
    def rows(now):
        annotated = model.objects.filter(past).annotate(
            engagement_ref=engagement,
            **{f"signed_{role}": _signed(model, code, role, version) for role in roles},
        )
        missing = Q()
        for role in roles:
            missing |= Q(**{f"signed_{role}": False})
        return annotated.filter(missing)

    return rows


def unsigned_describe(title: str, roles: dict[str, str]):
    def describe(row) -> str:
        absent = [str(label) for role, label in roles.items() if not getattr(row, f"signed_{role}")]
        return _("%(record)s went past its signing step but %(form)s has no signature as: %(roles)s.") % {
            "record": row,
            "form": title,
            "roles": "、".join(absent),
        }

    return describe


# --- rectifications closed without verification --------------------------------------------------------


def unverified_rows(now):
    rows = RectificationNotice.objects.filter(state=RectificationNotice.State.CLOSED).filter(
        Q(verified_by__isnull=True) | Q(verification="") | Q(responded_at__isnull=True)
    )
    return rows.annotate(engagement_ref=F("project__engagement_id"))


def unverified_describe(notice) -> str:
    missing = []
    if notice.responded_at is None:
        missing.append(_("no response from the department"))
    if notice.verified_by_id is None:
        missing.append(_("nobody verified it"))
    elif not notice.verification:
        missing.append(_("no verification written"))
    return _("Rectification notice %(code)s was closed with %(missing)s.") % {
        "code": notice.code,
        "missing": "、".join(str(m) for m in missing),
    }


# --- settled or paid beyond the contract -------------------------------------------------------------


def _total(queryset, field: str):
    """The sum of ``field`` over ``queryset`` (correlated on the contract), 0 when none."""
    total = queryset.order_by().values("contract_ref").annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(total, output_field=MONEY), ZERO)


def overpaid_rows(now):
    changes = ChangeRequest.objects.filter(
        project__contract=OuterRef("pk"), state__in=ChangeRequest.APPROVED_STATES
    ).annotate(contract_ref=F("project__contract_id"))
    settled = SettlementItem.objects.filter(
        settlement__contract=OuterRef("pk"), settlement__state=Settlement.State.APPROVED
    ).annotate(contract_ref=F("settlement__contract_id"))
    payments = Payment.objects.filter(contract=OuterRef("pk")).annotate(contract_ref=F("contract_id"))
    received = payments.filter(direction=Payment.Direction.RECEIVED)
    refunded = payments.filter(direction=Payment.Direction.REFUND)
    rows = Contract.objects.annotate(
        engagement_ref=F("engagement_id"),
        receivable=F("total_fee") + _total(changes, "fee_change"),
        settled=_total(settled, "amount"),
        net_received=_total(received, "amount") - _total(refunded, "amount"),
    )
    return rows.filter(Q(settled__gt=F("receivable")) | Q(net_received__gt=F("receivable")))


def overpaid_describe(contract) -> str:
    return _(
        "Contract %(code)s is worth %(receivable)s with its approved changes, but %(settled)s was "
        "settled and %(received)s received (net of refunds)."
    ) % {
        "code": contract.code,
        "receivable": f"{contract.receivable:,.2f}",
        "settled": f"{contract.settled:,.2f}",
        "received": f"{contract.net_received:,.2f}",
    }


# --- documents past retention -----------------------------------------------------------------------


def retention_rows(now):
    last_day = timezone.localdate(now) - timedelta(days=RETENTION_GRACE_DAYS)
    return TechnicalDocument.objects.filter(
        state=TechnicalDocument.State.KEPT, retention_until__lt=last_day
    ).annotate(engagement_ref=F("engagement_id"))


def retention_describe(document) -> str:
    return _("%(document)s was to be kept until %(until)s and has not been disposed of or kept longer.") % {
        "document": document,
        "until": document.retention_until,
    }


# --- reviews decided by too few reviewers -----------------------------------------------------------


def required_panel():
    """The smallest panel in force when each plan version was created, as a ``Case`` over the
    approved policy versions (a handful), latest effective date first."""
    setting = policy.SETTINGS["plans.min_panel_size"]
    whens = [
        When(
            created_at__date__gte=version.effective_from,
            then=Value(max(MIN_PANEL_SIZE, setting.coerce(version.values.get(setting.key)))),
        )
        for version in PolicyVersion.objects.approved().order_by("-effective_from", "-number")
    ]
    default = Value(max(MIN_PANEL_SIZE, setting.coerce(None)))
    return Case(*whens, default=default, output_field=IntegerField()) if whens else default


def panel_rows(now):
    reviews = (
        PlanReview.objects.filter(version=OuterRef("pk"))
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    rows = PlanVersion.objects.filter(decided_at__isnull=False).annotate(
        engagement_ref=F("plan__engagement_id"),
        reviews_count=Coalesce(Subquery(reviews, output_field=IntegerField()), Value(0)),
        panel_required=required_panel(),
    )
    return rows.filter(reviews_count__lt=F("panel_required"))


def panel_describe(version) -> str:
    return _("%(version)s was decided on %(reviews)s review(s); the rule asks for at least %(required)s.") % {
        "version": version,
        "reviews": version.reviews_count,
        "required": version.panel_required,
    }


# --- the registry --------------------------------------------------------------------------------


def _confirmation_past() -> Q:
    return Q(confirmed_at__isnull=False)


CHECKS: list[Check] = [
    Check(
        FindingKind.OVERDUE,
        Deadline,
        overdue_rows,
        overdue_describe,
        label=lambda deadline: deadline.title,
        url=lambda deadline: deadline.url or _page_of(deadline.target),
        assignee=lambda deadline: deadline.responsible_id,
        live=Q(closed_at__isnull=True),
        due_days=7,
    ),
    Check(
        FindingKind.OVERRIDE,
        StateLog,
        override_rows,
        override_describe,
        label=lambda log: f"{log.content_type.name} #{log.object_id} · {log.transition}",
        url=_log_url,
        role=Role.MANAGEMENT,
        select_related=("by", "content_type"),
    ),
    Check(
        FindingKind.OVERRIDE,
        AcceptanceRound,
        skipped_rows,
        skipped_describe,
        assignee=lambda acceptance_round: acceptance_round.project.project_lead_id,
        role=Role.MANAGEMENT,
        select_related=("project",),
    ),
    Check(
        FindingKind.UNSIGNED,
        Engagement,
        unsigned_rows(
            Engagement,
            "confirmation",
            ("client", "technician"),
            _confirmation_past(),
            "agreed_proposal__round",  # the form's version (Engagement.form_version)
            F("pk"),
        ),
        unsigned_describe(
            _("the requirement confirmation form"), {"client": _("Client"), "technician": _("Technician")}
        ),
        assignee=lambda engagement: engagement.technician_id,
    ),
    Check(
        FindingKind.UNSIGNED,
        Contract,
        unsigned_rows(
            Contract,
            "contract",
            ("company", "client"),
            Q(state__in=[Contract.State.SIGNED, Contract.State.ARCHIVED]),
            "version",
            F("engagement_id"),
        ),
        unsigned_describe(
            _("the contract"),
            {"company": _("For the company (authorized representative)"), "client": _("Client")},
        ),
        assignee=lambda contract: contract.drafter_id,
    ),
    Check(
        FindingKind.UNSIGNED,
        AcceptanceRound,
        unsigned_rows(
            AcceptanceRound,
            "acceptance_report",
            ("client",),  # the client's signature passes the round; the lead may sign after
            Q(state=AcceptanceRound.State.PASSED),
            1,
            F("project__engagement_id"),
        ),
        unsigned_describe(_("the acceptance report"), {"client": _("Client (acceptance team)")}),
        assignee=lambda acceptance_round: acceptance_round.project.project_lead_id,
        select_related=("project",),
    ),
    Check(
        FindingKind.UNSIGNED,
        Settlement,
        unsigned_rows(
            Settlement,
            "settlement",
            ("finance",),
            Q(state=Settlement.State.APPROVED),
            "version",
            F("contract__engagement_id"),
        ),
        unsigned_describe(_("the settlement form"), {"finance": _("Finance (review)")}),
        assignee=lambda settlement: settlement.reviewed_by_id,
        role=Role.FINANCE,
    ),
    Check(
        FindingKind.UNVERIFIED,
        RectificationNotice,
        unverified_rows,
        unverified_describe,
        assignee=lambda notice: notice.issued_by_id,
    ),
    Check(
        FindingKind.OVERPAID,
        Contract,
        overpaid_rows,
        overpaid_describe,
        role=Role.FINANCE,
        live=Q(),
    ),
    Check(
        FindingKind.RETENTION,
        TechnicalDocument,
        retention_rows,
        retention_describe,
        role=Role.ARCHIVE,
        live=Q(),
    ),
    Check(
        FindingKind.PANEL,
        PlanVersion,
        panel_rows,
        panel_describe,
        role=Role.MANAGEMENT,
        select_related=("plan",),
    ),
]
