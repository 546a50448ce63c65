"""Every change in supervision (EXT-3): one function per use case, called by the pages, the API,
the periodic job and the demo alike. Each takes the acting user (None: the periodic job), runs in
one transaction and writes history; notifications are written with the change and mailed after
its commit (notifications.services.notify).

Decisions:
- A run raises one finding per condition (``Finding.key``: kind + record). The checks' queries
  leave out conditions that already have a finding: open (followed up already), dismissed (the
  supervisor's reason stands) or closed when the condition cannot go away (a historical fact such
  as a step done by an administrator). A condition that can be put right (an open deadline, a
  document past retention, a contract overpaid) and is found again after its finding was closed
  is raised again, pointing at the closed one (``previous``). Two runs at once cannot raise one
  condition twice: the partial unique constraint refuses the second.
- A run raises at most ``LIMIT_PER_CHECK`` findings per check (the rest on the next run), so a
  first run over years of records stays a bounded job.
- The finding goes to the record's responsible person when the check names one, else to the
  first active member of the check's role (quality, management, finance or the archive room).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onestop.accounts.models import User
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.core.services import save
from onestop.notifications.services import notify
from onestop.supervision import sampling
from onestop.supervision.checks import CHECKS, Check
from onestop.supervision.models import MAX_SAMPLE, AuditSample, AuditSampleItem, CheckRun, Finding, Sanction
from onestop.supervision.states import FINDING_OPEN, AuditResult, FindingKind, FindingState, Trigger

LIMIT_PER_CHECK = 500
DEFAULT_DUE_DAYS = 14


def _require(actor, perm: str, obj=None) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied


def _first_of(role: str):
    return (
        User.objects.filter(groups__name=role, is_active=True, client_organization__isnull=True)
        .order_by("pk")
        .first()
    )


def supervisors():
    return User.objects.filter(
        groups__name__in=[Role.QUALITY, Role.MANAGEMENT], is_active=True, client_organization__isnull=True
    ).distinct()


# --- the compliance checks ------------------------------------------------------------------------


def new_conditions(check: Check, now):
    """The check's offending rows that have no finding yet which covers them (see the module)."""
    content_type = ContentType.objects.get_for_model(check.model)
    known = Finding.objects.filter(kind=check.kind, target_type=content_type, target_id=OuterRef("pk"))
    rows = check.rows(now).filter(engagement_ref__isnull=False)
    rows = rows.exclude(Exists(known.filter(state__in=[*FINDING_OPEN, FindingState.DISMISSED])))
    closed = Q(Exists(known.filter(state=FindingState.CLOSED)))
    rows = rows.exclude(closed if check.live is None else closed & ~check.live)
    previous = known.filter(state=FindingState.CLOSED).order_by("-closed_at", "-pk").values("pk")[:1]
    return rows.annotate(previous_ref=Subquery(previous)).select_related(*check.select_related)


