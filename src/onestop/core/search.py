"""Global search (issue 11 §3): one box in the header finds engagements, clients, contacts,
contracts, projects, inspections, settlements, plans, complaints and documents.

- **Only what the user may see**: every kind is read through its model's ``visible_to(user)``
  (core/access.py, the one visibility rule), after the kind's view permission.
- **One query per kind**, whatever the number of matches: the best few rows of each kind, with
  one more to know whether there are more.
- **Ranked**: an exact number or name first, then one that starts with the words, then any
  other match, the newest first within each.

Each app names what of its records can be found in its ``search.py``, a list ``KINDS`` of
``SearchKind``; this module finds those modules by name, so core never imports an app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from onestop.core import fulltext

QUERY_MAX = 100  # characters; a longer query is refused, not cut
PREVIEW = 5  # rows per kind in the header's drop-down
PAGE = 20  # rows per kind on the results page


@dataclass(frozen=True)
class SearchKind:
    model: str  # "app_label.ModelName"
    fields: tuple[str, ...]  # searched (icontains); the first is the record's number or name
    subtitle: Callable[[Any], str] | None = None  # the second line of a hit
    select_related: tuple[str, ...] = ()
    url: Callable[[Any], str] | None = None  # default: the record's page
    icon: str = "file-earmark"
    # True when the model keeps a ``search_text`` under the full-text index (core/fulltext.py):
    # searched through the index instead of ``icontains`` over ``fields``.
    indexed: bool = False
    # A foreign key to an indexed record (e.g. "engagement"): a row is also found when that
    # record is (its title, client, contact, needs), through the record's full-text index.
    through: str = ""

    @property
    def model_class(self):
        return apps.get_model(self.model)


@dataclass
class Hit:
    title: str
    subtitle: str
    url: str


@dataclass
class Group:
    kind: SearchKind
    label: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False
    list_url: str = ""  # the kind's list, filtered by the same words ("see all")


# Documents: the files uploaded to any record, each seen exactly where its record is seen (and
# an internal file never by a client: Attachment.objects.visible_to).
DOCUMENTS = SearchKind(
    "core.Attachment",
    ("original_name", "description"),
    subtitle=lambda a: a.description,
    url=lambda a: reverse("core:attachment_download", args=[a.pk]),
    icon="paperclip",
)


@cache
def kinds() -> tuple[SearchKind, ...]:
    """Every app's ``search.KINDS``, in the order of INSTALLED_APPS (the order of the path), and
    the documents last."""
    found: list[SearchKind] = []
    for config in apps.get_app_configs():
        name = config.name
        if name.startswith("onestop.") and name != __package__ and find_spec(f"{name}.search") is not None:
            found.extend(import_module(f"{name}.search").KINDS)
    return (*found, DOCUMENTS)


def best(queryset, kind, words: str, limit: int) -> list:
    """The first ``limit`` rows of ``ranked``, in two short queries instead of one that ranks and
    sorts every match: the rows whose number or name starts with the words (exact first), then
    the newest of the others. With a common word (a city's name matching 10,000 engagements) the
    second query stops at its first rows instead of sorting them all (56 → 3 ms at 100k)."""
    first = kind.fields[0]
    leading = list(ranked(queryset, kind, words).filter(**{f"{first}__istartswith": words})[:limit])
    others = matching(queryset, kind, words).exclude(**{f"{first}__istartswith": words}).order_by("-pk")
    # Always both queries (at least one row asked): a page runs the same queries whatever matches.
    return (leading + list(others[: max(limit - len(leading), 1)]))[:limit]


def matching(queryset, kind, words: str):
    """The rows of ``queryset`` that match ``words``, unordered: see ``ranked``."""
    if getattr(kind, "indexed", False):
        return fulltext.matching(queryset, words)
    matches = Q()
    for name in kind.fields:
        matches |= _contains(queryset.model, name, words)
    through = getattr(kind, "through", "")
    if through:
        target = queryset.model._meta.get_field(through).related_model
        matches |= Q(**{f"{through}__in": fulltext.matching(target._base_manager.all(), words).values("pk")})
    return queryset.filter(matches)


def _contains(model, name: str, words: str) -> Q:
    """``name__icontains=words``; through foreign keys (``engagement__client__name``) as
    ``engagement__client__in (the clients whose name contains the words)``: the small table is
    searched on its own instead of joined to every row (PostgreSQL then sorted the whole join,
    73 → 3 ms for contracts at 100k engagements)."""
    prefix, _, field = name.rpartition("__")
    if not prefix:
        return Q(**{f"{name}__icontains": words})
    target = model
    for part in prefix.split("__"):
        relation = target._meta.get_field(part)
        if not relation.concrete or not (relation.many_to_one or relation.one_to_one):
            # a reverse or many-to-many step: joined as before
            return Q(**{f"{name}__icontains": words})
        target = relation.related_model
    return Q(**{f"{prefix}__in": target._base_manager.filter(**{f"{field}__icontains": words}).values("pk")})


def ranked(queryset, kind, words: str):
    """``queryset`` filtered by ``words`` (a SearchKind or a choice source): through the full-text
    index when the kind is ``indexed``, else ``icontains`` over ``kind.fields``. Ranked: exact
    number or name first, then a prefix, then the newest."""
    first = kind.fields[0]
    rank = Case(
        When(**{f"{first}__iexact": words}, then=Value(0)),
        When(**{f"{first}__istartswith": words}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    # Indexed kinds: the index says which rows match; no text-relevance rank (on SQLite bm25
    # would be a subquery per matching row), after an exact or leading number the newest is what
    # the reader of a preview wants, as for the other kinds.
    return matching(queryset, kind, words).annotate(search_rank=rank).order_by("search_rank", "-pk")


def _list_url(model, words: str) -> str:
    try:
        return reverse(model.url_name("list")) + "?" + urlencode({"q": words})
    except (NoReverseMatch, AttributeError):
        return ""


def search(user, words: str, *, per_kind: int = PREVIEW) -> list[Group]:
    """The groups of records ``user`` may see that match ``words``; empty kinds left out."""
    words = " ".join(words.split())
    if not words or len(words) > QUERY_MAX:
        return []
    groups = []
    for kind in kinds():
        model = kind.model_class
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        queryset = model.objects.visible_to(user).select_related(*kind.select_related)
        rows = best(queryset, kind, words, per_kind + 1)
        if not rows:
            continue
        groups.append(
            Group(
                kind=kind,
                label=str(opts.verbose_name_plural),
                hits=[
                    Hit(
                        title=str(row),
                        subtitle=kind.subtitle(row) if kind.subtitle else "",
                        url=kind.url(row) if kind.url else row.get_absolute_url(),
                    )
                    for row in rows[:per_kind]
                ],
                more=len(rows) > per_kind,
                list_url=_list_url(model, words),
            )
        )
    return groups
