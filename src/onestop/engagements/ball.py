"""Who holds the ball (X-1, X-6): for an engagement anywhere on its path, the step that waits,
who must take it — a person, a role's queue when nobody is assigned yet, or the client — and
since when, read from the stage's own records.

One answer for the engagement page, the engagement list and "My work": ``balls_for`` works on
any number of engagements with a few queries per phase, whatever their number.

Before the confirmation the engagement's own ``holder`` field says it (intake hands it from
customer service to the technician and back). After it, the stages keep their own records, and
each stage's ``path.py`` says who holds the ball while its phase waits (plans/path.py describes
the parts): the plan's latest version, the contract and its signatures, the project with its
kickoff, its final acceptance round and the settlement. The first phase not done holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.core.roles import Role
from onestop.engagements.path import downstream, phases


@dataclass
class Ball:
    step: str  # what waits, as a task: "Draft the contract"
    since: datetime | None
    url: str
    person: object | None = None  # a user
    role: str | None = None  # a role's queue (anyone of that role may take it)
    client: object | None = None  # the client organisation
    signatory: bool = False  # any staff member holding a signing authorization
    members: frozenset[int] | None = None  # of the role's queue, only these users (a review panel)
    phase: str = "intake"  # where on the path: intake, or a phase of engagements.path.downstream()

    @classmethod
    def to_start(cls, step: str, since: datetime | None, add_page: str, *, for_: dict, **holder) -> Ball:
        """The step that waits because the phase's first record does not exist yet: the holder is
        sent to the add page (``add_page``, a URL name) with the record it starts from filled in
        (``for_``, e.g. ``{"contract": 7}``)."""
        return cls(step, since, f"{reverse(add_page)}?{urlencode(for_)}", **holder)

    @property
    def phase_label(self) -> str:
        return dict(downstream()).get(self.phase, "")

    @property
    def holder_label(self) -> str:
        if self.person is not None:
            return self.person.display_name
        if self.client is not None:
            return _("Client (%(name)s)") % {"name": self.client.name}
        if self.signatory:
            return _("Authorized signatory (queue)")
        if self.members is not None:
            return _("Review panel")
        if self.role:
            return _("%(role)s (queue)") % {"role": Role(self.role).label}
        return "—"

    def is_for(self, user, *, signatory: bool = False) -> bool:
        """Whether ``user`` is the one (or one of those) the step waits for; ``signatory``: the
        user holds a signing authorization."""
        if self.person is not None:
            return self.person.pk == user.pk
        if self.client is not None:
            return user.client_organization_id == self.client.pk
        if user.client_organization_id is not None:
            return False
        if self.signatory:
            return signatory
        if self.members is not None and user.pk not in self.members:
            return False
        return bool(self.role) and user.has_role(self.role)


@dataclass
class Done:
    """A phase that waits for nobody any more: the next phase's first step waits since ``at``."""

    at: datetime | None


def balls_for(engagements) -> dict[int, Ball | None]:
    """``{engagement pk: Ball or None}``; None for a closed engagement. A fixed number of queries
    (one or a few per phase), whatever the number of engagements."""
    engagements = list(engagements)
    found: dict[int, Ball | None] = {}
    later = [e for e in engagements if e.stage == e.Stage.CONFIRMED]
    for engagement in engagements:
        if engagement.is_open:
            found[engagement.pk] = _intake_ball(engagement)
        elif engagement.stage != engagement.Stage.CONFIRMED:
            found[engagement.pk] = None
    if not later:
        return found
    pks = [e.pk for e in later]
    fetched = {phase.PHASE: phase.fetch(pks) for phase in phases()}
    for engagement in later:
        rows = {name: by_engagement.get(engagement.pk) for name, by_engagement in fetched.items()}
        # The first phase that still waits for someone holds the ball; each phase done hands
        # its end to the next as the moment its first step began to wait.
        since = engagement.confirmed_at or engagement.stage_since
        for phase in phases():
            answer = phase.waiting(engagement, rows, since)
            if isinstance(answer, Ball):
                answer.phase = phase.PHASE
                found[engagement.pk] = answer
                break
            since = answer.at
    return found


def phase_condition(model, phase: str) -> Q:
    """The condition of a confirmed engagement at ``phase`` of its path: the previous phase done,
    this one not (each phase's ``done``) — for a filter, or a conditional count."""
    names = [p.PHASE for p in phases()]
    index = names.index(phase)
    condition = Q(stage=model.Stage.CONFIRMED)
    if index:
        condition &= Q(phases()[index - 1].done())
    complete = phases()[index].done()
    return condition if complete is None else condition & ~Q(complete)


def in_phase(queryset, phase: str):
    """The confirmed engagements of ``queryset`` at ``phase`` of their path."""
    return queryset.filter(phase_condition(queryset.model, phase))


def ball_of(engagement) -> Ball | None:
    return balls_for([engagement])[engagement.pk]


def _intake_ball(engagement) -> Ball:
    url = engagement.get_absolute_url()
    if engagement.holder_id:
        return Ball(engagement.get_stage_display(), engagement.holder_since, url, person=engagement.holder)
    if engagement.stage == engagement.Stage.CONFIRMATION:
        return Ball(
            _("Answer the proposal or sign the confirmation"),
            engagement.holder_since,
            url,
            client=engagement.client,
        )
    return Ball(engagement.get_stage_display(), engagement.stage_since, url, role=Role.CUSTOMER_SERVICE)
