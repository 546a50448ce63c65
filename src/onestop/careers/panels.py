"""The careers panels on a person's page (core/panels.py): their recognitions, incentives and
position moves, for whoever may see them (the person, their superiors, HR: the people app's
rule, through ``visible_to``). One query per kind."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onestop.careers.access import may_see_career
from onestop.careers.models import Incentive, PositionMove, Recognition
from onestop.core import money
from onestop.core.record_panels import PANEL_ROWS, list_url, records_panel


def person(person, user) -> list[dict]:
    if not may_see_career(user, person):
        return []
    career = reverse("careers:person", args=[person.pk])  # the whole career: every move, plans
    recognitions = Recognition.objects.visible_to(user).filter(employee=person).order_by("-awarded_on", "-pk")
    incentives = Incentive.objects.visible_to(user).filter(employee=person).order_by("-period", "-pk")
    moves = (
        PositionMove.objects.visible_to(user)
        .filter(employee=person)
        .select_related("to_position", "to_department")
        .order_by("-effective_on", "-pk")
    )
    return [
        *records_panel(
            key="person-recognitions",
            icon="trophy",
            title=_("Recognitions"),
            records=recognitions[:PANEL_ROWS],
            code=lambda r: r.get_kind_display(),
            text=lambda r: r.title,
            meta=lambda r: r.awarded_on.isoformat(),
            more=career,
        ),
        *records_panel(
            key="person-incentives",
            icon="cash-coin",
            title=_("Incentives"),
            records=incentives[:PANEL_ROWS],
            code=lambda i: i.get_kind_display(),
            text=lambda i: f"{money.grouped(i.amount)} {i.currency}",
            meta=lambda i: i.period,
            more=list_url(Incentive, q=person.full_name),
        ),
        *records_panel(
            key="person-moves",
            icon="arrow-left-right",
            title=_("Promotions and moves"),
            records=moves[:PANEL_ROWS],
            code=lambda m: m.get_kind_display(),
            text=lambda m: " · ".join(str(x) for x in (m.to_position, m.to_department) if x),
            meta=lambda m: m.effective_on.isoformat(),
            more=career,
        ),
    ]
