"""The benchmark's synthetic data: deterministic, chunked, labelled truth unique across chunks."""

from __future__ import annotations

from collections import Counter

import duckdb

from groundswell.demo.identity_synthetic import COLUMNS, Generator, contributions
from groundswell.demo.identity_synthetic_parquet import contributions_write


def test_the_same_seed_gives_the_same_rows_and_another_seed_others():
    assert contributions(500, seed=3) == contributions(500, seed=3)
    assert contributions(500, seed=3) != contributions(500, seed=4)
    rows = contributions(500, seed=3)
    assert len(rows) == 500
    assert sorted(r["unique_id"] for r in rows) == list(range(500))
    assert set(rows[0]) == set(COLUMNS)


def test_a_chunk_is_the_same_whoever_makes_it_and_people_stay_inside_it(tmp_path):
    one = contributions_write(tmp_path / "one.parquet", 5000, seed=5, workers=1, chunk=1200)
    two = contributions_write(tmp_path / "two.parquet", 5000, seed=5, workers=2, chunk=1200)
    assert one.read_bytes() == two.read_bytes()
    assert not list(tmp_path.glob("*.partial"))
    con = duckdb.connect()
    con.execute(f"CREATE TABLE r AS SELECT * FROM read_parquet('{one}')")
    rows, ids, people = con.execute(
        "SELECT count(*), count(DISTINCT unique_id), count(DISTINCT person) FROM r"
    ).fetchone()
    assert rows == ids == 5000
    assert 5000 / 4 < people < 5000 / 2  # about three gifts a person
    # A person's gifts all fall in one chunk (so do a household's), and person ids are unique
    # across chunks: no person spans two chunks.
    spanning = con.execute(
        "SELECT count(*) FROM (SELECT person FROM r GROUP BY person "
        "HAVING min(unique_id // 1200) <> max(unique_id // 1200))"
    ).fetchone()[0]
    assert spanning == 0
    # Rows are shuffled within a chunk, not in donor order.
    ordered = con.execute(
        "SELECT count(*) FROM (SELECT person, lag(person) OVER (ORDER BY unique_id) prev FROM r) "
        "WHERE person = prev"
    ).fetchone()[0]
    assert ordered < 500


def test_the_noise_the_benchmark_depends_on_is_there():
    gen = Generator(9, 20_000)
    donors = gen.donors(20_000)
    people = len(donors)
    movers = sum(len(d.homes) > 1 for d in donors)
    assert 0.07 < movers / people < 0.13
    homes: dict[int, list] = {}
    for d in donors:
        homes.setdefault(id(d.homes[0]), []).append(d)
    households = [ds for ds in homes.values() if len(ds) > 1]
    assert households and all(len({d.last for d in ds}) == 1 for ds in households)
    assert all(len({d.first for d in ds}) == len(ds) for ds in households)
    # Fathers and sons: one name and address, a generation mark each.
    marks: dict[tuple, set] = {}
    for d in donors:
        if d.generation:
            marks.setdefault((d.first, d.last, d.homes[0].zip5, d.homes[0].base), set()).add(
                d.generation
            )
    assert marks and all(found == {"Jr", "Sr"} for found in marks.values())
    # Payroll coworkers: one employer, job and office ZIP+4, mostly one first name, several
    # surnames.
    offices: dict[tuple, list] = {}
    for d in donors:
        home = d.homes[0]
        offices.setdefault((d.employer, d.occupation, home.zip5, home.plus4), []).append(d)
    payrolls = [ds for ds in offices.values() if len(ds) >= 3 and len({d.last for d in ds}) >= 3]
    assert payrolls
    assert any(max(Counter(d.first for d in ds).values()) >= 2 for ds in payrolls)
    named: dict[tuple, set] = {}
    for d in donors:
        named.setdefault((d.first, d.last, d.homes[0].place.city), set()).add(d.person)
    assert sum(len(p) > 1 for p in named.values()) > people * 0.01  # namesakes in one town
    rows = Generator(9, 20_000).rows(20_000)
    share = sum(r["email"] is not None for r in rows) / len(rows)
    assert 0.35 < share < 0.5
    assert any(r["full_name"] and "," in r["full_name"] for r in rows)
    assert any(r["postal_code"] and len(r["postal_code"]) == 10 for r in rows)
    assert any(r["given_name"] and r["given_name"].isupper() for r in rows)


def test_the_engine_background_file_is_what_the_generator_writes(tmp_path):
    """identity/data/background_donors.csv is regenerated with ``background_write`` when the
    generator changes; a stale file would train small lists on other donors than documented."""
    from pathlib import Path

    from groundswell.demo.identity_synthetic import BACKGROUND_FILE, background_write
    from groundswell.identity import splink_model

    fresh = tmp_path / BACKGROUND_FILE
    background_write(fresh)
    shipped = Path(splink_model.__file__).parent / "data" / BACKGROUND_FILE
    assert fresh.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")
    assert sum(1 for _ in fresh.open()) - 1 == splink_model.SMALL_LIST
