"""One FilterSet per list, shared by the pages and the API (HR-9, HR-10)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.careers.models import (
    PERIOD,
    CareerLevel,
    CareerPath,
    DevelopmentPlan,
    DevelopmentReview,
    Incentive,
    IncentiveKind,
    MoveKind,
    Nomination,
    PositionMove,
    Recognition,
    RecognitionKind,
    Selection,
    Vote,
)


class RecognitionFilterSet(SearchFilterSet):
    search_fields = ("employee__full_name", "title", "reason")
    kind = django_filters.ChoiceFilter(choices=RecognitionKind.choices, label=_("Kind"))
    state = django_filters.ChoiceFilter(choices=Recognition.State.choices, label=_("State"))

    class Meta:
        model = Recognition
        fields = ["q", "kind", "state"]


class IncentiveFilterSet(SearchFilterSet):
    search_fields = ("employee__full_name", "reason")
    kind = django_filters.ChoiceFilter(choices=IncentiveKind.choices, label=_("Kind"))
    state = django_filters.ChoiceFilter(choices=Incentive.State.choices, label=_("State"))
    period = django_filters.CharFilter(label=_("Payroll month"), validators=[PERIOD], max_length=7)
    payroll = django_filters.BooleanFilter(method="filter_payroll", label=_("For payroll (approved only)"))

    class Meta:
        model = Incentive
        fields = ["q", "kind", "state", "period", "payroll"]

    def filter_payroll(self, queryset, name, value):
        """The approved incentives (with ?export=xlsx and a month: the payroll export)."""
        if not value:
            return queryset
        return queryset.filter(state=Incentive.State.APPROVED)


class SelectionFilterSet(SearchFilterSet):
    search_fields = ("title", "period")
    state = django_filters.ChoiceFilter(choices=Selection.State.choices, label=_("State"))

    class Meta:
        model = Selection
        fields = ["q", "state"]


class NominationFilterSet(SearchFilterSet):
    search_fields = ("nominee__full_name", "reason", "selection__title")
    selection = django_filters.ModelChoiceFilter(queryset=Selection.objects.all(), label=_("Selection"))

    class Meta:
        model = Nomination
        fields = ["q", "selection"]


class VoteFilterSet(SearchFilterSet):
    search_fields = ("selection__title",)
    selection = django_filters.ModelChoiceFilter(queryset=Selection.objects.all(), label=_("Selection"))

    class Meta:
        model = Vote
        fields = ["q", "selection"]


class CareerPathFilterSet(SearchFilterSet):
    search_fields = ("name", "description")

    class Meta:
        model = CareerPath
        fields = ["q"]


class CareerLevelFilterSet(SearchFilterSet):
    search_fields = ("title", "position__name", "criteria")
    path = django_filters.ModelChoiceFilter(queryset=CareerPath.objects.all(), label=_("Career path"))

    class Meta:
        model = CareerLevel
        fields = ["q", "path"]


class DevelopmentPlanFilterSet(SearchFilterSet):
    search_fields = ("employee__full_name", "goals")
    state = django_filters.ChoiceFilter(choices=DevelopmentPlan.State.choices, label=_("State"))
    review_due = django_filters.DateFilter(
        field_name="next_review_on", lookup_expr="lte", label=_("Review due by")
    )

    class Meta:
        model = DevelopmentPlan
        fields = ["q", "state", "review_due"]


class DevelopmentReviewFilterSet(SearchFilterSet):
    search_fields = ("plan__employee__full_name", "notes")
    progress = django_filters.ChoiceFilter(choices=DevelopmentReview.Progress.choices, label=_("Progress"))

    class Meta:
        model = DevelopmentReview
        fields = ["q", "progress"]


class PositionMoveFilterSet(SearchFilterSet):
    search_fields = ("employee__full_name", "reason", "to_position__name")
    kind = django_filters.ChoiceFilter(choices=MoveKind.choices, label=_("Kind"))
    state = django_filters.ChoiceFilter(choices=PositionMove.State.choices, label=_("State"))

    class Meta:
        model = PositionMove
        fields = ["q", "kind", "state"]
