"""Maps of the United States drawn on the server: the Albers USA projection and the state outlines.

Shared kernel, not an events module: the public events map uses it today, and a choropleth of
supporters or donors by state (analytics) wants the same outlines, the same projection and the
same SVG path strings. Nothing here touches the database or the network.

The outlines are ``states-albers-10m.json`` of the npm package us-atlas 3.0.1 (shipped in
``core/data`` with its licence). That file is already projected with d3's Albers USA at scale
1300 and translate [487.5, 305] — a 975 × 610 canvas with Alaska and Hawaii moved into insets —
so a point (an event, a ZIP centroid) must go through the very same projection to land in the
right place: ``albers_usa`` reproduces it, insets and clip boxes included.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "us-atlas-states-albers-10m.json"
WIDTH, HEIGHT = 975, 610
SCALE = 1300.0
TRANSLATE = (487.5, 305.0)
_EPSILON = 1e-6

Point = tuple[float, float]
Ring = list[Point]


@dataclass(frozen=True)
class _Conic:
    """A conic equal-area projection (d3's ``geoConicEqualArea``): rotation, centre, parallels,
    scale and translation, as d3 applies them."""

    rotate: float
    centre: Point
    parallels: Point
    scale: float
    translate: Point

    def _raw(self, lam: float, phi: float) -> Point:
        sy0 = math.sin(math.radians(self.parallels[0]))
        n = (sy0 + math.sin(math.radians(self.parallels[1]))) / 2
        c = 1 + sy0 * (2 * n - sy0)
        r0 = math.sqrt(c) / n
        r = math.sqrt(max(0.0, c - 2 * n * math.sin(phi))) / n
        return r * math.sin(lam * n), r0 - r * math.cos(lam * n)

    def _rotated(self, lng: float) -> float:
        # d3 adds the rotation to the longitude and wraps it into [-180°, 180°].
        lam = math.radians(lng + self.rotate)
        if lam > math.pi:
            lam -= 2 * math.pi
        elif lam < -math.pi:
            lam += 2 * math.pi
        return lam

    def __call__(self, lng: float, lat: float) -> Point:
        # The centre is given after rotation (d3's ``center``): it lands on ``translate``.
        cx, cy = self._raw(math.radians(self.centre[0]), math.radians(self.centre[1]))
        px, py = self._raw(self._rotated(lng), math.radians(lat))
        return (
            self.translate[0] + self.scale * (px - cx),
            self.translate[1] - self.scale * (py - cy),
        )


def _parts(k: float = SCALE, x: float = TRANSLATE[0], y: float = TRANSLATE[1]):
    """The three projections of Albers USA with their clip boxes (d3's ``geoAlbersUsa``)."""
    e = _EPSILON
    lower48 = _Conic(96.0, (-0.6, 38.7), (29.5, 45.5), k, (x, y))
    alaska = _Conic(154.0, (-2.0, 58.5), (55.0, 65.0), 0.35 * k, (x - 0.307 * k, y + 0.201 * k))
    hawaii = _Conic(157.0, (-3.0, 19.9), (8.0, 18.0), k, (x - 0.205 * k, y + 0.212 * k))
    return (
        (lower48, (x - 0.455 * k, y - 0.238 * k, x + 0.455 * k, y + 0.238 * k)),
        (alaska, (x - 0.425 * k + e, y + 0.120 * k + e, x - 0.214 * k - e, y + 0.234 * k - e)),
        (hawaii, (x - 0.214 * k + e, y + 0.166 * k + e, x - 0.115 * k - e, y + 0.234 * k - e)),
    )


_ALBERS_USA = _parts()


def albers_usa(lng: float, lat: float) -> Point | None:
    """Where a longitude/latitude lands on the 975 × 610 map, or None outside the 50 states'
    frames (Puerto Rico, Guam, a typo in the Atlantic) — as d3 decides: the first of the lower
    48, Alaska and Hawaii whose clip box holds the projected point."""
    if not (math.isfinite(lng) and math.isfinite(lat)) or not -90 <= lat <= 90:
        return None
    for project, (x0, y0, x1, y1) in _ALBERS_USA:
        px, py = project(lng, lat)
        if x0 <= px <= x1 and y0 <= py <= y1:
            return px, py
    return None


# ---------------------------------------------------------------- the outlines


@dataclass(frozen=True)
class State:
    fips: str
    name: str
    rings: tuple[tuple[Point, ...], ...]  # outer rings and holes alike (even-odd rule)

    def contains(self, point: Point) -> bool:
        """Whether a projected point lies inside the state (even-odd over all its rings)."""
        x, y = point
        inside = False
        for ring in self.rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                    inside = not inside
        return inside


@dataclass(frozen=True)
class Atlas:
    states: tuple[State, ...]
    nation_path: str  # the country's outline, for a fill
    borders_path: str  # every border between two states once, for a stroke

    def state(self, name_or_fips: str) -> State | None:
        return next((s for s in self.states if name_or_fips in (s.name, s.fips)), None)

    def state_path(self, state: State) -> str:
        """One state as an SVG path (a choropleth fills these)."""
        return path_d(state.rings, closed=True)


def _arcs(topology: dict) -> list[list[Point]]:
    """The topology's arcs as absolute points (delta-decoded, then un-quantized)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[Point]], indexes: list[int]) -> tuple[Point, ...]:
    points: list[Point] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return tuple(points)


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def path_d(lines, *, closed: bool, min_step: float = 1.5) -> str:
    """An SVG path's ``d`` from lines of points, in whole map pixels, keeping a point only once
    it is ``min_step`` pixels (Manhattan) from the last one kept, and always a line's ends so
    borders still meet. The map is never drawn wider than 975 pixels, so nothing visible is
    lost, and the whole country stays about 40 kB inline (a third of the file's precision)."""
    out = []
    for line in lines:
        last = None
        parts = []
        for i, (x, y) in enumerate(line):
            here = (round(x), round(y))
            end = i in (0, len(line) - 1)
            if last is None or (
                here != last
                and (end or abs(here[0] - last[0]) + abs(here[1] - last[1]) >= min_step)
            ):
                parts.append(f"{here[0]},{here[1]}")
                last = here
        if len(parts) > 1:
            out.append("M" + "L".join(parts) + ("Z" if closed else ""))
    return "".join(out)


@functools.cache
def atlas() -> Atlas:
    """The 50 states and DC, read once per process."""
    topology = json.loads(DATA.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    states = []
    uses: dict[int, int] = {}
    for geometry in topology["objects"]["states"]["geometries"]:
        rings = []
        for polygon in _polygons(geometry):
            for ring in polygon:
                rings.append(_ring(arcs, ring))
                for i in ring:
                    uses[i if i >= 0 else ~i] = uses.get(i if i >= 0 else ~i, 0) + 1
        states.append(
            State(fips=geometry["id"], name=geometry["properties"]["name"], rings=tuple(rings))
        )
    nation = [
        _ring(arcs, ring)
        for geometry in topology["objects"]["nation"]["geometries"]
        for polygon in _polygons(geometry)
        for ring in polygon
    ]
    return Atlas(
        states=tuple(states),
        nation_path=path_d(nation, closed=True),
        # An arc two states share is a border between them; the coast is the nation's outline.
        borders_path=path_d([arcs[i] for i in sorted(uses) if uses[i] > 1], closed=False),
    )
