import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.recruitment.models import (
    Candidate,
    Channel,
    HiringNeed,
    Interview,
    Onboarding,
    OnboardingPart,
    Posting,
    Topic,
)


def _needs(request):
    user = getattr(request, "user", None)
    return (
        HiringNeed.objects.visible_to(user).select_related("position") if user else HiringNeed.objects.none()
    )


class HiringNeedFilterSet(SearchFilterSet):
    search_fields = ("code", "position__name", "department__name", "skills", "justification")
    state = django_filters.ChoiceFilter(choices=HiringNeed.State.choices, label=_("State"))
    reason = django_filters.ChoiceFilter(choices=HiringNeed.Reason.choices, label=_("Reason"))

    class Meta:
        model = HiringNeed
        fields = ["q", "state", "reason", "department"]


class PostingFilterSet(SearchFilterSet):
    search_fields = ("title", "where", "need__code", "need__position__name")
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    need = django_filters.ModelChoiceFilter(queryset=_needs, label=_("Hiring need"))

    class Meta:
        model = Posting
        fields = ["q", "need", "channel"]


class CandidateFilterSet(SearchFilterSet):
    search_fields = ("code", "full_name", "phone", "email", "school", "current_employer", "need__code")
    need = django_filters.ModelChoiceFilter(queryset=_needs, label=_("Opening"))
    stage = django_filters.ChoiceFilter(choices=Candidate.Stage.choices, label=_("Stage"))
    source = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Source"))

    class Meta:
        model = Candidate
        fields = ["q", "need", "stage", "source"]


class InterviewFilterSet(SearchFilterSet):
    search_fields = ("candidate__full_name", "candidate__code", "interviewer__full_name", "place")
    scored = django_filters.BooleanFilter(
        field_name="scored_at", lookup_expr="isnull", exclude=True, label=_("Scored")
    )

    class Meta:
        model = Interview
        fields = ["q", "scored", "round"]


class OnboardingPartFilterSet(SearchFilterSet):
    search_fields = ("title", "content")
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("Part"))

    class Meta:
        model = OnboardingPart
        fields = ["q", "topic", "is_active"]


class OnboardingFilterSet(SearchFilterSet):
    search_fields = ("user__full_name", "user__username", "superior__full_name")
    completed = django_filters.BooleanFilter(
        field_name="completed_at", lookup_expr="isnull", exclude=True, label=_("Completed")
    )

    class Meta:
        model = Onboarding
        fields = ["q", "completed"]
