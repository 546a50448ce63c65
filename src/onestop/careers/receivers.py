"""What follows a step of an incentive (core.events, inside the transition's transaction;
the notifications go out after it commits)."""

from django.utils.translation import gettext as _

from onestop.careers import services
from onestop.careers.models import Incentive
from onestop.careers.states import IncentiveState
from onestop.core import events
from onestop.notifications.models import Notification
from onestop.notifications.services import notify


@events.follow
def incentive_stepped(event: events.Event) -> None:
    if event.type != events.STAGE_CHANGED or not isinstance(event.record, Incentive):
        return
    incentive = event.record
    if event.target == IncentiveState.SECOND_APPROVAL:
        # The other managers: the one who approved first may not give the second approval.
        notify(
            list(services.active_managers().exclude(pk=incentive.first_approved_by_id)),
            title=_("Second approval needed: %(record)s") % {"record": incentive},
            url=incentive.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=incentive,
        )
    elif event.target in (IncentiveState.APPROVED, IncentiveState.REJECTED) and incentive.proposed_by_id:
        title = (
            _("Approved: %(record)s")
            if event.target == IncentiveState.APPROVED
            else _("Rejected: %(record)s")
        )
        notify([incentive.proposed_by], title=title % {"record": incentive}, url=incentive.get_absolute_url())
