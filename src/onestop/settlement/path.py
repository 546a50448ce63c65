"""The settlement on the engagement's path (FEE-1..3, X-1): from the lead's application to the
engagement's closing, and who holds the ball meanwhile — the lead applying or correcting, finance
reviewing and collecting the payment. The last phase: it ends when the engagement closes. The
parts are described in plans/path.py."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core.roles import Role
from onestop.engagements.ball import Ball
from onestop.engagements.states import EngagementStage
from onestop.settlement.models import Settlement
from onestop.settlement.states import SettlementState as State

PHASE = "settlement"
LABEL = gettext_lazy("Settlement")


def span(engagement):
    started = (
        Settlement.objects.filter(contract__engagement=engagement)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return started, engagement.closed_at if started and engagement.stage == EngagementStage.CLOSED else None


def done():
    return None  # the engagement's closing ends it


def fetch(pks) -> dict:
    """Each engagement's latest settlement."""
    latest: dict = {}
    settlements = Settlement.objects.filter(contract__engagement_id__in=pks).values(
        "contract__engagement_id", "pk", "state", "updated_at"
    )
    for row in settlements.order_by("contract__engagement_id", "-pk"):
        latest.setdefault(row["contract__engagement_id"], row)
    return latest


def waiting(engagement, rows, since):
    contract, lead, settlement = rows["contract"], rows["implementation"].project_lead, rows[PHASE]
    if settlement is None:
        return Ball.to_start(
            _("Apply for settlement"),
            since,
            "settlement:settlement_add",
            for_={"contract": contract.pk},
            person=lead,
        )
    url = reverse("settlement:settlement_detail", args=[settlement["pk"]])
    if settlement["state"] == State.DRAFT:
        return Ball(_("Apply for settlement"), settlement["updated_at"], url, person=lead)
    if settlement["state"] == State.RETURNED:
        return Ball(_("Correct the returned settlement"), settlement["updated_at"], url, person=lead)
    if settlement["state"] == State.SUBMITTED:
        return Ball(_("Review the settlement"), settlement["updated_at"], url, role=Role.FINANCE)
    return Ball(
        _("Collect the payment"),
        settlement["updated_at"],
        reverse("settlement:contract_balance", args=[contract.pk]),
        role=Role.FINANCE,
    )
