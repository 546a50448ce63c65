"""The rows of a list as one user asked for them: the one answer the list page, its export and
its saved filters share (issue 11 §2).

``list_rows(viewset, request)`` starts from ``Model.objects.visible_to(user)``, adds the list's
``select_related`` / ``prefetch_related``, applies its filterset (search included) and the sort
the user chose. The page paginates the result; the export (core/list_export.py) writes every
row of it; a saved filter (core/saved_filters.py) keeps only the parameters it understands
(``list_parameters``), so a saved link can carry nothing the page would not take.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from onestop.core.filtering import bounded
from onestop.core.forms import bootstrapify

PAGE_SIZES = (25, 50, 100)


@dataclass
class ListRows:
    columns: list  # the bound Columns of the list
    queryset: Any  # every visible row, filtered and sorted
    filterset: Any  # None when the list has no filters
    sort: str  # the sort the user chose ("" when none or not one of the columns)


def list_rows(viewset, request) -> ListRows:
    model = viewset.model
    columns = [column.bind(model) for column in viewset.columns]
    queryset = (
        model.objects.visible_to(request.user)
        .select_related(*viewset.list_select_related)
        .prefetch_related(*viewset.list_prefetch_related)
    )
    filterset = None
    if viewset.filterset_class is not None:
        filterset = bounded(viewset.filterset_class(request.GET or None, queryset=queryset, request=request))
        bootstrapify(filterset.form)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset

    sortable = {column.sort for column in columns if column.sort}
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in sortable:
        queryset = queryset.order_by(sort, "pk")
    else:
        sort = ""
        if viewset.default_sort:
            queryset = queryset.order_by(viewset.default_sort, "pk")
        elif not queryset.query.order_by and not model._meta.ordering:
            queryset = queryset.order_by("pk")
    return ListRows(columns, queryset, filterset, sort)


def list_parameters(viewset, query, request) -> QueryDict:
    """Of ``query`` (a query string or a QueryDict), only what the list understands for this
    user: its filters' fields (search included) with values its filterset accepts, a sort by one
    of its sortable columns, a page size it offers. Everything else (a page number, an export,
    an unknown name, a value the filter refuses) is dropped."""
    source = query if isinstance(query, QueryDict) else QueryDict(query or "")
    known = set()
    if viewset.filterset_class is not None:
        known = set(
            viewset.filterset_class(None, queryset=viewset.model.objects.none(), request=request).form.fields
        )
    sortable = {column.bind(viewset.model).sort for column in viewset.columns} - {None}
    kept = QueryDict(mutable=True)
    for key in source:
        values = [value for value in source.getlist(key) if value != ""]
        if not values:
            continue
        if key in known:
            kept.setlist(key, values)
        elif key == "sort" and values[0].lstrip("-") in sortable:
            kept["sort"] = values[0]
        elif key == "per_page" and values[0] in {str(size) for size in PAGE_SIZES}:
            kept["per_page"] = values[0]
    if viewset.filterset_class is not None and set(kept) & known:
        filterset = bounded(
            viewset.filterset_class(kept, queryset=viewset.model.objects.none(), request=request)
        )
        if not filterset.is_valid():
            for name in filterset.form.errors:
                kept.pop(name, None)
    return kept
