import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import DateInput, ModelForm
from onestop.core.views import Column, ObjectViews
from onestop.notifications.models import Holiday


class HolidayFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year", label=_("Year"))
    kind = django_filters.ChoiceFilter(choices=Holiday.Kind.choices, label=_("Kind"))

    class Meta:
        model = Holiday
        fields = ["year", "kind"]


class HolidayForm(ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name", "kind"]
        widgets = {"date": DateInput()}


class HolidayViews(ObjectViews):
    model = Holiday
    filterset_class = HolidayFilterSet
    form_class = HolidayForm
    icon = "calendar3"
    columns = [Column("date", link=True), Column("name"), Column("kind")]
    default_sort = "date"
    detail_fields = ["date", "name", "kind"]
