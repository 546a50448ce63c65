"""What follows a decision on a cost record (core.events, inside the transition's transaction)."""

from django.utils.translation import gettext as _

from onestop.core import events
from onestop.costs import services
from onestop.costs.models import Expense, ReallocationRequest
from onestop.costs.states import ExpenseState, ReallocationState
from onestop.notifications.services import notify


@events.follow
def decided(event: events.Event) -> None:
    if event.type != events.STAGE_CHANGED:
        return
    record = event.record
    if isinstance(record, Expense):
        if event.target == ExpenseState.SUBMITTED:
            notify(
                [record.project.project_lead],
                title=_("Expense to approve: %(expense)s (%(person)s)")
                % {"expense": record, "person": record.claimant.display_name if record.claimant else ""},
                url=record.get_absolute_url(),
                target=record,
            )
        elif event.target in (ExpenseState.APPROVED, ExpenseState.REJECTED):
            services.after_expense_decision(
                record, actor=event.actor, approved=event.target == ExpenseState.APPROVED
            )
    elif isinstance(record, ReallocationRequest) and event.target in (
        ReallocationState.APPROVED,
        ReallocationState.REJECTED,
    ):
        approved = event.target == ReallocationState.APPROVED
        title = (
            _("%(person)s was released to %(project)s")
            if approved
            else _("The request for %(person)s on %(project)s was declined")
        )
        notify(
            [record.requested_by, record.user] if approved else [record.requested_by],
            title=title % {"person": record.user.display_name, "project": record.project.code},
            url=record.get_absolute_url(),
            target=record,
        )
