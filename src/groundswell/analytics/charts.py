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


def _label(month) -> str:
    return month.strftime("%b %Y")


def cohorts_spec(rows: list[metrics.CohortRow]) -> dict:
    """A heat-map: one row per first-gift month, one column per month after it, the colour the
    share of the cohort that gave that month. Cohorts of no one and months not yet ended are
    left blank (no share to show)."""
    values = [
        {"cohort": _label(row.month), "after": k, "share": percent, "donors": n, "size": row.size}
        for row in rows
        if row.size
        for k, (n, percent) in enumerate(row.cells, start=1)
        if percent is not None
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": "container",
        "height": {"step": 20},
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "x": {
                "field": "after",
                "type": "ordinal",
                "title": "Months after the first gift",
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "cohort",
                "type": "ordinal",
                "title": None,
                "sort": [_label(row.month) for row in rows],
            },
            "color": {
                "field": "share",
                "type": "quantitative",
                "title": "% gave again",
                "scale": {"domain": [0, 100], "scheme": "greens"},
                "legend": {"orient": "bottom", "gradientLength": 160},
            },
            "tooltip": [
                {"field": "cohort", "title": "First gift in"},
                {"field": "after", "title": "Months after"},
                {"field": "donors", "type": "quantitative", "title": "Gave again"},
                {"field": "size", "type": "quantitative", "title": "Of donors"},
                {"field": "share", "type": "quantitative", "title": "Percent"},
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


def recurring_spec(rows: list[metrics.RecurringRow]) -> dict:
    """Bars of recurring revenue received each month; recurring donors in the tooltip."""
    values = [
        {
            "month": f"{row.month.isoformat()}T00:00",
            "revenue": row.revenue_cents / 100,
            "donors": row.donors,
            "installments": row.installments,
        }
        for row in rows
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": "container",
        "height": 200,
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
                "field": "revenue",
                "type": "quantitative",
                "title": "Recurring revenue ($)",
                "axis": {"format": "$,.0f", "tickCount": 5},
            },
            "tooltip": [
                {"field": "month", "type": "temporal", "title": "Month", "format": "%B %Y"},
                {"field": "revenue", "type": "quantitative", "title": "Revenue", "format": "$,.2f"},
                {"field": "donors", "type": "quantitative", "title": "Recurring donors"},
                {"field": "installments", "type": "quantitative", "title": "Installments"},
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }
