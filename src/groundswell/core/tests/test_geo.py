"""The Albers USA projection and the shipped state outlines agree: known places land in their
own state, and only there."""

from __future__ import annotations

import math

import pytest
import zipcodes
from hypothesis import given
from hypothesis import strategies as st

from groundswell.core.geo import HEIGHT, WIDTH, albers_usa, atlas, path_d

# (ZIP, its state's name in the atlas): a spread over the lower 48, both insets and DC. The
# centroid comes from the ZIP table (the zipcodes package), not from our code.
KNOWN = [
    ("10001", "New York"),
    ("94103", "California"),
    ("60601", "Illinois"),
    ("33101", "Florida"),
    ("04101", "Maine"),
    ("98101", "Washington"),
    ("78701", "Texas"),
    ("59601", "Montana"),
    ("87501", "New Mexico"),
    ("55401", "Minnesota"),
    ("20001", "District of Columbia"),
    ("99501", "Alaska"),
    ("99950", "Alaska"),
    ("96813", "Hawaii"),
    ("96720", "Hawaii"),
]


def _centroid(zip_code: str) -> tuple[float, float]:
    row = zipcodes.matching(zip_code)[0]
    return float(row["lat"]), float(row["long"])


@pytest.mark.parametrize(("zip_code", "state"), KNOWN)
def test_a_zip_centroid_lands_inside_its_own_state_and_no_other(zip_code, state):
    lat, lng = _centroid(zip_code)
    point = albers_usa(lng, lat)
    assert point is not None
    holding = [s.name for s in atlas().states if s.contains(point)]
    assert holding == [state]


def test_places_outside_the_fifty_states_have_no_point():
    san_juan = _centroid("00901")
    assert albers_usa(san_juan[1], san_juan[0]) is None
    assert albers_usa(2.35, 48.86) is None  # Paris
    assert albers_usa(float("nan"), 40.0) is None


def test_the_atlas_holds_the_fifty_states_and_dc_within_the_canvas():
    states = atlas().states
    assert len(states) == 51
    for state in states:
        for ring in state.rings:
            for x, y in ring:
                assert -60 <= x <= WIDTH and 0 <= y <= HEIGHT


def test_paths_keep_the_ends_of_every_line_so_borders_meet():
    line = [(0.0, 0.0), (0.2, 0.1), (0.4, 0.3), (10.0, 10.0)]
    assert path_d([line], closed=False) == "M0,0L10,10"
    assert path_d([line], closed=True).endswith("Z")


@given(
    st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True)
)
def test_any_coordinates_give_a_point_on_the_canvas_or_none(lng, lat):
    point = albers_usa(lng, lat)
    if point is not None:
        assert all(math.isfinite(v) for v in point)
        assert -1 <= point[0] <= WIDTH + 1 and -1 <= point[1] <= HEIGHT + 1
