"""What keeps the engine linear in the file: the ZIP keys the typo rules join on, the memory
each DuckDB connection gets, and where it spills."""

from __future__ import annotations

import os

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from groundswell.identity import engine, splink_settings
from groundswell.identity.engine_links import _RULE_SIDES

_ZIP = st.text(alphabet="0123456789", min_size=3, max_size=6)


def _keys(con: duckdb.DuckDBPyConnection, zip5: str) -> set[str]:
    con.execute("CREATE OR REPLACE TEMP TABLE rep AS SELECT 1 AS unique_id, 'ANA' AS first, "
                "'RIVAS' AS last, 'OH' AS state, ? AS zip5", [zip5])  # fmt: skip
    rows = con.execute(_RULE_SIDES["rep_zip_near"]).fetchall()
    return {row[-1] for row in rows}


@st.composite
def _one_keystroke(draw):
    """A ZIP and the same ZIP with one digit wrong, two swapped, one left out or one added."""
    zip5 = draw(_ZIP)
    i = draw(st.integers(0, len(zip5) - 1))
    digit = draw(st.sampled_from("0123456789"))
    kind = draw(st.sampled_from(["wrong", "swapped", "left out", "added"]))
    if kind == "wrong":
        other = zip5[:i] + digit + zip5[i + 1 :]
    elif kind == "swapped" and i < len(zip5) - 1:
        other = zip5[:i] + zip5[i + 1] + zip5[i] + zip5[i + 2 :]
    elif kind == "left out":
        other = zip5[:i] + zip5[i + 1 :]
    else:
        other = zip5[:i] + digit + zip5[i:]
    return zip5, other


@given(_one_keystroke())
def test_two_zips_one_keystroke_apart_share_a_key(pair):
    # The swapped-names and typo rules find their candidates through these keys: a pair that
    # ZIP_NEAR lets through but that shares no key would be lost.
    zip5, other = pair
    con = duckdb.connect()
    distance = con.execute("SELECT damerau_levenshtein(?, ?)", [zip5, other]).fetchall()[0][0]
    assert distance <= 1
    assert _keys(con, zip5) & _keys(con, other)


@given(_ZIP, _ZIP)
def test_zips_that_share_no_key_are_more_than_one_keystroke_apart(zip5, other):
    con = duckdb.connect()
    if not _keys(con, zip5) & _keys(con, other):
        distance = con.execute("SELECT damerau_levenshtein(?, ?)", [zip5, other]).fetchall()
        assert distance[0][0] > 1


@st.composite
def _zip5_one_keystroke(draw):
    """A five-digit ZIP and the same with one digit wrong or two neighbours swapped."""
    zip5 = draw(st.text(alphabet="0123456789", min_size=5, max_size=5))
    i = draw(st.integers(0, 4))
    if draw(st.booleans()) and i < 4:
        return zip5, zip5[:i] + zip5[i + 1] + zip5[i] + zip5[i + 2 :]
    return zip5, zip5[:i] + draw(st.sampled_from("0123456789")) + zip5[i + 1 :]


@given(_zip5_one_keystroke())
def test_the_scoring_compares_a_surname_and_initial_at_zips_one_keystroke_apart(pair):
    # The rule on surname + initial + state alone grew with the square of the file; its
    # narrower forms must still compare every such pair whose ZIP is mistyped.
    zip5, other = pair
    rules = [
        r
        for r in splink_settings.blocking_rules()
        if isinstance(r, str)
        and r.startswith(splink_settings.SAME_SURNAME_INITIAL_STATE)
        and "zip5" in r
    ]
    assert len(rules) == 3
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE l AS SELECT 'RIVAS' AS last, 'ANA' AS first, 'OH' AS state, "
                "? AS zip5", [zip5])  # fmt: skip
    con.execute("CREATE TEMP TABLE r AS SELECT 'RIVAS' AS last, 'ANNA' AS first, 'OH' AS state, "
                "? AS zip5", [other])  # fmt: skip
    pairs = [con.execute(f"SELECT count(*) FROM l, r WHERE {rule}").fetchone()[0] for rule in rules]
    assert any(pairs)


def test_the_memory_limit_grows_with_the_file_within_the_machine():
    gib = 1 << 30
    floor = engine.MEMORY_FLOOR_MB
    assert engine.memory_limit_for(1_000, physical=24 * gib) == floor
    assert engine.memory_limit_for(1_000_000, physical=24 * gib) == floor
    three = engine.memory_limit_for(3_000_000, physical=24 * gib)
    ten = engine.memory_limit_for(10_000_000, physical=24 * gib)
    assert floor < three < ten
    assert ten == 6 * 1024  # a quarter of the machine: the two connections take half at most
    # A small machine still gets the floor.
    assert engine.memory_limit_for(10_000_000, physical=2 * gib) == floor


def test_the_engine_spills_where_it_is_told_never_into_the_working_folder(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE records (unique_id BIGINT, full_name VARCHAR)")
    options = engine.EngineOptions(temp_directory=str(tmp_path / "spill"))
    engine._spill_to(con, options)
    setting = con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    assert setting == str(tmp_path / "spill")

    # Not told: the folder the caller set, else groundswell-duckdb in the temporary folder, never
    # DuckDB's own default for a database in memory (.tmp in the working folder).
    fresh = duckdb.connect()
    assert fresh.execute("SELECT current_setting('temp_directory')").fetchall()[0][0] == ".tmp"
    options = engine.EngineOptions()
    engine._spill_to(fresh, options)
    setting = fresh.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    assert os.path.basename(setting) == "groundswell-duckdb"
    told = duckdb.connect()
    told.execute(f"SET temp_directory = '{tmp_path / 'caller'}'")
    options = engine.EngineOptions()
    engine._spill_to(told, options)
    assert options.temp_directory == str(tmp_path / "caller")

    # A second run on the same connection once it has spilled keeps the folder (DuckDB refuses
    # to switch a folder in use).
    told.execute("SET memory_limit = '32MB'")
    told.execute(
        "CREATE TEMP TABLE big AS SELECT range AS n, repeat('x', 100) AS s FROM range(1000000)"
    )
    told.execute("SELECT count(DISTINCT s || n) FROM big").fetchall()
    engine._spill_to(told, engine.EngineOptions())
