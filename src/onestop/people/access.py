"""Who sees whose people records (HR data is private; SPEC HR, X-3).

- the person themself;
- their superiors: the head of their department and of every department above it;
- HR and system administrators: everyone;
- management: the summaries (grade distribution), the actions they approve, not the appraisals;
- clients: nothing.

``people_scope`` is the one SQL condition used by every list, page, export and API of the app;
``supervises`` answers the same question for one person (the rules).
"""

from __future__ import annotations

from django.db.models import Q

from onestop.accounts.models import Department
from onestop.core.access import _supervised_departments
from onestop.core.predicates import has_role, is_internal, is_system_admin
from onestop.core.roles import Role

is_hr = is_internal & has_role(Role.HR)
sees_all_people = is_system_admin | is_hr


def supervised_departments(user):
    """The departments ``user`` heads and every department below them (a subquery)."""
    return _supervised_departments(user)


def people_scope(queryset, user, field: str = "employee"):
    """The rows of ``queryset`` about people ``user`` may see (``field`` names the person)."""
    if not user.is_authenticated or user.client_organization_id is not None:
        return queryset.none()
    if sees_all_people(user):
        return queryset
    return queryset.filter(
        Q(**{field: user.pk}) | Q(**{f"{field}__department_id__in": supervised_departments(user)})
    )


def sees_records_of(user, person) -> bool:
    """``people_scope`` for one person: may ``user`` see the records about ``person``?"""
    if not user.is_authenticated or user.client_organization_id is not None:
        return False
    return user.pk == person.pk or bool(sees_all_people(user)) or supervises(user, person)


def supervises(user, person) -> bool:
    """Does ``user`` head ``person``'s department or a department above it?"""
    if person is None or person.pk == user.pk:
        return False
    department_id = person.department_id
    seen: set[int] = set()
    while department_id is not None and department_id not in seen:
        seen.add(department_id)
        row = Department._base_manager.filter(pk=department_id).values("head_id", "parent_id").first()
        if row is None:
            return False
        if row["head_id"] == user.pk:
            return True
        department_id = row["parent_id"]
    return False


def superior_of(person):
    """The direct superior: the head of the person's department, or — for the head — the head
    of the nearest department above with another head. None when nobody is above."""
    department_id = person.department_id
    seen: set[int] = set()
    while department_id is not None and department_id not in seen:
        seen.add(department_id)
        department = Department._base_manager.filter(pk=department_id).select_related("head").first()
        if department is None:
            return None
        if department.head_id and department.head_id != person.pk and department.head.is_active:
            return department.head
        department_id = department.parent_id
    return None


def heads_a_department(user) -> bool:
    return Department._base_manager.filter(head=user).exists()
