"""Pagination whose count stops at a limit instead of counting millions of rows."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most ``limit + 1`` rows: enough to say "10,000+" without a full COUNT(*)."""

    @property
    def limit(self) -> int:
        return settings.ONESTOP_LIST_COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if hasattr(object_list, "values_list"):
            queryset = cast("QuerySet[Any]", object_list)
            return len(queryset.order_by().values_list("pk", flat=True)[: self.limit + 1])
        return min(len(object_list), self.limit + 1)

    @property
    def is_capped(self) -> bool:
        return self.count > self.limit

    @property
    def display_count(self) -> str:
        return f"{self.limit:,}+" if self.is_capped else f"{self.count:,}"
