"""Rows counted per time range in one query, for figures that compare today with yesterday.

A range is half-open, ``(start, end)``: ``start <= t < end``, so consecutive days share no
instant and an index on the time column serves the filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

TimeRange = tuple[datetime, datetime]


def days_range(first: date, last: date) -> TimeRange:
    """Whole days from ``first`` to ``last``, both included, in the campaign's time zone."""
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return start, end


def counts_by_range(queryset: QuerySet, *, field: str, ranges: Sequence[TimeRange]) -> list[int]:
    """How many rows of ``queryset`` fall in each range by ``field``, in one query.

    The rows are first limited to the span of all the ranges, so the database reads that part
    of the index only, however long the table's history.
    """
    if not ranges:
        return []
    low = min(start for start, _ in ranges)
    high = max(end for _, end in ranges)
    counts = {
        f"r{i}": Count("pk", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end}))
        for i, (start, end) in enumerate(ranges)
    }
    row = queryset.filter(**{f"{field}__gte": low, f"{field}__lt": high}).aggregate(**counts)
    return [row[f"r{i}"] for i in range(len(ranges))]
