"""Percentiles in the database (X-7): the median and the 90th percentile of a duration.

Both databases give the same answer, the *nearest-rank* percentile: the value at rank
⌈p·n⌉ of the n values in ascending order (the median of an even count is the lower middle).

- PostgreSQL: ``percentile_disc(p) WITHIN GROUP (ORDER BY value)``, an ordered-set aggregate,
  which is exactly the nearest rank; grouped by month for the trend. One query for both
  percentiles.
- SQLite (and any other database): a window query — each row numbered in its group by
  ``ROW_NUMBER() OVER (PARTITION BY month ORDER BY value)`` beside its group's ``COUNT(*) OVER``;
  only the row whose number is ⌈p·n⌉ comes back (Django filters on the window in an outer query).
  The rank is computed in integers, ``(n·a + b − 1) / b`` for p = a/b, so 0.9·10 is 9, not 10.
  Never more rows than there are groups leave the database.
"""

from __future__ import annotations

from fractions import Fraction

from django.db import connection
from django.db.models import Aggregate, Count, F, IntegerField, Value, Window
from django.db.models.expressions import ExpressionWrapper
from django.db.models.functions import RowNumber

MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)
PERCENTILES = {"median": MEDIAN, "p90": P90}


class PercentileDisc(Aggregate):
    """PostgreSQL's ``percentile_disc(p) WITHIN GROUP (ORDER BY expression)``."""

    function = "percentile_disc"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, percentile: Fraction, **extra):
        super().__init__(expression, percentile=f"{float(percentile)!r}", **extra)


def database_percentile() -> bool:
    return connection.vendor == "postgresql"


def _rank(count, p: Fraction):
    """⌈p·count⌉ in integers."""
    return ExpressionWrapper(
        (count * Value(p.numerator) + Value(p.denominator - 1)) / Value(p.denominator),
        output_field=IntegerField(),
    )


def percentiles(rows, value: str, group: str | None = None) -> dict:
    """``{group value (None without a group): {"median": x, "p90": y, "count": n}}`` of the
    annotation ``value`` over ``rows`` (rows with a NULL value are left out)."""
    rows = rows.filter(**{f"{value}__isnull": False})
    result: dict = {}
    if database_percentile():
        aggregates = {name: PercentileDisc(F(value), p) for name, p in PERCENTILES.items()}
        aggregates["count"] = Count("pk")
        if group is None:
            result[None] = rows.aggregate(**aggregates)
        else:
            for row in rows.values(group).annotate(**aggregates).order_by(group):
                result[row.pop(group)] = row
        return result
    partition = [F(group)] if group else []
    numbered = rows.annotate(
        _n=Window(RowNumber(), partition_by=partition or None, order_by=[F(value).asc(), F("pk").asc()]),
        _count=Window(Count("pk"), partition_by=partition or None),
    )
    for name, p in PERCENTILES.items():
        for row in numbered.filter(_n=_rank(F("_count"), p)).values(
            *([group] if group else []), value, "_count"
        ):
            entry = result.setdefault(row[group] if group else None, {"count": row["_count"]})
            entry[name] = row[value]
    return result
