"""Vega-Lite specs for the People dashboard, built on the server from the figures' rows.

Each chart draws the same numbers as the table beside it (the tables are what a screen reader
and a page without scripts read). Long-form values (one row per bucket and series) let one
spec builder draw every chart of the page.
"""

from __future__ import annotations

from datetime import date

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
COLOURS = ["#0d6b5c", "#c2571a", "#5b4a9e", "#8a6d00"]
_FORMATS = {"day": "%b %-d", "week": "%b %-d", "month": "%b %Y"}


def _when(day: date) -> str:
    # A local midnight, not a bare date: a date-only string is read as UTC midnight, which
    # west of Greenwich would draw the bar on the day before.
    return f"{day.isoformat()}T00:00"


def bars_over_time(
    rows: list, series: dict[str, str], *, grain: str, title: str, stacked: bool = False
) -> dict:
    """Bars per bucket, one colour per series (``{"attribute": "Label"}``), side by side
    unless ``stacked``. ``rows`` carry ``bucket`` and each series' attribute."""
    values = [
        {"when": _when(row.bucket), "series": label, "value": getattr(row, name)}
        for row in rows
        for name, label in series.items()
    ]
    encoding: dict = {
        "x": {
            "field": "when",
            "type": "ordinal",
            "timeUnit": "yearmonth" if grain == "month" else "yearmonthdate",
            "title": None,
            "axis": {"format": _FORMATS[grain], "labelAngle": 0, "labelOverlap": True},
        },
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": title,
            "stack": True if stacked else None,
            "axis": {"format": ",d", "tickMinStep": 1},
        },
        "color": {
            "field": "series",
            "type": "nominal",
            "title": None,
            "sort": list(series.values()),
            "scale": {"domain": list(series.values()), "range": COLOURS[: len(series)]},
            "legend": {"orient": "top"},
        },
        "tooltip": [
            {"field": "when", "type": "temporal", "title": "From", "format": "%b %-d, %Y"},
            {"field": "series", "type": "nominal", "title": "Figure"},
            {"field": "value", "type": "quantitative", "title": "People", "format": ",d"},
        ],
    }
    if not stacked:
        encoding["xOffset"] = {"field": "series", "sort": list(series.values())}
    return {
        "$schema": SCHEMA,
        "data": {"values": values},
        "width": "container",
        "height": 220,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": encoding,
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


def bars_by_name(pairs: list[tuple[str, int]], *, title: str) -> dict:
    """Horizontal bars, one per named figure (ladder rungs, unsubscribe reasons), in order."""
    values = [{"name": name, "value": value} for name, value in pairs]
    return {
        "$schema": SCHEMA,
        "data": {"values": values},
        "width": "container",
        "height": {"step": 28},
        "mark": {"type": "bar", "color": COLOURS[0], "tooltip": True},
        "encoding": {
            "y": {
                "field": "name",
                "type": "nominal",
                "sort": [name for name, _ in pairs],
                "title": None,
                "axis": {"labelLimit": 140},
            },
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": title,
                "axis": {"format": ",d", "tickMinStep": 1},
            },
            "tooltip": [
                {"field": "name", "type": "nominal", "title": "Figure"},
                {"field": "value", "type": "quantitative", "title": title, "format": ",d"},
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }
