"""Template filters for money pages: integer cents shown as dollars."""

from django import template

from groundswell.donations.models import cents_display

register = template.Library()


@register.filter
def cents(value) -> str:
    """Integer cents as "$1,234.56" ("—" when there is no value)."""
    if value is None or value == "":
        return "—"
    value = int(value)
    return ("-" if value < 0 else "") + cents_display(abs(value))


@register.filter
def count(value) -> str:
    """A whole number with thousands separators ("193,148")."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}"
