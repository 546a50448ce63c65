"""What incentives and careers ask of each user on "My work" (a fixed number of queries).

Superiors and HR: development plans whose review date has come. Employees: a plan to agree.
Everyone: a selection open for voting they have not voted in. Superiors and HR: a selection
open for nominations. Management: recognitions, incentives and position moves to approve, and
the large incentives another manager approved first.
"""

from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.careers import rules as r
from onestop.careers.models import DevelopmentPlan, Incentive, PositionMove, Recognition, Selection, Vote
from onestop.core.work import WorkItem, register

LIMIT = 50
REVIEW_AHEAD_DAYS = 7


def _end_of(day):
    return timezone.make_aware(datetime.combine(day, time.max)) if day else None


@register
def careers_waiting(user):
    if user.client_organization_id is not None:
        return []
    items = []
    now = timezone.now()
    today = timezone.localdate()
    plans = DevelopmentPlan.objects.filter(
        state=DevelopmentPlan.State.AGREED, next_review_on__lte=today + timedelta(days=REVIEW_AHEAD_DAYS)
    )
    plans = plans if r.sees_all_people(user) else plans.filter(superior=user)
    for plan in plans.select_related("employee").order_by("next_review_on")[:LIMIT]:
        due = _end_of(plan.next_review_on)
        items.append(
            WorkItem(
                title=str(plan),
                url=plan.get_absolute_url(),
                kind=_("Development plan to review"),
                since=plan.updated_at,
                due=due,
                icon="map",
                overdue=bool(due and due < now),
            )
        )
    for plan in DevelopmentPlan.objects.filter(employee=user, state=DevelopmentPlan.State.PROPOSED)[:LIMIT]:
        items.append(
            WorkItem(
                title=str(plan),
                url=plan.get_absolute_url(),
                kind=_("Development plan to agree"),
                since=plan.superior_agreed_at,
                icon="map",
            )
        )
    voted = Vote.objects.filter(selection=OuterRef("pk"), voter=user)
    open_votes = Selection.objects.filter(
        state=Selection.State.VOTING, voting_opens_on__lte=today, voting_closes_on__gte=today
    ).exclude(Exists(voted))
    for selection in open_votes[:LIMIT]:
        items.append(
            WorkItem(
                title=str(selection),
                url=selection.get_absolute_url(),
                kind=_("Vote open"),
                due=_end_of(selection.voting_closes_on),
                icon="check2-square",
            )
        )
    if r.can_propose_recognition(user):
        for selection in Selection.objects.filter(
            state=Selection.State.NOMINATING, nominations_close_on__gte=today
        )[:LIMIT]:
            items.append(
                WorkItem(
                    title=str(selection),
                    url=selection.get_absolute_url(),
                    kind=_("Nominations open"),
                    due=_end_of(selection.nominations_close_on),
                    icon="person-up",
                )
            )
    if r.is_management(user):
        waiting = [
            (
                Recognition.objects.filter(state=Recognition.State.PROPOSED),
                _("Recognition to approve"),
                "award",
            ),
            (
                Incentive.objects.filter(state=Incentive.State.SUBMITTED),
                _("Incentive to approve"),
                "cash-coin",
            ),
            (
                # A large incentive one manager approved waits for another one.
                Incentive.objects.filter(state=Incentive.State.SECOND_APPROVAL).exclude(
                    first_approved_by=user
                ),
                _("Incentive awaiting your second approval"),
                "cash-coin",
            ),
            (
                PositionMove.objects.filter(state=PositionMove.State.PROPOSED),
                _("Promotion or rotation to approve"),
                "arrow-left-right",
            ),
        ]
        for rows, kind, icon in waiting:
            for record in rows.select_related("employee").order_by("created_at")[:LIMIT]:
                items.append(
                    WorkItem(
                        title=str(record),
                        url=record.get_absolute_url(),
                        kind=kind,
                        since=record.created_at,
                        icon=icon,
                    )
                )
    return items
