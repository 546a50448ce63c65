"""Open deadlines appear on "My work" for the person responsible (and whoever they escalate to)."""

from django.utils.translation import gettext as _

from onestop.core.work import WorkItem, register
from onestop.notifications.models import Deadline


@register
def open_deadlines(user):
    deadlines = Deadline.objects.visible_to(user).open().order_by("due_at")[:50]
    return [
        WorkItem(
            title=deadline.title,
            url=deadline.get_absolute_url(),
            # "Deadline" once: the date beside it is not prefixed again, and an overdue one says
            # 逾期 in its badge (not a second time as its kind).
            kind=_("Deadline"),
            due=deadline.due_at,
            overdue=deadline.is_overdue,
            icon="alarm" if deadline.is_overdue else "hourglass-split",
            is_deadline=True,
        )
        for deadline in deadlines
    ]
