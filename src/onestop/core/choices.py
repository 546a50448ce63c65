"""Choices over large tables: a type-ahead instead of every row as an ``<option>``.

A list's filter over clients, projects or people used to render every row the user may see:
10,015 project options made the inspection list a 790 KB page. Such a filter is a
``ChoiceSourceFilter``: its ``<select>`` holds only the chosen option (so ``?client=5`` still
names the client without JavaScript), and static/onestop/app.js turns it into a tom-select that
asks ``GET /api/choices/<app_label.model>/?q=…`` for at most ``LIMIT`` matches as the user types.

Only the models in ``SOURCES`` answer there, each with the rows ``visible_to`` the user and
searched over the same fields as the global search (core/search.py). Small fixed choices (stages,
channels, states) stay plain selects.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

import django_filters
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onestop.core.search import ranked

LIMIT = 20  # matches per answer: enough to pick from, never the whole table


@dataclass(frozen=True)
class ChoiceSource:
    model: str  # "app_label.ModelName"
    fields: tuple[str, ...]  # searched (icontains); the first ranks exact and prefix matches first
    # The rows a user may pick from; default: every row the user may see.
    rows: Callable | None = None
    select_related: tuple[str, ...] = ()
    # A second source over the same model (e.g. the people a plan can be staffed with) names
    # itself; ``label(row)`` words an option when ``str(row)`` is not enough (a person's load).
    name: str = ""
    label: Callable | None = None
    indexed: bool = False  # searched through the model's full-text index (core/search.py ranked)

    @property
    def key(self) -> str:
        return (self.name or self.model).lower()

    def label_of(self, row) -> str:
        return str(self.label(row)) if self.label is not None else str(row)

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def choices(self, user):
        if user is None or not user.is_authenticated:
            return self.model_class.objects.none()
        rows = self.rows(user) if self.rows else self.model_class.objects.visible_to(user)
        return rows.select_related(*self.select_related)


def _staff(user):
    # People are picked by staff only: a client user sees no staff list (the filters say the same).
    return apps.get_model("accounts.User").objects.visible_to(user).staff().order_by("full_name", "username")


SOURCES = {
    source.key: source
    for source in (
        ChoiceSource("accounts.ClientOrganization", ("name", "code", "tax_id")),
        ChoiceSource(
            "accounts.ClientContact",
            ("name", "phone", "mobile", "email", "organization__name"),
            select_related=("organization",),
        ),
        ChoiceSource("accounts.User", ("full_name", "username", "employee_no"), rows=_staff),
        ChoiceSource("engagements.Engagement", ("code", "title", "client__name"), indexed=True),
        ChoiceSource("projects.Project", ("code", "name", "engagement__client__name")),
        ChoiceSource(
            "contracts.Contract",
            ("code", "engagement__code", "engagement__title", "engagement__client__name"),
        ),
        ChoiceSource("quality.QCPlan", ("project__code", "project__name"), select_related=("project",)),
        ChoiceSource("quality.Inspection", ("code", "project__code", "project__name")),
    )
}


def register(choice_source: ChoiceSource) -> ChoiceSource:
    """Add an app's own source (its ``name`` keeps it apart from the model's general one)."""
    SOURCES[choice_source.key] = choice_source
    return choice_source


def source(key: str) -> ChoiceSource | None:
    return SOURCES.get(key.lower())


def matches(user, key: str, words: str, limit: int = LIMIT):
    """The first ``limit`` rows of the source ``key`` that ``user`` may see matching ``words``
    (every field, substrings: Chinese has no word boundaries), best first."""
    found = source(key)
    if found is None:
        raise LookupError(key)
    rows = found.choices(user)
    words = " ".join(words.split())
    if words:
        rows = ranked(rows, found, words)
    found_rows = list(rows[:limit])
    for row in found_rows:
        row.choice_label = found.label_of(row)
    return found_rows


class TypeaheadSelect(forms.Select):
    """A ``<select>`` that renders only its empty and chosen options; the browser asks the
    choices endpoint for the others (static/onestop/app.js)."""

    def __init__(self, source_key: str, attrs=None):
        super().__init__(attrs)
        self.source_key = source_key.lower()

    @property
    def url(self) -> str:
        return reverse("api:choices", args=[self.source_key])

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(self.typeahead_attrs())
        return context

    def typeahead_attrs(self) -> dict[str, str]:
        return {
            "data-choices-url": self.url,
            "data-placeholder": str(_("Type to search…")),
            "data-no-results": str(_("No matches")),
        }

    def optgroups(self, name, value, attrs=None):
        iterator = self.choices
        shown = []
        field = getattr(iterator, "field", None)
        if field is not None and field.empty_label is not None:
            shown.append(("", field.empty_label))
        wanted = [v for v in value if v not in ("", None)]
        if wanted and hasattr(iterator, "queryset"):
            # Not a record's id: nothing is shown chosen (the form says the value is invalid).
            with suppress(ValueError, TypeError, OverflowError, ValidationError):
                shown += [iterator.choice(row) for row in iterator.queryset.filter(pk__in=wanted)]
        groups = []
        for index, (option_value, label) in enumerate(shown):
            selected = str(option_value) in value
            groups.append(
                (None, [self.create_option(name, option_value, label, selected, index, attrs=attrs)], index)
            )
        return groups


class ChoiceSourceFilter(django_filters.ModelChoiceFilter):
    """A filter over a large table, e.g. ``ChoiceSourceFilter("accounts.ClientOrganization")``:
    validated against the rows the user may see (or ``queryset`` if given), shown as a
    type-ahead."""

    def __init__(self, source_key: str, *args, **kwargs):
        found = source(source_key)
        if found is None:
            raise ValueError(f"{source_key} is not a choice source (core/choices.py SOURCES)")
        self.source_key = source_key
        kwargs.setdefault("queryset", lambda request: found.choices(getattr(request, "user", None)))
        kwargs.setdefault("widget", TypeaheadSelect(source_key))
        super().__init__(*args, **kwargs)
