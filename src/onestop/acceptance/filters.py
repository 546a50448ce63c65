import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.acceptance.models import (
    AcceptanceCriterion,
    AcceptanceDeliverable,
    AcceptanceProblem,
    AcceptanceResult,
    AcceptanceRound,
    AcceptanceTeamMember,
    ChecklistItem,
    Method,
)
from onestop.accounts.filters import SearchFilterSet
from onestop.core.choices import ChoiceSourceFilter


class AcceptanceRoundFilterSet(SearchFilterSet):
    search_fields = ("project__code", "project__name", "project__engagement__client__name", "conclusion")
    state = django_filters.ChoiceFilter(choices=AcceptanceRound.State.choices, label=_("State"))
    scope = django_filters.ChoiceFilter(
        choices=[("project", _("Whole project")), ("milestone", _("One milestone"))],
        method="filter_scope",
        label=_("Scope"),
    )
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))

    class Meta:
        model = AcceptanceRound
        fields = ["q", "state", "scope", "project"]

    def filter_scope(self, queryset, name, value):
        if value == "project":
            return queryset.filter(milestone__isnull=True)
        if value == "milestone":
            return queryset.filter(milestone__isnull=False)
        return queryset


class RoundRowFilterSet(SearchFilterSet):
    round = django_filters.NumberFilter(field_name="round_id", label=_("Acceptance round"))


class AcceptanceDeliverableFilterSet(RoundRowFilterSet):
    search_fields = ("name", "description")

    class Meta:
        model = AcceptanceDeliverable
        fields = ["q", "round"]


class AcceptanceTeamMemberFilterSet(RoundRowFilterSet):
    search_fields = ("user__full_name", "user__username", "role")

    class Meta:
        model = AcceptanceTeamMember
        fields = ["q", "round"]


class ChecklistItemFilterSet(RoundRowFilterSet):
    search_fields = ("text", "note")
    kind = django_filters.ChoiceFilter(choices=ChecklistItem.Kind.choices, label=_("Kind"))

    class Meta:
        model = ChecklistItem
        fields = ["q", "round", "kind"]


class AcceptanceCriterionFilterSet(RoundRowFilterSet):
    search_fields = ("text",)

    class Meta:
        model = AcceptanceCriterion
        fields = ["q", "round"]


class AcceptanceResultFilterSet(RoundRowFilterSet):
    search_fields = ("note", "criterion__text")
    method = django_filters.ChoiceFilter(choices=Method.choices, label=_("Method"))
    passed = django_filters.BooleanFilter(label=_("Passed"))

    class Meta:
        model = AcceptanceResult
        fields = ["q", "round", "method", "passed"]


class AcceptanceProblemFilterSet(RoundRowFilterSet):
    search_fields = ("description", "requirement", "fix")
    state = django_filters.ChoiceFilter(choices=AcceptanceProblem.State.choices, label=_("State"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Mine"))

    class Meta:
        model = AcceptanceProblem
        fields = ["q", "round", "state", "mine"]

    def filter_mine(self, queryset, name, value):
        if value and self.request is not None:
            return queryset.filter(owner=self.request.user)
        return queryset
