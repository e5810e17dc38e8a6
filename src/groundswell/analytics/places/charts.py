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
    # Every state on the atlas gets a value, zero included: a shape without one would be
    # dropped (an invalid colour), and the map would zoom to the states that have donors.
    donors = {r.name: r.donors for r in rows if r.code}
    names = [g["properties"]["name"] for g in _topology()["objects"]["states"]["geometries"]]
    values = [{"name": name, "donors": donors.get(name, 0)} for name in names]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": 220,
        "data": {"values": _topology(), "format": {"type": "topojson", "feature": "states"}},
        "projection": {"type": "identity", "reflectY": False},
        "transform": [
            {
                "lookup": "properties.name",
                "from": {"data": {"values": values}, "key": "name", "fields": ["donors"]},
            }
        ],
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5, "tooltip": True},
        "encoding": {
            "color": {
                "field": "donors",
                "type": "quantitative",
                "title": "Donors",
                "scale": {"scheme": "greens"},
                "legend": {
                    "format": ",d",
                    "tickMinStep": 1,  # whole donors: no tick at half a person
                    "orient": "bottom",
                    "direction": "horizontal",
                },
            },
            "tooltip": [
                {"field": "properties.name", "type": "nominal", "title": "State"},
                {"field": "donors", "type": "quantitative", "title": "Donors", "format": ",d"},
            ],
        },
        "config": {"view": {"stroke": None}},
    }


def zip3_spec(bins, other: int | None) -> dict:
    """Bars of the ZIP3 areas shown (each at least the floor) and "Other" when it is shown."""
    values = [{"area": f"{b.zip3}xx", "donors": b.donors} for b in bins]
    if other:
        values.append({"area": "Other", "donors": other})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": {"step": 18},
        "data": {"values": values},
        "mark": {"type": "bar", "color": "#0d6b5c", "tooltip": True},
        "encoding": {
            "y": {"field": "area", "type": "nominal", "sort": None, "title": None},
            "x": {
                "field": "donors",
                "type": "quantitative",
                "title": "Unique donors",
                "axis": {"format": ",d", "tickMinStep": 1},
            },
            "tooltip": [
                {"field": "area", "type": "nominal", "title": "ZIP3"},
                {"field": "donors", "type": "quantitative", "title": "Donors", "format": ",d"},
            ],
        },
        "config": {"view": {"stroke": None}},
    }
