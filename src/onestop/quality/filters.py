import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.core.choices import ChoiceSourceFilter
from onestop.quality.models import (
    FindingCategory,
    FindingCause,
    ImprovementAction,
    Inspection,
    InspectionItem,
    Phase,
    QCCheckpoint,
    QCPlan,
    QCTemplate,
    RectificationNotice,
)


class QCTemplateFilterSet(SearchFilterSet):
    search_fields = ("code", "name")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = QCTemplate
        fields = ["q", "is_active"]


class QCPlanFilterSet(SearchFilterSet):
    search_fields = ("project__code", "project__name")
    state = django_filters.ChoiceFilter(choices=QCPlan.State.choices, label=_("State"))

    class Meta:
        model = QCPlan
        fields = ["q", "state"]


class QCCheckpointFilterSet(SearchFilterSet):
    search_fields = ("name", "indicators", "plan__project__code", "plan__project__name")
    phase = django_filters.ChoiceFilter(choices=Phase.choices, label=_("Phase"))
    plan = ChoiceSourceFilter("quality.QCPlan")

    class Meta:
        model = QCCheckpoint
        fields = ["q", "phase", "plan"]


class InspectionFilterSet(SearchFilterSet):
    search_fields = ("code", "project__code", "project__name", "checkpoint__name")
    state = django_filters.ChoiceFilter(choices=Inspection.State.choices, label=_("State"))
    kind = django_filters.ChoiceFilter(choices=Inspection.Kind.choices, label=_("Kind"))
    project = ChoiceSourceFilter("projects.Project")

    class Meta:
        model = Inspection
        fields = ["q", "state", "kind", "project"]


class InspectionItemFilterSet(SearchFilterSet):
    search_fields = ("label", "note", "inspection__code")
    result = django_filters.ChoiceFilter(choices=InspectionItem.Result.choices[1:], label=_("Result"))
    category = django_filters.ChoiceFilter(choices=FindingCategory.choices, label=_("Finding category"))
    cause = django_filters.ChoiceFilter(choices=FindingCause.choices, label=_("Cause"))
    inspection = ChoiceSourceFilter("quality.Inspection")

    class Meta:
        model = InspectionItem
        fields = ["q", "result", "category", "cause", "inspection"]


class RectificationNoticeFilterSet(SearchFilterSet):
    search_fields = ("code", "project__code", "project__name", "requirement")
    state = django_filters.ChoiceFilter(choices=RectificationNotice.State.choices, label=_("State"))
    project = ChoiceSourceFilter("projects.Project")

    class Meta:
        model = RectificationNotice
        fields = ["q", "state", "department", "project"]


class ImprovementActionFilterSet(SearchFilterSet):
    search_fields = ("title", "description")
    state = django_filters.ChoiceFilter(choices=ImprovementAction.State.choices, label=_("State"))
    owner = ChoiceSourceFilter("accounts.User")

    class Meta:
        model = ImprovementAction
        fields = ["q", "state", "owner"]
