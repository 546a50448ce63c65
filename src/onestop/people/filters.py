import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.accounts.models import Department, Position
from onestop.core.choices import ChoiceSourceFilter
from onestop.people import grading
from onestop.people.models import (
    ActionKind,
    Appraisal,
    Category,
    CheckIn,
    Course,
    CourseKind,
    Cycle,
    CycleKind,
    Enrolment,
    ImprovementPlan,
    Indicator,
    IndicatorTemplate,
    PersonSkill,
    ResultAction,
    Skill,
    SkillSource,
    TrainingSession,
)
from onestop.people.services import expiring_certificates


class IndicatorTemplateFilterSet(SearchFilterSet):
    search_fields = ("title", "position__name", "notes")
    position = django_filters.ModelChoiceFilter(queryset=Position.objects.all(), label=_("Position"))
    is_active = django_filters.BooleanFilter(label=_("In use"))

    class Meta:
        model = IndicatorTemplate
        fields = ["q", "position", "is_active"]


class IndicatorFilterSet(SearchFilterSet):
    search_fields = ("name", "target", "template__title")
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    template = django_filters.ModelChoiceFilter(queryset=IndicatorTemplate.objects.all(), label=_("Template"))

    class Meta:
        model = Indicator
        fields = ["q", "template", "category"]


class CycleFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=CycleKind.choices, label=_("Cycle"))
    year = django_filters.NumberFilter(label=_("Year"))
    state = django_filters.ChoiceFilter(choices=Cycle.State.choices, label=_("State"))

    class Meta:
        model = Cycle
        fields = ["kind", "year", "state"]


class AppraisalFilterSet(SearchFilterSet):
    search_fields = ("employee__full_name", "employee__username", "superior__full_name")
    cycle = django_filters.ModelChoiceFilter(queryset=Cycle.objects.all(), label=_("Cycle"))
    kind = django_filters.ChoiceFilter(
        field_name="cycle__kind", choices=CycleKind.choices, label=_("Kind of cycle")
    )
    state = django_filters.ChoiceFilter(choices=Appraisal.State.choices, label=_("State"))
    grade = django_filters.ChoiceFilter(choices=grading.GRADE_CHOICES, label=_("Grade"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    employee = ChoiceSourceFilter("accounts.User", label=_("Employee"))

    class Meta:
        model = Appraisal
        fields = ["q", "cycle", "kind", "state", "grade", "department", "employee"]


class ResultActionFilterSet(SearchFilterSet):
    search_fields = ("employee__full_name", "reason")
    kind = django_filters.ChoiceFilter(choices=ActionKind.choices, label=_("Action"))
    state = django_filters.ChoiceFilter(choices=ResultAction.State.choices, label=_("State"))
    payroll = django_filters.BooleanFilter(
        method="filter_payroll", label=_("For payroll (approved rewards and raises)")
    )

    class Meta:
        model = ResultAction
        fields = ["q", "kind", "state", "payroll"]

    def filter_payroll(self, queryset, name, value):
        """The rows payroll needs (with ?export=xlsx: the payroll export, not a payroll system)."""
        if not value:
            return queryset
        return queryset.filter(
            kind__in=[ActionKind.REWARD, ActionKind.RAISE], state=ResultAction.State.APPROVED
        )


class ImprovementPlanFilterSet(SearchFilterSet):
    search_fields = ("employee__full_name", "goals")
    state = django_filters.ChoiceFilter(choices=ImprovementPlan.State.choices, label=_("State"))

    class Meta:
        model = ImprovementPlan
        fields = ["q", "state"]


class CheckInFilterSet(SearchFilterSet):
    search_fields = ("plan__employee__full_name", "notes")
    progress = django_filters.ChoiceFilter(choices=CheckIn.Progress.choices, label=_("Progress"))

    class Meta:
        model = CheckIn
        fields = ["q", "progress"]


class SkillFilterSet(SearchFilterSet):
    search_fields = ("name", "category", "description")

    class Meta:
        model = Skill
        fields = ["q"]


class PersonSkillFilterSet(SearchFilterSet):
    search_fields = ("employee__full_name", "skill__name", "evidence")
    skill = django_filters.ModelChoiceFilter(queryset=Skill.objects.all(), label=_("Skill"))
    source = django_filters.ChoiceFilter(choices=SkillSource.choices, label=_("Source"))
    level = django_filters.NumberFilter(field_name="level", lookup_expr="gte", label=_("Level at least"))

    class Meta:
        model = PersonSkill
        fields = ["q", "skill", "source", "level"]


class CourseFilterSet(SearchFilterSet):
    search_fields = ("title", "provider", "description")
    kind = django_filters.ChoiceFilter(choices=CourseKind.choices, label=_("Kind"))

    class Meta:
        model = Course
        fields = ["q", "kind"]


class TrainingSessionFilterSet(SearchFilterSet):
    search_fields = ("course__title", "trainer", "location")
    course = django_filters.ModelChoiceFilter(queryset=Course.objects.all(), label=_("Course"))
    starts_from = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte", label=_("From"))

    class Meta:
        model = TrainingSession
        fields = ["q", "course", "starts_from"]


class EnrolmentFilterSet(SearchFilterSet):
    search_fields = ("employee__full_name", "session__course__title", "certificate_no")
    state = django_filters.ChoiceFilter(choices=Enrolment.State.choices, label=_("State"))
    expiring = django_filters.BooleanFilter(method="filter_expiring", label=_("Certificate expiring"))

    class Meta:
        model = Enrolment
        fields = ["q", "state", "expiring"]

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        ids = expiring_certificates().values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(Q(pk__in=ids))
