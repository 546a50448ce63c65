"""What a cockpit figure is computed over: the user's visible engagements narrowed by the period,
department, project lead and client of the filter form (X-7).

Every tile asks the scope for its rows — ``engagements()`` or ``records(Model)`` — so every figure
and its drill-down read exactly the same rows, always through ``visible_to(user)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import ClientOrganization, Department
from onestop.core.choices import TypeaheadSelect
from onestop.engagements.models import Engagement

MAX_MONTHS = 24  # the longest period a trend is drawn over (a fixed number of months: fixed queries)


def default_period(today: date) -> tuple[date, date]:
    """The last six months up to today: the first day of the month five months back."""
    first = today.replace(day=1)
    for _step in range(5):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today


class FilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    lead = forms.ModelChoiceField(
        label=_("Project lead"),
        queryset=get_user_model().objects.filter(client_organization__isnull=True),
        required=False,
        widget=TypeaheadSelect("accounts.User"),
    )
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=ClientOrganization.objects.all(),
        required=False,
        widget=TypeaheadSelect("accounts.ClientOrganization"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period is before its start."))
        if start and end and (end - start).days > MAX_MONTHS * 31:
            self.add_error("start", _("The period is at most 24 months."))
        return data


FILTER_NAMES = ("start", "end", "department", "lead", "client")


@dataclass
class Scope:
    user: object
    start: date
    end: date
    department: Department | None = None
    lead: object = None
    client: ClientOrganization | None = None
    mine: bool = False  # a role dashboard: only the engagements the user leads or handles
    today: date = field(default_factory=timezone.localdate)
    _own: list | None = field(default=None, repr=False)

    @classmethod
    def from_form(cls, user, form: FilterForm, *, mine: bool = False, today: date | None = None) -> Scope:
        today = today or timezone.localdate()
        start, end = default_period(today)
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        return cls(
            user=user,
            start=data.get("start") or start,
            end=data.get("end") or end,
            department=data.get("department"),
            lead=data.get("lead"),
            client=data.get("client"),
            mine=mine,
            today=today,
        )

    # --- the rows ----------------------------------------------------------------------------

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes: from the start's midnight to the midnight after the end."""
        start = timezone.make_aware(datetime.combine(self.start, time.min))
        end = timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))
        return start, end

    def engagements(self):
        """The engagements the figures are about: visible to the user, of the filters' client,
        of a lead (the plan's or the project's) and of the lead's department."""
        rows = Engagement.objects.visible_to(self.user)
        if self.client is not None:
            rows = rows.filter(client=self.client)
        if self.lead is not None:
            rows = rows.filter(Q(plan__project_lead=self.lead) | Q(project__project_lead=self.lead))
        if self.department is not None:
            rows = rows.filter(
                Q(plan__project_lead__department=self.department)
                | Q(project__project_lead__department=self.department)
            )
        if self.mine:
            me = self.user
            rows = rows.filter(
                Q(plan__project_lead=me) | Q(project__project_lead=me) | Q(holder=me) | Q(technician=me)
            )
        return rows

    @property
    def narrowed(self) -> bool:
        """Whether the filters (or a role dashboard) narrow the engagements."""
        return self.mine or any(getattr(self, name) is not None for name in ("department", "lead", "client"))

    def engagement_ids(self):
        """The scope's engagements as a subquery — or, for a role dashboard, as the list of the
        user's own engagements read once (a handful: a person's own work), since the planner
        does badly with the need-to-know subqueries nested in every figure's query."""
        if not self.mine:
            return self.engagements().values("pk")
        if self._own is None:
            self._own = list(self.engagements().values_list("pk", flat=True))
        return self._own

    def records(self, model):
        """``model``'s rows visible to the user that belong to the scope's engagements."""
        lookup = getattr(model, "engagement_lookup", "engagement")  # surveys, complaints: their engagement
        rows = model.objects.visible_to(self.user)
        if lookup == "pk":
            return rows.filter(pk__in=self.engagement_ids())
        return rows.filter(**{f"{lookup}__in": self.engagement_ids()})

    # --- addresses ---------------------------------------------------------------------------

    def params(self) -> dict[str, str]:
        values = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for name in ("department", "lead", "client"):
            value = getattr(self, name)
            if value is not None:
                values[name] = str(value.pk)
        return values

    def query(self, **extra) -> str:
        return urlencode({**self.params(), **{k: v for k, v in extra.items() if v is not None}})

    def months(self) -> list[date]:
        """The first day of each month of the period (at most MAX_MONTHS + 1)."""
        first = self.start.replace(day=1)
        months = []
        while first <= self.end and len(months) <= MAX_MONTHS:
            months.append(first)
            first = (first + timedelta(days=32)).replace(day=1)
        return months
