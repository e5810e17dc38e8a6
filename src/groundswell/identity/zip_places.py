"""Where a ZIP lies: every US ZIP's centroid, for "in neighbouring towns" (engine steps 2-4).

A ZIP3 or a city name is a coarse stand-in for "near": Bethesda 20814 and Chevy Chase 20815 are
two cities a few kilometres apart, and a donor who gives from both is one person as surely as one
who gives from two ZIPs of one city. The centroids come from the ``zipcodes`` package, which
carries them inside its wheel (no download at run time); the segments app reads the same data.
"""

from __future__ import annotations

import functools

import pyarrow as pa

# Two ZIPs whose centroids lie within this many kilometres are neighbouring places: ten miles,
# about a neighbouring town or a commute across one metropolitan area's suburbs. Chosen before
# looking at which pairs it would join, not fitted to them.
NEAR_KM = 16


@functools.cache
def zip_centroids() -> pa.Table:
    """One row per ZIP the package knows (about 42,800): zip5, zip_state, zip_cities (its city
    and the other names accepted for it, normalised as the engine's cities are), lat, lon."""
    import zipcodes

    from groundswell.identity.normalize import city_normalize

    columns: dict[str, list] = {"zip5": [], "zip_state": [], "zip_cities": [], "lat": [], "lon": []}
    normalised = functools.cache(city_normalize)  # 56,000 names, 26,000 of them distinct
    for row in zipcodes.filter_by():
        if not row.get("lat") or not row.get("long"):
            continue
        cities = [row["city"], *row.get("acceptable_cities", [])]
        columns["zip5"].append(row["zip_code"])
        columns["zip_state"].append(row["state"])
        columns["zip_cities"].append(sorted({normalised(c) for c in cities}))
        columns["lat"].append(float(row["lat"]))
        columns["lon"].append(float(row["long"]))
    return pa.table(
        {
            "zip5": pa.array(columns["zip5"], pa.string()),
            "zip_state": pa.array(columns["zip_state"], pa.string()),
            "zip_cities": pa.array(columns["zip_cities"], pa.list_(pa.string())),
            "lat": pa.array(columns["lat"], pa.float64()),
            "lon": pa.array(columns["lon"], pa.float64()),
        }
    )


def km_between_sql(a: str = "a", b: str = "b") -> str:
    """Great-circle kilometres between two records' ZIP centroids (NULL where one has none).

    Written out in plain SQL functions, as DuckDB has no great-circle distance of its own
    without an extension (the model's level is Splink's own, for either backend).
    """
    return (
        f"(2 * 6371 * asin(sqrt(power(sin(radians({b}.lat - {a}.lat) / 2), 2) "
        f"+ cos(radians({a}.lat)) * cos(radians({b}.lat)) "
        f"* power(sin(radians({b}.lon - {a}.lon) / 2), 2))))"
    )


def zips_near_sql(a: str = "a", b: str = "b", km: float = NEAR_KM) -> str:
    """Two records' ZIPs are neighbouring places (both centroids known, within ``km``)."""
    return f"coalesce({km_between_sql(a, b)} <= {float(km)}, false)"
