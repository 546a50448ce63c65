"""What follows a step of a finding or a decision on a reward or penalty (core.events, inside the
transition's transaction; the e-mails go after its commit)."""

from django.utils.translation import gettext as _

from onestop.core import events
from onestop.notifications.services import notify
from onestop.supervision import services
from onestop.supervision.models import Finding, Sanction


@events.follow
def stepped(event: events.Event) -> None:
    if event.type != events.STAGE_CHANGED:
        return
    record = event.record
    if isinstance(record, Finding):
        services.after_transition(record, actor=event.actor, target=event.target)
    elif isinstance(record, Sanction) and record.proposed_by_id and record.proposed_by != event.actor:
        notify(
            [record.proposed_by],
            title=_("%(record)s: %(state)s") % {"record": record, "state": record.get_state_display()},
            body=record.decision_note,
            url=record.get_absolute_url(),
            target=record,
        )
