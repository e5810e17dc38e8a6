"""The public events map: the listed events as dots on the US outline, drawn as inline SVG.

Drawn on the server so it works without JavaScript, offline, and in tests; the projection and
the outlines are ``core.geo``'s (shared with any other map). The list beside it stays the
accessible equivalent: the map is hidden from screen readers and its links from the tab order.

Where a dot goes says no more than the list does: an event whose host keeps the address for
attendees is placed at its ZIP's centroid, never at its own coordinates; an online event has no
place and is in the list only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from groundswell.core.geo import HEIGHT, WIDTH, albers_usa, atlas
from groundswell.segments.conditions_location import zip_centroid

# The map draws the first this many matching events (soonest first); the list pages the rest.
MAP_MAX = 500
# Dots closer than this (in map pixels at the drawn zoom) become one dot with a count.
MERGE_PIXELS = 14.0
# A searched ZIP zooms the map onto the search circle, but never closer than this wide.
MIN_VIEW_WIDTH = 60.0


@dataclass
class Dot:
    x: float
    y: float
    r: float
    href: str
    label: str
    titles: list[str] = field(default_factory=list)


@dataclass
class EventMap:
    view_box: str
    nation_path: str
    borders_path: str
    dots: list[Dot]
    placed: int  # events drawn
    unplaced: int  # online, or no known place: in the list only
    stroke: float
    circle: tuple[float, float, float] | None = None  # the search circle (x, y, r)


def event_point(event) -> tuple[float, float] | None:
    """(latitude, longitude) the public may see: the ZIP centroid when the host keeps the
    address for attendees (or when the event is not geocoded); None for online events."""
    if event.is_virtual:
        return None
    if event.latitude is not None and event.longitude is not None and not event.address_private:
        return event.latitude, event.longitude
    if len(event.zip_code) == 5 and event.zip_code.isdigit():
        return zip_centroid(event.zip_code)
    return None


def _view(search) -> tuple[float, float, float, float, tuple | None]:
    """The viewBox: the whole country, or the search circle around a ZIP with a margin."""
    centre = zip_centroid(search.zip_code) if search.zip_code else None
    projected = albers_usa(centre[1], centre[0]) if centre else None
    if projected is None:
        return 0.0, 0.0, float(WIDTH), float(HEIGHT), None
    # A point ``miles`` north measures the radius in this part's scale (Alaska is smaller).
    north = albers_usa(centre[1], min(89.0, centre[0] + search.miles / 69.0))
    radius = math.dist(projected, north) if north else search.miles * 0.33
    width = max(MIN_VIEW_WIDTH, radius * 3)
    height = width * HEIGHT / WIDTH
    x, y = projected
    return x - width / 2, y - height / 2, width, height, (x, y, radius)


def events_map(*, events: QuerySet, search, query: dict[str, str], tracking: str) -> EventMap:
    """The map of the events the list's search finds (the first ``MAP_MAX``)."""
    rows = list(
        events.only(
            "pk",
            "slug",
            "title",
            "is_virtual",
            "latitude",
            "longitude",
            "address_private",
            "zip_code",
            "city",
            "state",
        )[:MAP_MAX]
    )
    x0, y0, width, height, circle = _view(search)
    scale = width / WIDTH
    merge = MERGE_PIXELS * scale
    groups: list[tuple[float, float, list]] = []
    unplaced = 0
    for event in rows:
        point = event_point(event)
        at = albers_usa(point[1], point[0]) if point else None
        if at is None:
            unplaced += 1
            continue
        group = next((g for g in groups if math.dist(at, g[:2]) <= merge), None)
        if group is None:
            groups.append((at[0], at[1], [event]))
        else:
            group[2].append(event)
    dots = [_dot(x, y, members, scale, query, tracking) for x, y, members in groups]
    geography = atlas()
    return EventMap(
        view_box=f"{x0:.1f} {y0:.1f} {width:.1f} {height:.1f}",
        nation_path=geography.nation_path,
        borders_path=geography.borders_path,
        dots=dots,
        placed=len(rows) - unplaced,
        unplaced=unplaced,
        stroke=scale,
        circle=circle,
    )


def _dot(x: float, y: float, members: list, scale: float, query: dict, tracking: str) -> Dot:
    """One event links to its page; several in one place link to the list around their ZIP."""
    suffix = f"?{tracking}" if tracking else ""
    titles = [e.title for e in members]
    if len(members) == 1:
        event = members[0]
        href = reverse("events:detail", args=[event.slug]) + suffix
        label = event.title
    else:
        zip_code = next((e.zip_code for e in members if e.zip_code), "")
        narrowed = {k: v for k, v in query.items() if v and k not in ("zip", "miles", "page")}
        if zip_code:
            narrowed.update(zip=zip_code, miles="5")
        href = reverse("events:list") + ("?" + urlencode(narrowed) if narrowed else "")
        label = f"{len(members)} events: " + "; ".join(titles[:5])
        if len(titles) > 5:
            label += f"; and {len(titles) - 5} more"
    radius = (9.0 if len(members) == 1 else 12.0) * scale
    return Dot(x=x, y=y, r=radius, href=href, label=label, titles=titles)
