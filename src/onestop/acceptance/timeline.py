"""Acceptance events for the engagement's timeline (X-1): each application, state change,
signed report (with its hash) and problem raised / rectified. A fixed number of queries."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from onestop.acceptance.models import AcceptanceProblem, AcceptanceRound
from onestop.core.models import Signature
from onestop.engagements.records import records_of

ICONS = {"start": "play-circle", "pass_round": "patch-check", "fail_round": "x-octagon"}


def events(engagement, user) -> list[dict]:
    if not user.has_perm("acceptance.view_acceptanceround"):
        return []
    rounds = {
        r.pk: r
        for r in AcceptanceRound.objects.visible_to(user)
        .filter(project__engagement=engagement)
        .select_related("project", "milestone", "applied_by")
    }
    if not rounds:
        return []
    result = []
    for r in rounds.values():
        result.append(
            {
                "at": r.applied_at or r.created_at,
                "kind": "acceptance",
                "title": _("Acceptance applied for: %(round)s (%(scope)s)")
                % {"round": r, "scope": r.scope_label},
                "who": r.applied_by,
                "detail": r.self_assessment,
                "icon": "clipboard2-check",
            }
        )
    round_type = ContentType.objects.get_for_model(AcceptanceRound)
    for row in StateLog.objects.filter(content_type=round_type, object_id__in=list(rounds)).select_related(
        "by"
    ):
        r = rounds[row.object_id]
        result.append(
            {
                "at": row.timestamp,
                "kind": "acceptance",
                "title": _("%(round)s: %(state)s") % {"round": r, "state": r.state_label(row.state)},
                "who": row.by,
                "detail": r.conclusion
                if row.transition in ("pass_round", "fail_round")
                else (row.description or ""),
                "icon": ICONS.get(row.transition, "dot"),
            }
        )
    signatures = Signature.objects.filter(
        content_type=round_type, object_id__in=list(rounds), document="acceptance_report"
    ).select_related("signer")
    for signature in signatures:
        r = rounds[signature.object_id]
        result.append(
            {
                "at": signature.signed_at,
                "kind": "signature",
                "title": _("Acceptance report of %(round)s signed") % {"round": r},
                "who": signature.signer,
                "detail": f"SHA-256 {signature.sha256}",
                "icon": "pen",
            }
        )
    for problem in AcceptanceProblem.objects.filter(round_id__in=list(rounds)).select_related("done_by"):
        r = rounds[problem.round_id]
        result.append(
            {
                "at": problem.created_at,
                "kind": "acceptance",
                "title": _("Problem raised in %(round)s") % {"round": r},
                "who": None,
                "detail": f"{problem.description}\n{problem.requirement}",
                "icon": "exclamation-triangle",
            }
        )
        if problem.done_at:
            result.append(
                {
                    "at": problem.done_at,
                    "kind": "acceptance",
                    "title": _("Problem rectified (%(round)s)") % {"round": r},
                    "who": problem.done_by,
                    "detail": problem.fix,
                    "icon": "check2-circle",
                }
            )
    return result


def records(engagement, user) -> list:
    """The acceptance rounds on the engagement's records panel (engagements/records.py); one query."""
    return records_of(
        AcceptanceRound, user, project__engagement=engagement, select_related=("project",), icon="award"
    )
