"""Vega-Lite specs for the dashboards, built on the server from the metrics' rows.

The page draws them with the vendored vega-embed (core/chart.js); the table beside each chart
holds the same numbers, for screen readers and when scripts are off.
"""

from __future__ import annotations

from groundswell.analytics import metrics


def _month(row) -> str:
    # "YYYY-MM-01T00:00": a date-only ISO string is read as UTC midnight, which west of
    # Greenwich would draw the bar in the month before.
    return f"{row.bucket.isoformat()}T00:00"


def months_spec(
    money: list[metrics.MoneyRow], donors: list[metrics.DonorRow], *, finance: bool
) -> dict:
    """Bars by month: net dollars for finance roles, unique donors for everyone else."""
    if finance:
        values = [{"month": _month(r), "value": r.net_cents / 100, "gifts": r.count} for r in money]
        title, number = "Net raised ($)", "$,.2f"
        tooltip_extra = [{"field": "gifts", "type": "quantitative", "title": "Gifts"}]
    else:
        values = [{"month": _month(r), "value": r.donors, "new": r.new} for r in donors]
        title, number = "Unique donors", ",d"
        tooltip_extra = [{"field": "new", "type": "quantitative", "title": "New donors"}]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": "container",
        "height": 220,
        "mark": {"type": "bar", "color": "#0d6b5c", "tooltip": True},
        "encoding": {
            "x": {
                "field": "month",
                "type": "ordinal",
                "timeUnit": "yearmonth",
                "title": None,
                "axis": {"format": "%b %Y", "labelAngle": 0, "labelOverlap": True},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": title,
                # Whole donors: no tick at 0.2 of a person.
                "axis": {"format": "$,.0f", "tickCount": 5}
                if finance
                else {"format": ",d", "tickMinStep": 1},
            },
            "tooltip": [
                {"field": "month", "type": "temporal", "title": "Month", "format": "%B %Y"},
                {"field": "value", "type": "quantitative", "title": title, "format": number},
                *tooltip_extra,
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }
