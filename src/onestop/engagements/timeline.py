"""The engagement's whole path on one page (X-1): stages with durations and every event.

Built from the records the stages keep (transition log, inquiries, negotiation rounds,
signatures) in a fixed number of queries; later stages add their events here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import signatures
from onestop.core.stages import app_modules
from onestop.core.workflow import transition_log
from onestop.engagements.path import downstream, downstream_spans
from onestop.engagements.states import ProposalStatus


@dataclass
class Event:
    at: datetime
    kind: str
    title: str
    who: object = None
    detail: str = ""
    icon: str = "dot"
    anchor: str = ""


@dataclass
class StageSpan:
    stage: str
    label: str
    started: datetime | None  # None: a stage not reached yet
    ended: datetime | None

    @property
    def upcoming(self) -> bool:
        return self.started is None

    @property
    def duration(self) -> timedelta | None:
        return None if self.started is None else (self.ended or timezone.now()) - self.started

    @property
    def is_current(self) -> bool:
        return self.started is not None and self.ended is None


def stage_spans(engagement, log) -> list[StageSpan]:
    labels = dict(engagement.state_field().flatchoices)
    spans, stage, started = [], engagement.Stage.INQUIRY, engagement.received_at
    closed_at = None
    for entry in log:
        if entry.state == engagement.Stage.CLOSED:
            closed_at = entry.timestamp  # the downstream stages come before the closing
            break
        spans.append(StageSpan(stage, str(labels.get(stage, stage)), started, entry.timestamp))
        stage, started = entry.state, entry.timestamp
    terminal = stage in {engagement.Stage.OUT_OF_SCOPE, engagement.Stage.WITHDRAWN}
    if stage != engagement.Stage.CONFIRMED:
        spans.append(StageSpan(stage, str(labels.get(stage, stage)), started, started if terminal else None))
    if terminal:
        return spans
    # The stages still ahead on the normal path, so everyone sees what comes next.
    path = [engagement.Stage.INQUIRY, engagement.Stage.ASSESSMENT, engagement.Stage.CONFIRMATION]
    if stage in path:
        spans.extend(StageSpan(s, str(labels.get(s, s)), None, None) for s in path[path.index(stage) + 1 :])
    # After the confirmation the path runs through the later stages' own records (path.py).
    later = downstream_spans(engagement) if stage == engagement.Stage.CONFIRMED else []
    if later and closed_at is None and all(begun is None for _n, _l, begun, _e in later):
        # Confirmed, and the plan not started yet: waiting in "requirement confirmed".
        spans.append(StageSpan(stage, str(labels.get(stage, stage)), started, None))
    if not later:
        later = [(name, label, None, None) for name, label in downstream()]
    for name, label, begun, ended in later:
        if begun is not None and ended is None and closed_at is not None:
            ended = closed_at
        spans.append(StageSpan(name, label, begun, ended))
    closed = engagement.Stage.CLOSED
    spans.append(StageSpan(closed, str(labels.get(closed, closed)), closed_at, closed_at))
    return spans


def build(engagement, user):
    """(stage spans, events newest first) for ``engagement`` as ``user`` may see it."""
    log = list(transition_log(engagement))
    labels = dict(engagement.state_field().flatchoices)
    is_client = user.client_organization_id is not None
    events = [
        Event(
            entry.timestamp,
            "transition",
            str(labels.get(entry.state, entry.state)),
            entry.by,
            # Comments on a hand-over are notes between colleagues; clients get their own replies.
            "" if is_client else (entry.description or ""),
            "arrow-right-circle",
        )
        for entry in log
    ]
    for inquiry in engagement.inquiries.select_related("recorded_by"):
        events.append(
            Event(
                inquiry.received_at,
                "inquiry",
                _("Inquiry by %(channel)s: %(subject)s")
                % {"channel": inquiry.get_channel_display(), "subject": inquiry.subject},
                inquiry.recorded_by,
                inquiry.need,
                "telephone-inbound",
                f"inquiry-{inquiry.pk}",
            )
        )
    for proposal in engagement.proposals.select_related("author"):
        events.append(
            Event(
                proposal.created_at,
                "proposal",
                _("Round %(round)s proposed by %(party)s: %(currency)s %(fee)s")
                % {
                    "round": proposal.round,
                    "party": _("Service provider")
                    if is_client and proposal.party == proposal.Party.COMPANY
                    else proposal.get_party_display(),
                    "currency": proposal.currency,
                    "fee": f"{proposal.fee:,.2f}",
                },
                proposal.author,
                proposal.note,
                "chat-left-quote",
                f"round-{proposal.round}",
            )
        )
    for proposal in engagement.proposals.filter(status=ProposalStatus.ACCEPTED, answered_at__isnull=False):
        events.append(
            Event(
                proposal.answered_at,
                "agreement",
                _("Terms agreed in round %(round)s") % {"round": proposal.round},
                None,
                "",
                "hand-thumbs-up",
                f"round-{proposal.round}",
            )
        )
    for signature in signatures.signatures_for(engagement):
        document = signatures.get_document(signature.document)
        role = document.roles.get(signature.role, signature.role) if document else signature.role
        events.append(
            Event(
                signature.signed_at,
                "signature",
                _("%(title)s v%(version)s signed as %(role)s")
                % {"title": signature.title, "version": signature.version, "role": role},
                signature.signer,
                f"SHA-256 {signature.sha256}",
                "pen",
            )
        )
    # --- PLN-1..3: the service plan's versions, review outcomes and approvals (plans/timeline.py).
    from onestop.plans.timeline import plan_events  # noqa: PLC0415 — later stage: imported when used, so the dependency reads one way (core/stages.py)

    events.extend(Event(**event) for event in plan_events(engagement, user))
    # --- CON-1..3: the contract's drafting, reviews, signatures and archiving (contracts/timeline.py).
    from onestop.contracts.timeline import contract_events  # noqa: PLC0415 — later stage: imported when used, so the dependency reads one way (core/stages.py)

    events.extend(Event(**event) for event in contract_events(engagement, user))
    # --- the later stages (project, quality, acceptance, settlement, feedback): each app's
    # timeline.py (and a company app's: a project's risks and warnings) offers ``events(engagement, user)`` returning keyword dicts for Event.
    for module in app_modules("timeline"):
        events.extend(Event(**event) for event in module.events(engagement, user))
    events.sort(key=lambda event: event.at, reverse=True)
    return stage_spans(engagement, log), events
