"""The US states choropleth of unique donors, as a Vega-Lite spec built on the server.

The outlines are core.geo's us-atlas file (already projected with Albers USA, Alaska and
Hawaii in insets), inlined in the spec and drawn with Vega's identity projection: no request
leaves the page. Territories are not on the atlas; the table beside the map lists them.
"""

from __future__ import annotations

import functools
import json

from groundswell.core.geo import DATA


@functools.cache
def _topology() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def states_spec(rows) -> dict:
    """Each state shaded by its unique donors (counts only: the map is for every staff role)."""
    values = [{"name": r.name, "donors": r.donors} for r in rows if r.code]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": 260,
        "data": {"values": _topology(), "format": {"type": "topojson", "feature": "states"}},
        "projection": {"type": "identity", "reflectY": False},
        "transform": [
            {
                "lookup": "properties.name",
                "from": {"data": {"values": values}, "key": "name", "fields": ["donors"]},
                "default": 0,
            }
        ],
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5, "tooltip": True},
        "encoding": {
            "color": {
                "field": "donors",
                "type": "quantitative",
                "title": "Donors",
                "scale": {"scheme": "greens"},
                "legend": {"format": ",d", "orient": "bottom", "direction": "horizontal"},
            },
            "tooltip": [
                {"field": "properties.name", "type": "nominal", "title": "State"},
                {"field": "donors", "type": "quantitative", "title": "Donors", "format": ",d"},
            ],
        },
        "config": {"view": {"stroke": None}},
    }
