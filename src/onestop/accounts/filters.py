"""Filters shared by the list pages and the API (one definition, two front ends)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import ClientContact, ClientOrganization, Department, Position, User
from onestop.core.choices import ChoiceSourceFilter
from onestop.core.roles import Role


class SearchFilterSet(django_filters.FilterSet):
    """Adds a free-text ``q`` over the fields named in ``search_fields``."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class DepartmentFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "description")
    parent = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Parent department"))

    class Meta:
        model = Department
        fields = ["q", "parent"]


class PositionFilterSet(SearchFilterSet):
    search_fields = ("name", "description")
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))

    class Meta:
        model = Position
        fields = ["q", "department"]


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "full_name", "email", "employee_no", "phone")
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role", label=_("Role"))
    # Choices come from the same scope as the rows: no leaking of other clients' names.
    client_organization = ChoiceSourceFilter("accounts.ClientOrganization", label=_("Client organisation"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "department", "role", "client_organization", "is_active"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is not None:
            self.filters["department"].queryset = Department.objects.visible_to(user)

    def filter_role(self, queryset, name, value):
        return queryset.filter(groups__name=value).distinct() if value else queryset


class ClientOrganizationFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "industry", "city", "tax_id")
    kind = django_filters.ChoiceFilter(choices=ClientOrganization.Kind.choices, label=_("Type"))
    city = django_filters.CharFilter(lookup_expr="icontains", label=_("City"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ClientOrganization
        fields = ["q", "kind", "city", "is_active"]


class ClientContactFilterSet(SearchFilterSet):
    search_fields = ("name", "title", "phone", "mobile", "email", "organization__name")
    organization = ChoiceSourceFilter("accounts.ClientOrganization", label=_("Client organisation"))
    is_primary = django_filters.BooleanFilter(label=_("Primary contact"))

    class Meta:
        model = ClientContact
        fields = ["q", "organization", "is_primary"]
