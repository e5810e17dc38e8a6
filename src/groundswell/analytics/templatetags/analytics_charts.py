"""Template filters for the dashboards' chart tables: a cell shown by its column's kind."""

from django import template
from django.utils.dateformat import format as date_format

from groundswell.donations.templatetags.finance import cents, count

register = template.Library()

_DATES = {"day": "M j, Y", "week": "M j, Y", "month": "F Y"}


@register.filter
def chart_cell(value, kind: str) -> str:
    """A chart table's cell: dates at the chart's grain, cents as dollars, whole numbers."""
    if kind in _DATES:
        return date_format(value, _DATES[kind]) if value else "—"
    if kind == "cents":
        return cents(value)
    return count(value)


@register.filter
def signed(value, money: bool = False) -> str:
    """A change: "+$12.00", "-3", "0" ("—" when there is nothing to compare)."""
    if value is None:
        return "—"
    shown = cents(abs(value)) if money else count(abs(value))
    return ("+" if value > 0 else "-" if value < 0 else "") + shown
