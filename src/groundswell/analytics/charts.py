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


def sources_spec(lines: list, *, finance: bool, dimension_label: str) -> dict:
    """Horizontal bars of the top lines: net dollars for finance roles, unique donors else."""
    if finance:
        values = [{"label": ln.label, "value": ln.net_cents / 100} for ln in lines]
        title, number = "Net raised ($)", "$,.2f"
    else:
        values = [{"label": ln.label, "value": ln.donors} for ln in lines]
        title, number = "Unique donors", ",d"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": "container",
        "height": {"step": 22},
        "mark": {"type": "bar", "color": "#0d6b5c", "tooltip": True},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": "-x",
                "title": None,
                # Long refcodes are cut on the axis; the tooltip and the table have them whole.
                "axis": {"labelLimit": 110},
            },
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": title,
                "axis": {"format": "$,.0f", "tickCount": 4}
                if finance
                else {"format": ",d", "tickMinStep": 1, "tickCount": 4},
            },
            "tooltip": [
                {"field": "label", "type": "nominal", "title": dimension_label},
                {"field": "value", "type": "quantitative", "title": title, "format": number},
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }
