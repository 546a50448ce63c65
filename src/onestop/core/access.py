"""Need-to-know for staff (SPEC X-3): which engagement records a member of staff may see.

A client user sees its own organisation's records (each model's ``client_field``). Staff used
to see everything; now a member of staff sees a record of an engagement when

1. they hold a role that works on that kind of record for every engagement — the table
   ``SEES_ALL`` below: finance for money, legal for contracts, quality for inspections,
   customer service for the intake, and management (and system administrators) for everything;
2. or they are on the engagement's team: a person named on one of its records (holder,
   technician, plan lead, author, review panel, staffing, project lead and members,
   inspector, acceptance team, complaint handler, the client's account manager…), as each
   app declares with ``register_team`` next to its models;
3. or a department they belong to was brought in (a contract copy, a resource request, a
   rectification notice: ``register_department``);
4. or they head a department (or one above it) whose member qualifies by 2 or 3.

Every list, page, API call, file download, export and search starts from
``Model.objects.visible_to(user)``; the querysets of engagement records call
``staff_scope`` for staff, so this module is the one place the rule lives. It builds one
``IN (subquery)`` per registration — no Python loop over rows, the same number of queries
whatever the row count (one for the department tree per request), compiled once
(``team_engagements``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import SimpleNamespace

from django.apps import apps
from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL

from onestop.core.predicates import is_system_admin, user_roles
from onestop.core.roles import Role


class Kind(Enum):
    """The kinds of engagement record, each with the roles that see all of them."""

    ENGAGEMENT = "engagement"  # the engagement, its inquiries, proposals and mail
    PLAN = "plan"  # plans, versions, budgets, staffing, reviews, approvals
    CONTRACT = "contract"  # contracts, payment schedules, copies
    PROJECT = "project"  # projects, milestones, tasks, progress, kick-off
    COORDINATION = "coordination"  # issues, client reports, change and resource requests
    QUALITY = "quality"  # QC plans, inspections, rectifications
    ACCEPTANCE = "acceptance"  # acceptance rounds and their rows
    MONEY = "money"  # settlements, payments, write-offs
    COMPLAINT = "complaint"  # complaints


# Who works on a kind of record for every engagement (besides management and system
# administrators, who see everything). Everyone else sees the records of their own team.
SEES_ALL: dict[Kind, frozenset[str]] = {
    # Customer service takes every inquiry in and forwards it; legal drafts the contract of any
    # approved plan; finance closes engagements; quality follows complaints; the archive room
    # files every contract and opens its engagement.
    Kind.ENGAGEMENT: frozenset({Role.CUSTOMER_SERVICE, Role.LEGAL, Role.FINANCE, Role.QUALITY, Role.ARCHIVE}),
    # Legal writes the contract from the effective plan; finance checks budgets against fees.
    Kind.PLAN: frozenset({Role.LEGAL, Role.FINANCE}),
    Kind.CONTRACT: frozenset({Role.LEGAL, Role.ARCHIVE, Role.FINANCE}),
    # Quality plans inspections of every project; finance settles by project; customer service
    # keeps the client informed.
    Kind.PROJECT: frozenset({Role.QUALITY, Role.FINANCE, Role.CUSTOMER_SERVICE}),
    Kind.COORDINATION: frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY}),
    Kind.QUALITY: frozenset({Role.QUALITY}),
    Kind.ACCEPTANCE: frozenset({Role.QUALITY, Role.FINANCE, Role.CUSTOMER_SERVICE}),
    Kind.MONEY: frozenset({Role.FINANCE}),
    Kind.COMPLAINT: frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY}),
}
SEES_EVERYTHING = frozenset({Role.MANAGEMENT})


@dataclass(frozen=True)
class _Registration:
    model: str  # "app_label.ModelName"
    engagement: str  # lookup from the model to its engagement ("" for the engagement itself)
    field: str  # lookup from the model to a user, or to a department


_TEAM: list[_Registration] = []
_DEPARTMENTS: list[_Registration] = []


def register_team(model: str, *, engagement: str, users: tuple[str, ...]) -> None:
    """The people named in ``users`` on a ``model`` row are on its engagement's team."""
    _TEAM.extend(_Registration(model, engagement, field) for field in users)
    _TEAM_SQL.clear()


def register_department(model: str, *, engagement: str, department: str) -> None:
    """The members of the department named on a ``model`` row are on its engagement's team."""
    _DEPARTMENTS.append(_Registration(model, engagement, department))
    _TEAM_SQL.clear()


def sees_all(user, kind: Kind) -> bool:
    roles = user_roles(user)
    return bool(is_system_admin(user) or roles & SEES_EVERYTHING or roles & SEES_ALL[kind])


# How far below the department a head heads their authority reaches (the company's chart
# is three levels deep; one more for growth). A subquery, not a walk in Python.
DEPARTMENT_DEPTH = 4


def _supervised_departments(user):
    """The departments ``user`` heads, and every department below them."""
    department_model = apps.get_model("accounts", "Department")
    condition = Q()
    lookup = "head"
    for _level in range(DEPARTMENT_DEPTH):
        condition |= Q(**{lookup: user.pk})
        lookup = "parent__" + lookup
    return department_model._base_manager.filter(condition).values("pk")


def _team_engagements_query(user):
    """One query (a union of subqueries) of the ids of the engagements ``user`` is on the
    team of, directly, through a department, or as the head of a member's department."""
    user_model = apps.get_model("accounts", "User")
    supervised = _supervised_departments(user)
    people = user_model._base_manager.filter(Q(pk=user.pk) | Q(department_id__in=supervised)).values("pk")
    departments = (
        apps.get_model("accounts", "Department")
        ._base_manager.filter(Q(pk=user.department_id) | Q(pk__in=supervised))
        .values("pk")
    )
    selects = []
    for registration in _TEAM:
        model = apps.get_model(registration.model)
        selects.append(
            model._base_manager.filter(**{f"{registration.field}__in": people})
            .order_by()
            .values_list(registration.engagement or "pk", flat=True)
        )
    for registration in _DEPARTMENTS:
        model = apps.get_model(registration.model)
        selects.append(
            model._base_manager.filter(**{f"{registration.field}__in": departments})
            .order_by()
            .values_list(registration.engagement or "pk", flat=True)
        )
    first, *rest = selects
    return first.union(*rest)


# Building that union (three dozen subqueries) and compiling it took 20–30 ms of Python on every
# request of a member of staff, for SQL that differs between users only in two numbers: the
# user's and their department's. So it is built and compiled once per database engine, with a
# placeholder number no row has in their place, and each call fills in the user's own.
# Within every integer column's range: Django turns a lookup of an out-of-range number into
# "no rows" and would leave it out of the SQL.
_USER_PLACEHOLDER = -2_000_000_201
_DEPARTMENT_PLACEHOLDER = -2_000_000_202
_TEAM_SQL: dict[str, tuple[str, tuple]] = {}


def team_engagements(user, using: str = "default") -> RawSQL:
    """The ids of the engagements ``user`` is on the team of, as a subquery for ``__in``."""
    connection = connections[using]
    compiled = _TEAM_SQL.get(connection.vendor)
    if compiled is None:
        placeholder = SimpleNamespace(pk=_USER_PLACEHOLDER, department_id=_DEPARTMENT_PLACEHOLDER)
        query = _team_engagements_query(placeholder).query
        compiled = _TEAM_SQL[connection.vendor] = query.get_compiler(connection=connection).as_sql()
    sql, params = compiled
    own = {_USER_PLACEHOLDER: user.pk, _DEPARTMENT_PLACEHOLDER: user.department_id}
    values = tuple(own.get(value, value) if isinstance(value, int) else value for value in params)
    return RawSQL(sql, values)  # noqa: S611 (SQL compiled by the ORM; the values stay parameters)


def staff_scope(queryset, user):
    """The rows of ``queryset`` a member of staff may see.

    The model says what kind of record it is (``access_kind``) and how a row reaches its
    engagement (``engagement_lookup``; "pk" for the engagement itself). A model without
    ``access_kind`` is a company record every member of staff sees (templates, calendars…)."""
    kind = getattr(queryset.model, "access_kind", None)
    if kind is None or sees_all(user, kind):
        return queryset
    return queryset.filter(**{f"{queryset.model.engagement_lookup}__in": team_engagements(user, queryset.db)})
