"""The acceptance on the engagement's path (ACC-1..3, X-1): from the first final acceptance round
to the one that passed, and who holds the ball meanwhile — the project lead applying or
rectifying, the client preparing and carrying out the acceptance. Milestone rounds are not on
the path. The parts are described in plans/path.py."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.acceptance.models import AcceptanceRound
from onestop.acceptance.states import AcceptanceRoundState as State
from onestop.engagements.ball import Ball, Done
from onestop.projects.models import Project
from onestop.projects.states import ProjectState

PHASE = "acceptance"
LABEL = gettext_lazy("Acceptance")


def span(engagement):
    rounds = list(
        AcceptanceRound.objects.filter(project__engagement=engagement, milestone__isnull=True)
        .values_list("created_at", "state", "concluded_at")
        .order_by("number")
    )
    if not rounds:
        return None, None
    passed = next((concluded for _c, state, concluded in rounds if state == State.PASSED), None)
    return rounds[0][0], passed


def done():
    return Exists(Project.objects.filter(engagement=OuterRef("pk"), state=ProjectState.ACCEPTED))


def fetch(pks) -> dict:
    """Each engagement's latest final acceptance round."""
    latest: dict = {}
    rounds = AcceptanceRound.objects.filter(project__engagement_id__in=pks, milestone__isnull=True).values(
        "project__engagement_id", "pk", "state", "updated_at"
    )
    for row in rounds.order_by("project__engagement_id", "-number"):
        latest.setdefault(row["project__engagement_id"], row)
    return latest


def waiting(engagement, rows, since):
    project, final = rows["implementation"], rows[PHASE]
    if project.state == ProjectState.ACCEPTED and final is not None and final["state"] == State.PASSED:
        return Done(final["updated_at"])
    lead = project.project_lead
    if final is None:
        return Ball.to_start(
            _("Apply for acceptance"),
            since,
            "acceptance:acceptanceround_add",
            for_={"project": project.pk},
            person=lead,
        )
    url = reverse("acceptance:acceptanceround_detail", args=[final["pk"]])
    if final["state"] == State.APPLIED:
        return Ball(_("Prepare the acceptance"), final["updated_at"], url, client=engagement.client)
    if final["state"] == State.IN_ACCEPTANCE:
        return Ball(_("Carry out the acceptance"), final["updated_at"], url, client=engagement.client)
    if final["state"] == State.FAILED:
        return Ball(_("Rectify and apply for acceptance again"), final["updated_at"], url, person=lead)
    return Done(final["updated_at"])
