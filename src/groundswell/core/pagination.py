"""Pagination that stays fast on a million rows.

Counting every match of a broad filter costs a full scan; staff only need to know whether
there are "more than 10,000", so the count stops there and pages are limited to that window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

COUNT_CAP = 10_000


@dataclass
class Page:
    items: list[Any]
    number: int
    per_page: int
    count: int
    count_is_capped: bool

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return 0 if not self.items else (self.number - 1) * self.per_page + 1

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)


@dataclass(frozen=True)
class CappedCount:
    """How many rows matched, counted no further than ``cap`` (then ``capped`` is true)."""

    count: int
    capped: bool


def count_capped(queryset: QuerySet, cap: int | None = None) -> CappedCount:
    """Count a queryset's rows, stopping after ``cap`` (COUNT_CAP unless given, read at call
    time): one bounded query however many match."""
    cap = COUNT_CAP if cap is None else cap
    count = queryset.order_by()[: cap + 1].count()
    return CappedCount(min(count, cap), count > cap)


def paginate(queryset: QuerySet, page: str | int | None, per_page: int = 50) -> Page:
    """Slice one page out of an ordered queryset with a capped count."""
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    counted = count_capped(queryset)
    count, count_is_capped = counted.count, counted.capped
    last = max(1, -(-count // per_page))
    number = min(number, last)
    offset = (number - 1) * per_page
    items = list(queryset[offset : offset + per_page])
    return Page(items, number, per_page, count, count_is_capped)
