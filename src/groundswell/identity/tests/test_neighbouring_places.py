# ruff: noqa: E501 (one made-up FEC row per line reads better than wrapped fields)
"""Neighbouring towns (``zip_places``): two ZIPs a few kilometres apart are one area even when
their cities and ZIP3s differ; two ZIPs across a state are not. Made-up names at real ZIPs (a
ZIP is a place, not a person): Warrenville IL 60555, St. Charles IL 60174 (14 km off, another
ZIP3), Rockford IL 61101 (92 km)."""

from __future__ import annotations

import duckdb

from groundswell.identity import engine
from groundswell.identity.tests.crowd import common_name_crowd
from groundswell.identity.zip_places import NEAR_KM, km_between_sql, zip_centroids, zips_near_sql


def _fec(name: str, city: str, zip_code: str, employer="", occupation="", state="IL") -> dict:
    return {
        "full_name": name, "city": city, "state": state, "postal_code": zip_code,
        "employer": employer, "occupation": occupation,
    }  # fmt: skip


def _km(zip_a: str, zip_b: str) -> float:
    con = duckdb.connect()
    engine.from_arrow(con, "z", zip_centroids())
    return con.execute(
        f"SELECT {km_between_sql()}, {zips_near_sql()} FROM z a, z b "  # noqa: S608 (ours)
        "WHERE a.zip5 = ? AND b.zip5 = ?",
        [zip_a, zip_b],
    ).fetchall()[0]


def test_the_distance_between_two_zips_is_read_from_their_centroids():
    km, near = _km("60555", "60174")
    assert 10 < km < NEAR_KM and near
    km, near = _km("60555", "61101")
    assert 80 < km < 100 and not near
    assert _km("60555", "60555") == (0.0, True)


def test_one_employer_in_neighbouring_towns_of_two_zip3s_is_one_person_not_across_the_state(
    resolve,
):
    # A common name (a crowd of its bearers; one crowd per file, as the crowd is sized for
    # that), so that the rare-name rule across a state does not apply: only the rule for one
    # name and one employer in one area can join them. Two jobs: the model alone stays below.
    def pair(there: dict) -> dict[str, int]:
        return resolve(
            {
                **common_name_crowd("HARTWELL", "DESMOND"),
                "home": _fec("HARTWELL, DESMOND", "Warrenville", "60555", "KESTRELWORKS GENERATION", "EXECUTIVE ASSISTANT"),
                "there": there,
            }
        )  # fmt: skip

    office = pair(
        _fec("HARTWELL, DESMOND E", "St. Charles", "60174", "KESTRELWORKS CORP", "OFFICE MANAGER")
    )
    assert office["home"] == office["there"]
    across = pair(
        _fec("HARTWELL, DESMOND E", "Rockford", "61101", "KESTRELWORKS CORP", "OFFICE MANAGER")
    )
    assert across["home"] != across["there"]


def test_a_zip_in_another_state_than_the_record_says_has_no_place_unless_the_city_is_the_zips():
    # 60174 filed under WI: the ZIP or the state is mistyped, so where the record is is not
    # known; a ZIP nobody has (00000) or none at all has no place either. Filed under WI with
    # the ZIP's own city (St. Charles, or an accepted name of it), the state is the typo: the
    # record is placed and its state read from the ZIP.
    con = duckdb.connect()
    rows = [
        {"unique_id": 1, **_fec("HARTWELL, DESMOND", "St. Charles", "60174")},
        {"unique_id": 2, **_fec("HARTWELL, DESMOND", "Kenosha", "60174", state="WI")},
        {"unique_id": 3, **_fec("HARTWELL, DESMOND", "St. Charles", "60174", state="")},
        {"unique_id": 4, **_fec("HARTWELL, DESMOND", "Nowhere", "00000")},
        {"unique_id": 5, **_fec("HARTWELL, DESMOND", "Nowhere", "")},
        {"unique_id": 6, **_fec("HARTWELL, DESMOND", "Saint Charles", "60174", state="WI")},
    ]
    engine.from_arrow(con, "records", engine.records_table(rows))
    engine.normalise(con)
    engine.collapse(con)
    placed = {
        uid: (state, lat is not None)
        for uid, state, lat in con.execute("SELECT unique_id, state, lat FROM rep").fetchall()
    }
    assert placed == {
        1: ("IL", True),
        2: ("WI", False),
        3: (None, True),
        4: ("IL", False),
        5: ("IL", False),
        6: ("IL", True),
    }
