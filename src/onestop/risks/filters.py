import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.accounts.models import Department
from onestop.core.choices import ChoiceSourceFilter
from onestop.risks.matrix import Level, Strategy
from onestop.risks.models import (
    EmergencyActivation,
    EmergencyPlan,
    IdentificationSession,
    Indicator,
    ResponseAction,
    Risk,
    RiskCategory,
    Warning,
    WarningLevel,
)
from onestop.risks.states import RISK_OPEN


class RiskFilterSet(SearchFilterSet):
    search_fields = ("code", "title", "cause", "event", "consequence", "engagement__code")
    state = django_filters.ChoiceFilter(choices=Risk.State.choices, label=_("State"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    category = django_filters.ModelChoiceFilter(queryset=RiskCategory.objects.all(), label=_("Category"))
    strategy = django_filters.ChoiceFilter(choices=Strategy.choices, label=_("Strategy"))
    scope = django_filters.ChoiceFilter(
        choices=[("company", _("Company")), ("project", _("Projects"))],
        method="filter_scope",
        label=_("Scope"),
    )
    engagement = ChoiceSourceFilter("engagements.Engagement", label=_("Engagement"))
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    owner = ChoiceSourceFilter("accounts.User", label=_("Risk owner"))
    likelihood = django_filters.NumberFilter(label=_("Likelihood"))
    impact = django_filters.NumberFilter(label=_("Impact"))
    review_overdue = django_filters.BooleanFilter(method="filter_review_overdue", label=_("Review overdue"))

    class Meta:
        model = Risk
        fields = [
            "q",
            "state",
            "open",
            "level",
            "category",
            "strategy",
            "scope",
            "engagement",
            "project",
            "department",
            "owner",
            "likelihood",
            "impact",
            "review_overdue",
        ]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(state__in=RISK_OPEN) if value else queryset.exclude(state__in=RISK_OPEN)

    def filter_scope(self, queryset, name, value):
        if value == "company":
            return queryset.filter(engagement__isnull=True)
        if value == "project":
            return queryset.filter(engagement__isnull=False)
        return queryset

    def filter_review_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = {"state__in": RISK_OPEN, "next_review__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class ResponseActionFilterSet(SearchFilterSet):
    search_fields = ("title", "description", "risk__code", "risk__title")
    state = django_filters.ChoiceFilter(choices=ResponseAction.State.choices, label=_("State"))
    owner = ChoiceSourceFilter("accounts.User", label=_("Owner"))

    class Meta:
        model = ResponseAction
        fields = ["q", "state", "owner"]


class SessionFilterSet(SearchFilterSet):
    search_fields = ("title", "minutes", "engagement__code")
    method = django_filters.ChoiceFilter(
        choices=IdentificationSession._meta.get_field("method").choices, label=_("Method")
    )

    class Meta:
        model = IdentificationSession
        fields = ["q", "method"]


class CategoryFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = RiskCategory
        fields = ["q", "active"]


class IndicatorFilterSet(SearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Indicator
        fields = ["q", "active"]


class WarningFilterSet(SearchFilterSet):
    search_fields = ("code", "subject", "indicator__name")
    state = django_filters.ChoiceFilter(choices=Warning.State.choices, label=_("State"))
    level = django_filters.ChoiceFilter(choices=WarningLevel.choices, label=_("Warning level"))
    indicator = django_filters.ModelChoiceFilter(queryset=Indicator.objects.all(), label=_("Indicator"))
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))

    class Meta:
        model = Warning
        fields = ["q", "state", "level", "indicator", "project"]


class EmergencyPlanFilterSet(SearchFilterSet):
    search_fields = ("title", "steps")

    class Meta:
        model = EmergencyPlan
        fields = ["q", "category", "active"]


class ActivationFilterSet(SearchFilterSet):
    search_fields = ("code", "situation", "plan__title")
    state = django_filters.ChoiceFilter(choices=EmergencyActivation.State.choices, label=_("State"))

    class Meta:
        model = EmergencyActivation
        fields = ["q", "state"]
