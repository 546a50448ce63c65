"""Supervision's panel on a person's page (core/panels.py): their rewards and penalties (獎懲),
for whoever may see them (the person, HR, quality and management: ``Sanction.visible_to``)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.record_panels import PANEL_ROWS, list_url, records_panel
from onestop.supervision.models import Sanction


def person(person, user) -> list[dict]:
    if user.client_organization_id is not None:
        return []
    sanctions = Sanction.objects.visible_to(user).filter(person=person).order_by("-effective_on", "-pk")
    return records_panel(
        key="person-sanctions",
        icon="award",
        title=_("Rewards and penalties"),
        records=sanctions[:PANEL_ROWS],
        code=lambda s: s.code,
        text=lambda s: s.get_kind_display(),
        meta=lambda s: s.effective_on.isoformat(),
        more=list_url(Sanction, person=person.pk),
    )