def run_checks(*, actor=None, trigger: str = Trigger.MANUAL, note: str = "", now=None) -> CheckRun:
    """Run every check over all engagements and raise the new findings."""
    _require(actor, "supervision.add_checkrun")
    now = now or timezone.now()
    with transaction.atomic():
        run = save(
            CheckRun(
                code=next_code("SVR"),
                trigger=trigger,
                started_by=actor,
                started_at=now,
                note=(note or "").strip(),
            ),
            actor=actor,
            reason=_("Compliance checks started"),
        )
    raised: dict[str, int] = dict.fromkeys(FindingKind.values, 0)
    queues: dict[str, User | None] = {}
    with translation.override(settings.LANGUAGE_CODE):  # the findings' text: the company language
        for check in CHECKS:
            if check.role not in queues:
                queues[check.role] = _first_of(check.role)
            for row in new_conditions(check, now).order_by("pk")[:LIMIT_PER_CHECK]:
                if _raise(check, row, run=run, actor=actor, now=now, queue=queues[check.role]):
                    raised[check.kind] += 1
    still_open = dict(
        Finding.objects.filter(state__in=FINDING_OPEN)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    kinds = dict.fromkeys(check.kind for check in CHECKS)
    run.counts = {
        str(kind): {"raised": raised.get(kind, 0), "open": still_open.get(kind, 0)} for kind in kinds
    }
    run.raised = sum(raised.values())
    run.found = sum(still_open.get(kind, 0) for kind in kinds)
    run.finished_at = timezone.now()
    with transaction.atomic():
        save(run, actor=actor, reason=_("Compliance checks finished"))
    return run


def _raise(check: Check, row, *, run, actor, now, queue) -> Finding | None:
    content_type = ContentType.objects.get_for_model(check.model)
    assignee_id = check.assignee(row) if check.assignee is not None else None
    url = check.url(row) if check.url is not None else row.get_absolute_url()
    finding = Finding(
        code=next_code("SVF"),
        kind=check.kind,
        run=run,
        engagement_id=row.engagement_ref,
        target_type=content_type,
        target_id=row.pk,
        record=str(check.label(row))[:200],
        record_url=(url or "")[:500],
        key=f"{check.kind}:{content_type.app_label}.{content_type.model}:{row.pk}",
        description=check.describe(row),
        assignee_id=assignee_id or (queue.pk if queue is not None else None),
        due_date=timezone.localdate(now) + timedelta(days=check.due_days),
        raised_by=actor,
        raised_at=now,
        previous_id=row.previous_ref,
    )
    try:
        with transaction.atomic():
            save(finding, actor=actor, reason=_("Raised by the compliance checks"))
            _announce_raised(finding)
    except (IntegrityError, DomainError):
        if Finding.objects.filter(key=finding.key, state__in=FINDING_OPEN).exists():
            return None  # another run raised it a moment ago: one finding per condition
        raise
    return finding


def _announce_raised(finding: Finding) -> None:
    if finding.assignee_id is None:
        return
    notify(
        [finding.assignee],
        title=_("Finding %(code)s: %(kind)s — %(record)s")
        % {
            "code": finding.code,
            "kind": finding.get_kind_display(),
            "record": finding.record or finding.engagement,
        },
        body=finding.description,
        url=finding.get_absolute_url(),
        target=finding,
    )


# --- findings by hand --------------------------------------------------------------------------------


@transaction.atomic
def raise_by_hand(finding: Finding, *, actor) -> Finding:
    """A finding a supervisor raises themselves (an audit, a complaint, a visit)."""
    _require(actor, "supervision.add_finding")
    finding.code = next_code("SVF")
    finding.raised_by = actor
    finding.raised_at = timezone.now()
    finding.key = ""
    if not finding.due_date:
        finding.due_date = timezone.localdate() + timedelta(days=DEFAULT_DUE_DAYS)
    save(finding, actor=actor, reason=_("Raised by hand"))
    _announce_raised(finding)
    return finding


def after_transition(finding: Finding, *, actor, target: str) -> None:
    """Tell the other side of the follow-up (the events receiver calls it in the transaction)."""
    if target == FindingState.RESOLVED:
        people = [finding.raised_by] if finding.raised_by_id else list(supervisors())
        title = _("Finding %(code)s was resolved: verify it") % {"code": finding.code}
    elif target == FindingState.IN_PROGRESS and finding.closing_note:
        people = [finding.assignee]
        title = _("Finding %(code)s was sent back") % {"code": finding.code}
    elif target in (FindingState.CLOSED, FindingState.DISMISSED):
        people = [finding.assignee]
        title = _("Finding %(code)s: %(state)s") % {
            "code": finding.code,
            "state": finding.get_state_display(),
        }
    else:
        return
    notify(
        [person for person in people if person is not None and person != actor],
        title=title,
        body=finding.closing_note or finding.resolution,
        url=finding.get_absolute_url(),
        target=finding,
    )


# --- audit sampling ------------------------------------------------------------------------------------


@transaction.atomic
def draw_sample(sample: AuditSample, *, actor) -> AuditSample:
    """Draw ``sample.size`` engagements meeting its criteria with its seed (a new seed when none
    is given) and list them as the sample's items, to be audited."""
    _require(actor, "supervision.add_auditsample")
    keys = sampling.population(
        received_from=sample.received_from,
        received_to=sample.received_to,
        stage=sample.stage,
        department=sample.department,
    )
    if not keys:
        raise DomainError(
            _("No engagement meets these criteria: there is nothing to draw from."),
            field="size",
            code=ErrorCode.CONDITION_UNMET,
        )
    if not sample.size or sample.size > min(len(keys), MAX_SAMPLE):
        raise DomainError(
            _("The sample (%(size)s) is larger than the population (%(population)s).")
            % {"size": sample.size, "population": len(keys)},
            field="size",
            code=ErrorCode.INVALID,
        )
    if sample.seed is None:
        sample.seed = secrets.randbelow(2**53)
    sample.code = next_code("SVA")
    sample.population = keys
    sample.selection = sampling.draw(keys, sample.seed, sample.size)
    sample.drawn_by = actor
    sample.drawn_at = timezone.now()
    save(sample, actor=actor, reason=_("Drawn"))
    AuditSampleItem.objects.bulk_create(
        [
            AuditSampleItem(sample=sample, engagement_id=key, position=position, drawn=True)
            for position, key in enumerate(sample.selection, start=1)
        ]
    )
    return sample


@transaction.atomic
def add_to_sample(item: AuditSampleItem, *, actor) -> AuditSampleItem:
    """An engagement the auditor adds to the sample by judgement (not drawn by the seed)."""
    _require(actor, "supervision.add_auditsampleitem")
    if AuditSampleItem.objects.filter(sample=item.sample, engagement=item.engagement).exists():
        raise DomainError(
            _("This engagement is in the sample already."), field="engagement", code=ErrorCode.INVALID
        )
    item.position = (item.sample.items.count() or 0) + 1
    item.drawn = False
    return save(item, actor=actor, reason=_("Added to the sample by hand"))


@transaction.atomic
def record_result(
    item: AuditSampleItem, *, actor, result: str, note: str = "", assignee=None, due_date=None
) -> AuditSampleItem:
    """The audit result of one sampled engagement; a finding raised by it is assigned at once."""
    _require(actor, "supervision.change_auditsampleitem", item)
    if result not in AuditResult.values:
        raise DomainError(_("Choose a result."), field="result", code=ErrorCode.INVALID)
    note = (note or "").strip()
    if result == AuditResult.FINDING:
        if not note:
            raise DomainError(_("Describe what the audit found."), field="note", code=ErrorCode.INVALID)
        if item.finding_id is None:
            item.finding = raise_by_hand(
                Finding(
                    kind=FindingKind.AUDIT,
                    engagement=item.engagement,
                    description=note,
                    assignee=assignee,
                    due_date=due_date,
                    record=str(item.sample),
                    record_url=item.sample.get_absolute_url(),
                ),
                actor=actor,
            )
    item.result, item.note = result, note
    item.audited_by = actor if result != AuditResult.PENDING else None
    item.audited_at = timezone.now() if result != AuditResult.PENDING else None
    return save(item, actor=actor, reason=_("Audit result recorded"))


# --- rewards and penalties -----------------------------------------------------------------------------


@transaction.atomic
def propose_sanction(sanction: Sanction, *, actor) -> Sanction:
    _require(actor, "supervision.add_sanction")
    sanction.code = next_code("JC")
    sanction.proposed_by = actor
    save(sanction, actor=actor, reason=_("Proposed"))
    notify(
        [person for person in User.objects.with_role(Role.MANAGEMENT) if person != actor],
        title=_("%(kind)s proposed for %(subject)s: approve it")
        % {"kind": sanction.get_kind_display(), "subject": sanction.person or sanction.department},
        url=sanction.get_absolute_url(),
        target=sanction,
    )
    return sanction
