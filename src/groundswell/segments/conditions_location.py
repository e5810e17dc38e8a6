"""Conditions over where people live: state, ZIP or ZIP prefix, city, distance from a ZIP.

The state and the five-digit ZIP of the primary address are summarised on the person (indexed),
so those conditions never touch the address table. Distance uses the ZIP centroids the
``zipcodes`` package ships inside its wheel (no download at run time): a person whose primary
address has coordinates (geocoded) is measured from them; anyone else by their ZIP's centroid,
which becomes "their ZIP is one of the ZIPs whose centroid lies within the radius" — an
indexed IN over the person's ZIP.
"""

from __future__ import annotations

import functools
import math

import zipcodes
from django.db.models import F, FloatField, Q
from django.db.models.functions import ACos, Cast, Cos, Least, Radians, Sin

from groundswell.core.bulk import INLINE_IDS
from groundswell.people.models import PostalAddress
from groundswell.people.normalize import InvalidAddress, state_normalize
from groundswell.segments import params as p
from groundswell.segments.conditions import ConditionKind, Param, condition_register
from groundswell.segments.errors import DefinitionError

EARTH_MILES = 3958.8
MAX_MILES = 250
MILES_PER_DEGREE = 69.0


@functools.lru_cache(maxsize=2048)
def zip_centroid(zip_code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a five-digit ZIP's centroid, or None for an unknown ZIP."""
    try:
        rows = zipcodes.matching(zip_code)
    except (TypeError, ValueError):
        return None
    if not rows or not rows[0].get("lat"):
        return None
    return float(rows[0]["lat"]), float(rows[0]["long"])


@functools.lru_cache(maxsize=256)
def zips_within(zip_code: str, miles: int) -> tuple[str, ...]:
    """The ZIPs whose centroid lies within ``miles`` of ``zip_code``'s centroid."""
    centre = zip_centroid(zip_code)
    if centre is None:
        return ()
    rows = zipcodes.filter_by_coordinates(centre[0], centre[1], float(miles))
    return tuple(sorted({r["zip_code"] for r in rows} | {zip_code}))


def _states_clean(params: dict) -> dict:
    raw = params.get("states")
    if isinstance(raw, str):
        raw = [s for s in raw.replace(",", " ").split() if s]
    states = p.strings({"s": raw}, "s", "states", max_length=40)
    clean = set()
    for state in states:
        try:
            code = state_normalize(state)
        except InvalidAddress:
            code = ""
        if len(code) != 2:
            raise DefinitionError("States are two-letter codes, such as PA.")
        clean.add(code)
    return {"states": sorted(clean)}


def _zips_clean(params: dict) -> dict:
    zips = p.words(params, "zips", "ZIP codes or prefixes")
    if any(not p.ZIP_PREFIX.match(z) for z in zips):
        raise DefinitionError("ZIP codes are five digits; a prefix is one to four (191).")
    return {"zips": zips}


def _zips_q(params: dict) -> Q:
    exact = [z for z in params["zips"] if len(z) == 5]
    q = Q(postal_code__in=exact) if exact else Q(pk__in=[])
    for prefix in (z for z in params["zips"] if len(z) < 5):
        # A prefix is a range on the indexed column: '191' <= zip < '192'.
        upper = str(int(prefix) + 1).zfill(len(prefix)) if prefix.strip("9") else "~"
        q |= Q(postal_code__gte=prefix, postal_code__lt=upper)
    return q


def _city_clean(params: dict) -> dict:
    city = p.text(params, "city", "the city", max_length=100)
    state = params.get("state") or ""
    if state:
        state = _states_clean({"states": [state]})["states"][0]
    return {"city": city, "state": state}


def _city_q(params: dict) -> Q:
    addresses = PostalAddress.objects.filter(is_primary=True, city__iexact=params["city"])
    q = Q(pk__in=addresses.values("person_id"))
    return q & Q(state=params["state"]) if params["state"] else q


def _distance_clean(params: dict) -> dict:
    zip_code = params.get("zip")
    if not isinstance(zip_code, str) or not p.ZIP.match(zip_code.strip()):
        raise DefinitionError("Give a five-digit ZIP code to measure from.")
    zip_code = zip_code.strip()
    if zip_centroid(zip_code) is None:
        raise DefinitionError(f"ZIP code {zip_code} is not one we know the location of.")
    miles = p.integer(params, "miles", "the distance in miles", low=1, high=MAX_MILES)
    return {"zip": zip_code, "miles": miles}


def _distance_q(params: dict) -> Q:
    lat, lng = zip_centroid(params["zip"])
    miles = params["miles"]
    geocoded = PostalAddress.objects.filter(
        is_primary=True, latitude__isnull=False, longitude__isnull=False
    )
    # A box around the centre first (cheap comparisons), then the great-circle distance.
    dlat = miles / MILES_PER_DEGREE
    dlng = miles / (MILES_PER_DEGREE * max(0.1, math.cos(math.radians(lat))))
    boxed = geocoded.filter(
        latitude__gte=lat - dlat,
        latitude__lte=lat + dlat,
        longitude__gte=lng - dlng,
        longitude__lte=lng + dlng,
    )
    lat2 = Radians(Cast(F("latitude"), FloatField()))
    cosine = Sin(math.radians(lat)) * Sin(lat2) + Cos(math.radians(lat)) * Cos(lat2) * Cos(
        Radians(Cast(F("longitude"), FloatField())) - math.radians(lng)
    )
    near = boxed.annotate(miles=ACos(Least(cosine, 1.0)) * EARTH_MILES).filter(miles__lte=miles)
    # Read first when they are few: a list of ids lets the database OR two index scans (ids,
    # ZIPs) instead of testing a subquery on every person (0.65 s at a million people).
    ids = list(near.values_list("person_id", flat=True)[: INLINE_IDS + 1])
    by_coordinates = Q(pk__in=ids if len(ids) <= INLINE_IDS else near.values("person_id"))
    by_zip = Q(postal_code__in=zips_within(params["zip"], miles)) & ~Q(
        pk__in=geocoded.values("person_id")
    )
    return by_coordinates | by_zip


def register() -> None:
    for kind in (
        ConditionKind(
            kind="state",
            label="Lives in one of the states",
            group="Location",
            clean=_states_clean,
            q=lambda prm: Q(state__in=prm["states"]),
            params=(Param("states", "States", "states", help="Two-letter codes: PA, OH, MI"),),
        ),
        ConditionKind(
            kind="zip",
            label="ZIP code is or starts with",
            group="Location",
            clean=_zips_clean,
            q=_zips_q,
            params=(Param("zips", "ZIP codes or prefixes", help="19103, 191"),),
        ),
        ConditionKind(
            kind="city",
            label="Lives in the city",
            group="Location",
            clean=_city_clean,
            q=_city_q,
            params=(Param("city", "City"), Param("state", "State", required=False)),
        ),
        ConditionKind(
            kind="distance",
            label="Lives within a distance of a ZIP",
            group="Location",
            clean=_distance_clean,
            q=_distance_q,
            params=(Param("miles", "Miles", "number"), Param("zip", "of ZIP code")),
        ),
    ):
        condition_register(kind)
